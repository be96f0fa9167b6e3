"""GIFT escapes and formats: the pieces of text the reader cuts and the writer writes.

Moodle resolves escapes (``\\~ \\= \\# \\{ \\} \\: \\\\`` and ``\\n``) *before* it looks for
the control characters, so an escaped ``=`` never separates answers. ``Segment`` does the
same without rewriting the text: it keeps the raw text and a mask in which every escape is
blanked out, searches the mask for control characters, and resolves escapes only when a
piece of text is finally taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lms.content.gift.model import FORMATS, Format, Text

#: The characters a backslash escapes, and what each escape stands for.
ESCAPES: dict[str, str] = {
    "\\": "\\",
    ":": ":",
    "#": "#",
    "=": "=",
    "{": "{",
    "}": "}",
    "~": "~",
    "n": "\n",
}
_MASKED = "\x00"  # never a control character
_FORMAT_RE = re.compile(r"\[(" + "|".join(FORMATS) + r")\]")


def mask(raw: str) -> str:
    """``raw`` with both characters of every escape replaced by a neutral character."""
    out = list(raw)
    i = 0
    while i < len(raw) - 1:
        if raw[i] == "\\" and raw[i + 1] in ESCAPES:
            out[i] = out[i + 1] = _MASKED
            i += 2
        else:
            i += 1
    return "".join(out)


def unescape(raw: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(raw):
        if raw[i] == "\\" and i + 1 < len(raw) and raw[i + 1] in ESCAPES:
            out.append(ESCAPES[raw[i + 1]])
            i += 2
        else:
            out.append(raw[i])
            i += 1
    return "".join(out)


def escape(text: str) -> str:
    """Text as GIFT, the way Moodle's writer escapes it: every newline becomes ``\\n``, so
    a question never contains the blank line that would end it."""
    out = text.replace("\r\n", "\n").replace("\r", "\n").replace("\\", "\\\\")
    for char in "~=#{}:":
        out = out.replace(char, "\\" + char)
    return out.replace("\n", "\\n")


@dataclass(frozen=True)
class Segment:
    """A stretch of one question's text: ``raw`` starts at offset ``start`` of the question."""

    raw: str
    masked: str
    start: int

    @classmethod
    def of(cls, raw: str) -> Segment:
        return cls(raw, mask(raw), 0)

    def __len__(self) -> int:
        return len(self.raw)

    def cut(self, begin: int, end: int | None = None) -> Segment:
        end = len(self.raw) if end is None else end
        return Segment(self.raw[begin:end], self.masked[begin:end], self.start + begin)

    def strip(self) -> Segment:
        left = len(self.raw) - len(self.raw.lstrip())
        right = len(self.raw.rstrip())
        return self.cut(left, max(left, right))

    def find(self, needle: str, begin: int = 0) -> int:
        return self.masked.find(needle, begin)

    def positions(self, chars: str) -> list[int]:
        """Where any of ``chars`` occurs, unescaped."""
        return [i for i, char in enumerate(self.masked) if char in chars]

    def split_at(self, chars: str) -> tuple[Segment, list[Segment]]:
        """The text before the first of ``chars``, then one segment per occurrence, each
        starting with its marker character."""
        marks = self.positions(chars)
        if not marks:
            return self, []
        ends = [*marks[1:], len(self.raw)]
        return self.cut(0, marks[0]), [self.cut(a, b) for a, b in zip(marks, ends, strict=True)]

    def partition(self, char: str) -> tuple[Segment, Segment | None]:
        """Split at the first unescaped ``char`` (dropped); None if there is none."""
        at = self.find(char)
        if at < 0:
            return self, None
        return self.cut(0, at), self.cut(at + 1)

    def text(self) -> str:
        return unescape(self.raw).strip()

    def formatted(self, default: Format) -> Text:
        """Moodle's parse_text_with_format: an optional leading [format], then the text."""
        stripped = self.strip()
        match = _FORMAT_RE.match(stripped.raw)
        if match is None:
            return Text(stripped.text(), default)
        name: Format = match.group(1)  # type: ignore[assignment]
        return Text(stripped.cut(match.end()).text(), name)


def starts_with_format(text: str) -> bool:
    """Whether ``text`` would be read as a [format] marker if written as it is."""
    return _FORMAT_RE.match(text) is not None
