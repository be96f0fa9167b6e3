"""What the import tells the author: errors, unsupported questions and notes, each with a line."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lms.content.schema import MAX_SLUG

#: error: the file is wrong, nothing is imported. unsupported: the LMS cannot hold the
#: question as Moodle means it (skipped with --unsupported skip). note: imported, but the
#: author should look (the draft may still need a source, feedback or rubric).
Severity = Literal["error", "unsupported", "note"]


@dataclass(frozen=True)
class Report:
    line: int | None
    severity: Severity
    message: str
    hint: str = ""

    def format(self, path: Path | str) -> str:
        where = f"{path}:{self.line}" if self.line is not None else str(path)
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}: {self.severity}: {self.message}{hint}"


def slugify(text: str, limit: int = 60) -> str:
    """A slug from any text: ASCII letters and digits joined by single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or (words[0][:limit] if words else "")


def unique_slug(base: str, taken: set[str]) -> str:
    slug, number = base, 2
    while slug in taken:
        suffix = f"-{number}"
        slug = base[: MAX_SLUG - len(suffix)].rstrip("-") + suffix
        number += 1
    taken.add(slug)
    return slug


def humanize(slug: str) -> str:
    """'module-1-check' -> 'Module 1 check'."""
    text = slug.replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def shorten(text: str, most: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 3] + "..."
