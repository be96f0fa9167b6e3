"""Draft quiz files: quiz-file data as YAML in the style of courses/, with comments.

The YAML is written by hand rather than by ``yaml.dump`` so that each question can carry
comments (where it came from, what the author must still add), and so that the file looks
like the ones authors already edit. Every rendering is read back and compared with the
data, so a quoting mistake can never write a file that means something else.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass, field
from typing import Any

import yaml

#: The pass mark of an imported quiz; GIFT has none. The knowledge checks of both courses
#: in courses/ use 70, so a draft starts there.
PASS_MARK = 70
DEFAULTS_NOTE = (
    f"pass_mark {PASS_MARK}; attempts, time limit, shuffle, score_rule and review left at "
    "the LMS's defaults (unlimited attempts, no time limit, no shuffling, best attempt "
    "counts, correct answers shown after a pass)"
)
_PLAIN_RE = re.compile(r"[a-z][a-z0-9_.-]*")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
_UNSAFE_CHAR_RE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


@dataclass
class DraftQuestion:
    data: dict[str, Any]
    comments: list[str] = field(default_factory=list)


@dataclass
class DraftQuiz:
    slug: str
    title: str
    questions: list[DraftQuestion]
    header: list[str] = field(default_factory=list)

    def data(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "pass_mark": PASS_MARK,
            "questions": [q.data for q in self.questions],
        }


def render_quiz(quiz: DraftQuiz) -> str:
    data = quiz.data()
    lines = [f"# {part}" for line in quiz.header for part in textwrap.wrap(line, 88)]
    lines += _mapping({k: v for k, v in data.items() if k != "questions"}, 0)
    lines.append("questions:")
    for index, question in enumerate(quiz.questions):
        if index:
            lines.append("")
        lines += [f"  # {comment}".rstrip() for comment in question.comments]
        lines += _item(question.data, 2)
    text = "\n".join(lines) + "\n"
    if yaml.safe_load(text) != data:  # pragma: no cover - a bug in this module
        raise RuntimeError(f"the draft of quiz '{quiz.slug}' does not read back as written")
    return text


def _mapping(data: dict[str, Any], indent: int) -> list[str]:
    lines: list[str] = []
    for key, value in data.items():
        lines += _entry(f"{key}:", value, indent)
    return lines


def _entry(prefix: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict):
        return [pad + prefix, *_mapping(value, indent + 2)]
    if isinstance(value, list):
        lines = [pad + prefix]
        for item in value:
            lines += _item(item, indent + 2)
        return lines
    first, *rest = _scalar(value, indent + 2)
    return [f"{pad}{prefix} {first}", *rest]


def _item(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict):
        first, *rest = _mapping(value, indent + 2)
        return [pad + "- " + first[indent + 2 :], *rest]
    first, *rest = _scalar(value, indent + 2)
    return [f"{pad}- {first}", *rest]


def _scalar(value: Any, indent: int) -> list[str]:
    """A scalar as one line, or as a literal block (its first line is the indicator)."""
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, int):
        return [str(value)]
    if isinstance(value, float):
        text = repr(value)
        if "e" in text and "." not in text:  # YAML 1.1 needs a dot in 1.0e-05
            text = text.replace("e", ".0e")
        return [text]
    text = str(value)
    if _PLAIN_RE.fullmatch(text) and text not in _YAML_WORDS:
        return [text]
    if "\n" in text and _literal_ok(text):
        pad = " " * indent
        return [
            "|" if text.endswith("\n") else "|-",
            *[pad + line if line else "" for line in text.removesuffix("\n").split("\n")],
        ]
    return [_quoted(text)]


def _literal_ok(text: str) -> bool:
    lines = text.removesuffix("\n").split("\n")
    return (
        not text.endswith("\n\n")
        and not text[0].isspace()
        and "\t" not in text
        and "\r" not in text
        and not _UNSAFE_CHAR_RE.search(text)
        and not any(line != line.rstrip() for line in lines)
        and all(char.isprintable() for line in lines for char in line)
    )


def _quoted(text: str) -> str:
    """A double-quoted YAML scalar: JSON's escapes, plus the ones YAML needs beyond them."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _UNSAFE_CHAR_RE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", quoted)
