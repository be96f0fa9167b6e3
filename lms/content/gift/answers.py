"""One GIFT question: its answer block, its kind, and each kind's answers (Moodle's rules).

Moodle decides the kind from the answer block: empty is an essay, a leading ``#`` numerical,
any ``~`` multiple choice, ``=`` with ``->`` matching, ``T``/``TRUE``/``F``/``FALSE``
true/false, anything else short answer; no block at all is a description.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from lms.content.gift.model import (
    Answer,
    Format,
    Kind,
    MatchPair,
    Number,
    NumericAnswer,
    Question,
    Text,
)
from lms.content.gift.text import Segment

LineOf = Callable[[int], int]
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_WEIGHT_RE = re.compile(r"%(-?\d+(?:\.\d+)?)%")
_WEIGHT_LIKE_RE = re.compile(r"%[^%\s]*%")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_ESCAPE_HINT = "a literal brace is written \\{ or \\}"


class GiftSyntaxError(Exception):
    def __init__(self, line: int | None, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


def read_question(seg: Segment, line_of: LineOf, first: int, last: int) -> Question:
    """Read a question's text after its ``::name::``: text, answer block, text after it."""
    opens, closes = seg.positions("{"), seg.positions("}")
    if not opens and not closes:
        text = seg.formatted("moodle")
        if not text.text:
            raise GiftSyntaxError(first, "the question has no text", "write the question text")
        return Question("description", first, last, text, text_line=line_of(seg.start))
    _check_braces(opens, closes, line_of)
    start, end = opens[0], closes[0]
    block = seg.cut(start + 1, end)
    general: Segment | None = None
    at = block.masked.rfind("####")
    if at >= 0:
        block, general = block.cut(0, at), block.cut(at + 4)
    text = seg.cut(0, start).formatted("moodle")
    after = seg.cut(end + 1).strip()
    body = block.strip()
    question = Question(_kind(body, line_of), first, last, text, text_line=line_of(seg.start))
    question.brace_line = line_of(start)
    question.body_line = line_of(body.start) if body.raw else question.brace_line
    if after.raw:
        question.text_after = after.text()
        question.after_line = line_of(after.start)
    if not text.text and question.text_after is None:
        raise GiftSyntaxError(first, "the question has no text", "write it before the '{'")
    if general is not None:
        question.general_feedback = _optional(general, text.format)
    _read_answers(question, body, line_of)
    return question


def _check_braces(opens: list[int], closes: list[int], line_of: LineOf) -> None:
    if not closes:
        raise GiftSyntaxError(
            line_of(opens[0]),
            "unbalanced braces: this '{' is never closed by '}'",
            "end the answers with '}' before the blank line that ends the question; "
            + _ESCAPE_HINT,
        )
    if not opens or closes[0] < opens[0]:
        raise GiftSyntaxError(
            line_of(closes[0]),
            "unbalanced braces: this '}' closes no '{'",
            "start the answers with '{'; " + _ESCAPE_HINT,
        )
    if len(opens) > 1:
        raise GiftSyntaxError(
            line_of(opens[1]),
            "unbalanced braces: a second '{' in one question (a question has one answer block)",
            _ESCAPE_HINT + "; a blank line separates questions",
        )
    if len(closes) > 1:
        raise GiftSyntaxError(
            line_of(closes[1]),
            "unbalanced braces: a second '}' in one question",
            _ESCAPE_HINT,
        )


def _kind(body: Segment, line_of: LineOf) -> Kind:
    if not body.raw:
        return "essay"
    if body.masked.startswith("#"):
        return "numerical"
    if "~" in body.masked:
        return "multichoice"
    if "=" in body.masked and "->" in body.masked:
        return "match"
    hash_at = body.find("#")
    word = (body.cut(0, hash_at) if hash_at > 0 else body).raw.strip()
    if word in TRUE_FALSE:
        return "truefalse"
    if word.upper() in TRUE_FALSE:
        raise GiftSyntaxError(
            line_of(body.start),
            f"'{{{word}}}' is ambiguous: Moodle reads it as a short answer '{word}', "
            "not as true/false",
            f"write {{{word.upper()}}} for a true/false question, or {{={word}}} for a "
            "short answer",
        )
    return "shortanswer"


def _optional(seg: Segment, default: Format) -> Text | None:
    text = seg.formatted(default)
    return text if text.text else None


def _read_answers(question: Question, body: Segment, line_of: LineOf) -> None:
    fmt = question.text.format
    line = question.brace_line
    if question.kind == "multichoice":
        lead, pieces = body.split_at("~=")
        if lead.strip().raw:
            raise GiftSyntaxError(
                line_of(lead.strip().start),
                f"'{lead.text()}' comes before the first answer",
                "start every answer with = (right) or ~ (wrong); escape a literal = or ~",
            )
        question.answers = [_answer(piece, fmt, line_of) for piece in pieces]
        _at_least(2, len(question.answers), "a multiple-choice question", line)
    elif question.kind == "shortanswer":
        lead, pieces = body.split_at("=")
        found = [_answer(piece, fmt, line_of) for piece in pieces]
        if lead.strip().raw:
            found.insert(0, _answer(lead.strip(), fmt, line_of, marked=False))
        question.answers = found
        _at_least(1, len(found), "a short-answer question", line)
    elif question.kind == "truefalse":
        word, rest = body.partition("#")
        question.truth = TRUE_FALSE[word.raw.strip()]
        if rest is not None:
            wrong, right = rest.partition("#")
            question.feedback_wrong = _optional(wrong, fmt)
            question.feedback_right = _optional(right, fmt) if right is not None else None
    elif question.kind == "numerical":
        question.numbers = _numbers(body.cut(1), fmt, line_of)
        _at_least(1, len(question.numbers), "a numerical question", line)
    elif question.kind == "match":
        question.pairs = _pairs(body, fmt, line_of)
        _at_least(2, len(question.pairs), "a matching question", line)


