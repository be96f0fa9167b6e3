"""Write :mod:`lms.content.gift.model` objects as GIFT, in the layout Moodle's own export uses.

Every newline inside a text is written as ``\\n`` (as Moodle does), so a question never holds
the blank line that would end it, and reading the output gives back the same questions.
A ``[format]`` marker is written where a text's format differs from the one it inherits
(Moodle's default for the question text, the question's for its answers and feedback), or
where the text itself starts like a marker.
"""

from __future__ import annotations

from collections.abc import Iterable

from lms.content.gift.model import (
    Answer,
    Category,
    Format,
    MatchPair,
    Number,
    NumericAnswer,
    Question,
    Text,
)
from lms.content.gift.text import escape, starts_with_format


def write_gift(items: Iterable[Question | Category], header: Iterable[str] = ()) -> str:
    """GIFT text for ``items``, after optional ``header`` comment lines."""
    chunks: list[str] = []
    comment = "\n".join(f"// {line}".rstrip() for line in header)
    if comment:
        chunks.append(comment)
    for item in items:
        chunks.append(write_item(item))
    return "\n\n".join(chunks) + "\n"


def write_item(item: Question | Category) -> str:
    if isinstance(item, Category):
        return f"$CATEGORY: {item.path}"
    return write_question(item)


def write_question(question: Question, comments: Iterable[str] = ()) -> str:
    lines = [f"// {line}".rstrip() for line in comments]
    marks = ([f"[id:{_mark(question.idnumber)}]"] if question.idnumber else []) + [
        f"[tag:{_mark(tag)}]" for tag in question.tags
    ]
    if marks:
        lines.append("// " + " ".join(marks))
    head = f"::{escape(question.name)}::" if question.name else ""
    text = question.text
    force = not question.name and text.text.startswith(("/", "$"))
    head += _text(text, "moodle", force=force)
    if question.kind == "description":
        return "\n".join([*lines, head])
    block = _block(question)
    after = f" {escape(question.text_after)}" if question.text_after else ""
    return "\n".join([*lines, head + block + after])


def _mark(value: str) -> str:
    return value.replace("]", "\\]")


def _text(text: Text, default: Format, force: bool = False) -> str:
    """A text with a [format] marker where one is needed to read it back the same."""
    needs_marker = force or text.format != default or starts_with_format(text.text)
    return (f"[{text.format}]" if needs_marker else "") + escape(text.text)


def _weight(weight: float | None) -> str:
    if weight is None:
        return ""
    return f"%{int(weight) if weight.is_integer() else repr(weight)}%"


def _feedback(text: Text | None, default: Format) -> str:
    return "" if text is None else "#" + _text(text, default)


def _general(question: Question, inline: bool) -> str:
    feedback = question.general_feedback
    if feedback is None:
        return ""
    text = "####" + _text(feedback, question.text.format)
    return text if inline else f"\t{text}\n"


def _block(question: Question) -> str:
    fmt = question.text.format
    if question.kind == "essay":
        return "{" + _general(question, inline=True) + "}"
    if question.kind == "truefalse":
        wrong, right = question.feedback_wrong, question.feedback_right
        feedback = ""
        if wrong or right:  # {TRUE#for a wrong answer#for a right answer}
            feedback = "#" + (_text(wrong, fmt) if wrong else "")
        if right:
            feedback += "#" + _text(right, fmt)
        word = "TRUE" if question.truth else "FALSE"
        return "{" + word + feedback + _general(question, inline=True) + "}"
    if question.kind == "numerical":
        return _numerical(question)
    if question.kind == "match":
        lines = [_pair(pair, fmt) for pair in question.pairs]
    else:
        lines = [_answer(answer, fmt) for answer in question.answers]
    return "{\n" + "".join(f"\t{line}\n" for line in lines) + _general(question, False) + "}"


def _answer(answer: Answer, fmt: Format) -> str:
    marker = {True: "=", False: "~", None: ""}[answer.correct]
    weight = answer.weight
    if weight is None and answer.text.text.startswith("%"):
        weight = 0.0 if marker == "~" else 100.0  # so the text is not read as a weight
    return marker + _weight(weight) + _text(answer.text, fmt) + _feedback(answer.feedback, fmt)


def _pair(pair: MatchPair, fmt: Format) -> str:
    question = _text(pair.question, fmt)
    return f"={question} -> {escape(pair.answer)}" if question else f"= -> {escape(pair.answer)}"


def _number(number: Number) -> str:
    if number.kind == "range":
        return f"{number.value}:{number.tolerance}"
    if number.kind == "high-low":
        return f"{number.low}..{number.high}"
    if number.kind == "any":
        return "*"
    return str(number.value)


def _numerical(question: Question) -> str:
    fmt = question.text.format
    numbers = question.numbers
    if len(numbers) == 1 and (only := numbers[0]).correct is None and only.weight is None:
        return (
            "{#"
            + _number(only.number)
            + _feedback(only.feedback, fmt)
            + _general(question, inline=True)
            + "}"
        )
    lines = [_numeric(answer, fmt) for answer in numbers]
    return "{#\n" + "".join(f"\t{line}\n" for line in lines) + _general(question, False) + "}"


def _numeric(answer: NumericAnswer, fmt: Format) -> str:
    if answer.correct is False:  # ~#feedback: for any other answer
        return "~" + (_feedback(answer.feedback, fmt) or "#")
    marker = "" if answer.correct is None else "="
    return (
        marker + _weight(answer.weight) + _number(answer.number) + _feedback(answer.feedback, fmt)
    )
