"""Read a GIFT file into :mod:`lms.content.gift.model` objects, with line numbers.

The rules are Moodle's (question/format/gift/format.php): a blank line ends a question;
a line starting with ``//`` is a comment, and ``[id:...]`` / ``[tag:...]`` in a question's
comments are its id number and tags; ``$CATEGORY: path`` switches category; ``::name::``
names a question; the first ``{...}`` is its answer block, whose content decides its kind;
``####`` starts the general feedback. Where Moodle silently guesses, this reader reports an
error instead: an unclosed ``::name``, stray or extra braces, ``{true}`` (Moodle: a short
answer "true"), ``{#abc}`` (Moodle: any answer gets full credit), text before the first
answer of a multiple-choice question, malformed weights.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from lms.content.gift import answers
from lms.content.gift.model import Category, GiftFile, Question, SyntaxProblem
from lms.content.gift.text import Segment, unescape

#: GIFT files are short question banks; anything bigger is a mistake (a wrong file).
MAX_BYTES = 5 * 1024 * 1024
_ID_RE = re.compile(r"\[id:((?:\\\]|[^\]])*)\]")
_TAG_RE = re.compile(r"\[tag:((?:\\\]|[^\]])*)\]")
_OPEN_MARK_RE = re.compile(r"\[(id|tag):")
#: What PHP's trim() removes, which Moodle applies to every line.
_PHP_TRIM = " \t\n\r\0\x0b"


class GiftFileError(Exception):
    """The file cannot be read as GIFT at all (empty, binary, too big, not UTF-8)."""

    def __init__(self, message: str, line: int | None = None, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint


def read_gift_file(path: Path) -> GiftFile:
    """Read and parse a GIFT file; raises GiftFileError if it is not a GIFT text file."""
    try:
        size = path.stat().st_size
        with path.open("rb") as stream:  # read no more than the limit, whatever the file
            data = stream.read(MAX_BYTES + 1) if size <= MAX_BYTES else b""
    except OSError as exc:
        raise GiftFileError(f"cannot read the file: {exc.strerror}") from None
    if size > MAX_BYTES or len(data) > MAX_BYTES:
        shown = f"{size / 1024 / 1024:.1f} MB" if size > MAX_BYTES else "larger than that"
        raise GiftFileError(
            f"the file is {shown}; a GIFT file may be at most {MAX_BYTES // 1024 // 1024} MB",
            hint="is this the right file? split a very large question bank into several",
        )
    return parse_gift(decode(data))


def decode(data: bytes) -> str:
    """The file's text, or GiftFileError for empty, binary or non-UTF-8 content."""
    hint = "save the file as UTF-8 text (Moodle's GIFT export already is)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise GiftFileError("the file is UTF-16 text, not UTF-8", 1, hint)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise GiftFileError(
            "the file is binary, not text (it contains NUL bytes)",
            line,
            "export the questions from Moodle as GIFT, or save them as a plain-text file",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start]
        raise GiftFileError(
            f"the file is not UTF-8: byte 0x{byte:02X} cannot start a UTF-8 character "
            "(perhaps Windows-1252 or Latin-1)",
            line,
            hint,
        ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise GiftFileError("the file is empty", hint="write GIFT questions in it")
    return text


@dataclass
class _Line:
    number: int
    text: str  # stripped


def parse_gift(text: str) -> GiftFile:
    """Parse GIFT text; syntax errors are collected in ``GiftFile.errors``, one per question."""
    result = GiftFile(items=[])
    category: str | None = None
    # Moodle splits lines at \n only (str.splitlines would also split at \f, \u2028, ...)
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for comments, lines in _blocks(raw_lines, result.errors):
        try:
            item = _read_block(comments, lines, category)
        except answers.GiftSyntaxError as exc:
            result.errors.append(SyntaxProblem(exc.line, exc.message, exc.hint))
            continue
        if isinstance(item, Category):
            category = item.path
        if item is not None:
            result.items.append(item)
    if not result.items and not result.errors:
        result.errors.append(
            SyntaxProblem(
                None, "the file holds no questions, only comments", "write GIFT questions in it"
            )
        )
    return result


def _blocks(
    raw_lines: list[str], errors: list[SyntaxProblem]
) -> list[tuple[list[_Line], list[_Line]]]:
    """Group lines into questions (split at blank lines): (comment lines, other lines)."""
    blocks: list[tuple[list[_Line], list[_Line]]] = []
    comments: list[_Line] = []
    lines: list[_Line] = []
    index = 0
    while index < len(raw_lines):
        number, stripped = index + 1, raw_lines[index].strip(_PHP_TRIM)
        index += 1
        if stripped.startswith("/*"):
            if comments or lines:  # what came before is one question, what follows another
                blocks.append((comments, lines))
            comments, lines = [], []
            index = _block_comment(raw_lines, index - 1, errors)
            continue
        if not stripped:
            if comments or lines:
                blocks.append((comments, lines))
            comments, lines = [], []
        elif stripped.startswith("//"):
            comments.append(_Line(number, stripped))
        else:
            lines.append(_Line(number, stripped))
    if comments or lines:
        blocks.append((comments, lines))
    return blocks


def _block_comment(raw_lines: list[str], index: int, errors: list[SyntaxProblem]) -> int:
    """Report a /* ... */ comment (GIFT has none) and return the index after it."""
    for end in range(index, len(raw_lines)):
        start = raw_lines[end].find("*/", 2 if end == index else 0)
        if start >= 0:
            errors.append(
                SyntaxProblem(
                    index + 1,
                    "GIFT has no /* ... */ comments: Moodle would read this as question text",
                    "start each comment line with //",
                )
            )
            return end + 1
    errors.append(
        SyntaxProblem(
            index + 1,
            "the comment opened by '/*' is never closed, and GIFT has no /* */ comments",
            "start each comment line with // (a comment ends at the end of its line)",
        )
    )
    return len(raw_lines)


class _Source:
    """One question's text lines, joined by newlines (as Moodle does), with line lookup."""

    def __init__(self, lines: list[_Line]) -> None:
        self.numbers = [line.number for line in lines]
        self.starts: list[int] = []
        offset = 0
        for line in lines:
            self.starts.append(offset)
            offset += len(line.text) + 1
        self.segment = Segment.of("\n".join(line.text for line in lines))

    def line(self, offset: int) -> int:
        return self.numbers[max(0, bisect.bisect_right(self.starts, offset) - 1)]


def _read_block(
    comments: list[_Line], lines: list[_Line], category: str | None
) -> Question | Category | None:
    if not lines:
        return None
    idnumber, tags = _comment_marks(comments)
    source = _Source(lines)
    whole = source.segment
    first = lines[0].number
    if whole.raw.startswith("$CATEGORY:"):
        if len(lines) > 1:
            raise answers.GiftSyntaxError(
                lines[1].number,
                "a $CATEGORY line must stand alone: Moodle would make this line part of "
                "the category's name",
                "put a blank line after the $CATEGORY line",
            )
        path = unescape(whole.raw[len("$CATEGORY:") :]).strip()
        if not path:
            raise answers.GiftSyntaxError(
                first, "$CATEGORY names no category", "write $CATEGORY: path/of/category"
            )
        return Category(first, path)

    rest = whole
    name: str | None = None
    if whole.masked.startswith("::"):
        end = whole.find("::", 2)
        if end < 0:
            raise answers.GiftSyntaxError(
                first,
                "the question name opened by '::' is never closed",
                "close the name with '::' (a literal colon in it is written \\:)",
            )
        name = " ".join(whole.cut(2, end).text().split()) or None
        rest = whole.cut(end + 2)
    question = answers.read_question(rest.strip(), source.line, first, lines[-1].number)
    question.name = name
    question.idnumber = idnumber
    question.tags = tags
    question.category = category
    return question


def _comment_marks(comments: list[_Line]) -> tuple[str | None, list[str]]:
    """Moodle's [id:...] and [tag:...] marks in a question's comment lines."""
    idnumber: str | None = None
    tags: list[str] = []
    for line in comments:
        consumed = _ID_RE.sub("", _TAG_RE.sub("", line.text))
        unclosed = _OPEN_MARK_RE.search(consumed)
        if unclosed:
            raise answers.GiftSyntaxError(
                line.number,
                f"'[{unclosed.group(1)}:' in this comment is never closed with ']'",
                "write [id:...] or [tag:...] on one line; a ']' inside is written \\]",
            )
        for match in _ID_RE.finditer(line.text):
            if idnumber is None:
                idnumber = match.group(1).replace("\\]", "]").strip()
        for match in _TAG_RE.finditer(line.text):
            tag = match.group(1).replace("\\]", "]").strip()
            if tag:
                tags.append(tag)
    return idnumber, tags