def _at_least(count: int, found: int, what: str, line: int | None) -> None:
    if found < count:
        raise GiftSyntaxError(
            line,
            f"{what} needs at least {count} answer{'s' if count > 1 else ''}, but has {found}",
            "add answers, each starting with = or ~",
        )


def _weight(seg: Segment, line: int) -> tuple[float | None, Segment]:
    match = _WEIGHT_RE.match(seg.raw)
    if match is None:
        like = _WEIGHT_LIKE_RE.match(seg.raw)
        if like:
            raise GiftSyntaxError(
                line,
                f"'{like.group(0)}' is not a weight",
                "a weight is a percentage between % signs, e.g. ~%50%, ~%-100% or =%33.33333%",
            )
        return None, seg
    weight = float(match.group(1))
    if not -100 <= weight <= 100:
        raise GiftSyntaxError(
            line, f"the weight {match.group(0)} is outside -100% to 100%", "use -100 to 100"
        )
    return weight, seg.cut(match.end()).strip()


def _answer(piece: Segment, fmt: Format, line_of: LineOf, marked: bool = True) -> Answer:
    line = line_of(piece.start)
    correct = (piece.raw[0] == "=") if marked else None
    weight, rest = _weight(piece.cut(1 if marked else 0).strip(), line)
    text_seg, feedback = rest.partition("#")
    text = text_seg.formatted(fmt)
    if not text.text:
        raise GiftSyntaxError(line, "this answer is empty", "write the answer after = or ~")
    return Answer(line, correct, weight, text, _optional(feedback, fmt) if feedback else None)


def _numbers(body: Segment, fmt: Format, line_of: LineOf) -> list[NumericAnswer]:
    wrong: NumericAnswer | None = None
    tilde = body.find("~")
    if tilde >= 0:
        tail, body = body.cut(tilde + 1), body.cut(0, tilde)
        line = line_of(tail.start - 1)
        extra, feedback = tail.partition("#")
        if "~" in tail.masked or extra.text() not in ("", "*"):
            raise GiftSyntaxError(
                line,
                "a numerical question's '~' only gives feedback for any other answer",
                "write it once, as ~#feedback, after the right answers",
            )
        text = _optional(feedback, fmt) if feedback else None
        wrong = NumericAnswer(line, False, None, Number("any"), text)
    lead, pieces = body.split_at("=")
    found = [_numeric(piece, fmt, line_of) for piece in pieces]
    if lead.strip().raw:
        found.insert(0, _numeric(lead.strip(), fmt, line_of, marked=False))
    return found + ([wrong] if wrong else [])


def _numeric(piece: Segment, fmt: Format, line_of: LineOf, marked: bool = True) -> NumericAnswer:
    line = line_of(piece.start)
    weight, rest = _weight(piece.cut(1 if marked else 0).strip(), line)
    value, feedback = rest.partition("#")
    number = parse_number(value.text(), line)
    text = _optional(feedback, fmt) if feedback else None
    return NumericAnswer(line, True if marked else None, weight, number, text)


def parse_number(text: str, line: int | None) -> Number:
    """``1822``, ``1822:2``, ``1821..1823`` or ``*``, as Moodle reads them, but strictly."""
    if text == "*":
        return Number("any")
    dots = text.find("..")
    if dots > 0:
        low, high = _decimal(text[:dots], line), _decimal(text[dots + 2 :], line)
        if Decimal(low) > Decimal(high):
            raise GiftSyntaxError(
                line, f"the range {text} runs backwards", "write the lower number first"
            )
        return Number("high-low", low=low, high=high)
    colon = text.find(":")
    if colon > 0:
        value, tolerance = _decimal(text[:colon], line), _decimal(text[colon + 1 :], line)
        if Decimal(tolerance) < 0:
            raise GiftSyntaxError(line, f"the tolerance in {text} is negative", "use 0 or more")
        return Number("range", value=value, tolerance=tolerance)
    return Number("simple", value=_decimal(text, line))


def _decimal(text: str, line: int | None) -> str:
    text = text.strip()
    if not _NUMBER_RE.fullmatch(text):
        raise GiftSyntaxError(
            line,
            f"'{text}' is not a number (Moodle would silently give full credit for any "
            "answer here)",
            "write a number: {#1822}, {#1822:2} (answer:tolerance) or {#1821..1823}",
        )
    return text


def _pairs(body: Segment, fmt: Format, line_of: LineOf) -> list[MatchPair]:
    lead, pieces = body.split_at("=")
    if lead.strip().raw:
        raise GiftSyntaxError(
            line_of(lead.strip().start),
            f"'{lead.text()}' comes before the first matching pair",
            "start every pair with =, e.g. =Canada -> Ottawa",
        )
    pairs: list[MatchPair] = []
    for piece in pieces:
        line = line_of(piece.start)
        content = piece.cut(1)
        arrow = content.find("->")
        if arrow < 0:
            raise GiftSyntaxError(line, "a matching pair has no '->'", "write =question -> answer")
        answer = content.cut(arrow + 2).text()
        if not answer:
            raise GiftSyntaxError(
                line, "a matching pair has no answer after '->'", "write =question -> answer"
            )
        pairs.append(MatchPair(line, content.cut(0, arrow).formatted(fmt), answer))
    return pairs
