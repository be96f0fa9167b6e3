"""Question types: one class per `QuestionType`, all with the same interface.

Each type knows how to render itself (a Jinja partial and its context), parse a learner's
response (from JSON or from form fields), grade it and explain the right answer. The rest
of the quiz engine never branches on the question type; it asks the registry.

Responses are stored in `Answer.response` in the type's own shape:

- single: a choice id (int);
- multiple: a sorted list of choice ids;
- true_false: true or false;
- short_answer: the text as typed, trimmed;
- numeric: a JSON number;
- essay: the text as typed.

The page never shows a choice id: radio and checkbox values are the attempt's opaque
names for its choices (`Choices`, from `lms.quizzes.tokens`), which `parse` maps back.

`None` means unanswered. Only `render_context` output reaches the page before submission,
and it never carries correct flags, accepted answers or feedback.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from lms.models import QuestionType, QuestionVersion
from lms.text import format_number, json_number, points_text

SHORT_ANSWER_MAX_CHARS = 500
ESSAY_MAX_CHARS = 50_000
NUMBER_MAX_CHARS = 40
MAX_DIGITS = 15  # numbers beyond 10**15 are refused, not stored
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


#: One question's choices in an attempt: the page's value for each -> the choice id, in
#: the order shown (`LaidOutQuestion.choices`).
Choices = Mapping[str, int]


class ResponseError(ValueError):
    """A response that cannot be accepted; the message tells the learner what to fix."""


@dataclass(frozen=True)
class Result:
    """The outcome of grading one response. Both None: waits for an instructor."""

    score: Decimal | None
    is_correct: bool | None


class BaseQuestion:
    """The interface every question type implements."""

    type: ClassVar[QuestionType]
    #: A short instruction shown with the question.
    instruction: ClassVar[str]
    #: False for types an instructor grades.
    auto_graded: ClassVar[bool] = True

    @property
    def template(self) -> str:
        return f"lms/quizzes/_type_{self.type.value}.html"

    # -- rendering -----------------------------------------------------------------------

    def render_context(
        self, version: QuestionVersion, choices: Choices, response: Any
    ) -> dict[str, Any]:
        """What the partial needs: the response to show, never the key."""
        return {"value": "" if response is None else str(response)}

    # -- parsing -------------------------------------------------------------------------

    def parse(self, version: QuestionVersion, choices: Choices, value: Any) -> Any:
        """A JSON value as this type's response shape; raise ResponseError if malformed."""
        raise NotImplementedError

    def parse_form(self, version: QuestionVersion, choices: Choices, values: list[str]) -> Any:
        """Form fields (every value posted under the question's name) as a response."""
        if len(values) > 1:
            raise ResponseError("Give one answer only.")
        return self.parse(version, choices, values[0] if values else None)

    def is_answered(self, response: Any) -> bool:
        return response not in (None, "", [])

    # -- grading and review ----------------------------------------------------------------

    def grade(self, version: QuestionVersion, response: Any) -> Result:
        """Full points when right, none otherwise (no partial credit in any type)."""
        right = self.is_answered(response) and self.is_right(version, response)
        return Result(version.points if right else Decimal(0), right)

    def is_right(self, version: QuestionVersion, response: Any) -> bool:
        raise NotImplementedError

    def explain(self, version: QuestionVersion) -> str:
        """The correct answer as text, for the review page only."""
        raise NotImplementedError

    def describe(self, version: QuestionVersion, response: Any) -> str:
        """The learner's response as text."""
        return "No answer" if not self.is_answered(response) else str(response)

    def problems(self, version: QuestionVersion, response: Any) -> list[str]:
        """Reasons this response cannot be handed in yet (besides being blank)."""
        return []


QUESTION_TYPES: dict[QuestionType, BaseQuestion] = {}


def register(cls: type[BaseQuestion]) -> type[BaseQuestion]:
    """Add a question type to the registry (one instance per type; types are stateless)."""
    QUESTION_TYPES[cls.type] = cls()
    return cls


def question_type(kind: QuestionType | QuestionVersion) -> BaseQuestion:
    """The question type of a version (or for a `QuestionType`)."""
    key = kind.type if isinstance(kind, QuestionVersion) else kind
    return QUESTION_TYPES[QuestionType(key)]


# -- choices ---------------------------------------------------------------------------------


def _choice_id(value: Any, choices: Choices) -> int:
    """The id of the choice the page's value names (an opaque name, never an id)."""
    if not isinstance(value, str) or not value.strip():
        raise ResponseError("Choose one of the listed answers.")
    choice_id = choices.get(value.strip())
    if choice_id is None:
        raise ResponseError("That answer is not one of this question's choices.")
    return choice_id


def _choice_texts(version: QuestionVersion, ids: Sequence[int]) -> list[str]:
    by_id = {choice.id: choice.text for choice in version.choices}
    return [by_id[choice_id] for choice_id in ids if choice_id in by_id]


def _correct_ids(version: QuestionVersion) -> set[int]:
    return {choice.id for choice in version.choices if choice.is_correct}


class _ChoiceQuestion(BaseQuestion):
    def render_context(
        self, version: QuestionVersion, choices: Choices, response: Any
    ) -> dict[str, Any]:
        selected = set(response if isinstance(response, list) else [response])
        texts = {choice.id: choice.text for choice in version.choices}
        return {
            "choices": [
                {"id": token, "text": texts[cid], "checked": cid in selected}
                for token, cid in choices.items()
                if cid in texts
            ]
        }

    def explain(self, version: QuestionVersion) -> str:
        ordered = [c.id for c in version.choices if c.is_correct]
        return "; ".join(_choice_texts(version, ordered))


@register
class SingleChoice(_ChoiceQuestion):
    type = QuestionType.SINGLE
    instruction = "Choose one answer."

    def parse(self, version: QuestionVersion, choices: Choices, value: Any) -> Any:
        if value is None or value == "":
            return None
        return _choice_id(value, choices)

    def is_right(self, version: QuestionVersion, response: Any) -> bool:
        return response in _correct_ids(version)

    def describe(self, version: QuestionVersion, response: Any) -> str:
        if response is None:
            return "No answer"
        return "; ".join(_choice_texts(version, [response]))


@register
class MultipleChoice(_ChoiceQuestion):
    type = QuestionType.MULTIPLE
    instruction = "Choose every answer that applies."

    def parse(self, version: QuestionVersion, choices: Choices, value: Any) -> Any:
        if value is None:
            return []
        if not isinstance(value, list):
            raise ResponseError("Send the chosen answers as a list.")
        return sorted({_choice_id(item, choices) for item in value})

    def parse_form(self, version: QuestionVersion, choices: Choices, values: list[str]) -> Any:
        return self.parse(version, choices, list(values))

    def is_right(self, version: QuestionVersion, response: Any) -> bool:
        return set(response) == _correct_ids(version)

    def describe(self, version: QuestionVersion, response: Any) -> str:
        if not response:
            return "No answer"
        ordered = [c.id for c in version.choices if c.id in set(response)]
        return "; ".join(_choice_texts(version, ordered))


@register
class TrueFalse(BaseQuestion):
    type = QuestionType.TRUE_FALSE
    instruction = "Choose true or false."
    WORDS: ClassVar[dict[str, bool]] = {"true": True, "false": False}

    def render_context(
        self, version: QuestionVersion, choices: Choices, response: Any
    ) -> dict[str, Any]:
        return {
            "choices": [
                {"id": "true", "text": "True", "checked": response is True},
                {"id": "false", "text": "False", "checked": response is False},
            ]
        }

    def parse(self, version: QuestionVersion, choices: Choices, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, str) and value.strip().lower() in self.WORDS:
            return self.WORDS[value.strip().lower()]
        if not isinstance(value, bool):
            raise ResponseError("Choose true or false.")
        return value

    def is_right(self, version: QuestionVersion, response: Any) -> bool:
        return response is bool(version.settings.get("answer"))

    def explain(self, version: QuestionVersion) -> str:
        return "True" if version.settings.get("answer") else "False"

    def describe(self, version: QuestionVersion, response: Any) -> str:
        return "No answer" if response is None else ("True" if response else "False")


# -- typed answers ---------------------------------------------------------------------------


def _text(value: Any, max_chars: int, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ResponseError(f"Type your {what} as text.")
    if len(value) > max_chars:
        raise ResponseError(
            f"Your {what} has {len(value):,} characters; the most this question takes is "
            f"{max_chars:,}. Shorten it and save again."
        )
    return value


def normalise_text(text: str) -> str:
    """For matching short answers: case ignored, runs of spaces collapsed, ends trimmed."""
    return " ".join(text.split()).casefold()


@register
class ShortAnswer(BaseQuestion):
    type = QuestionType.SHORT_ANSWER
    instruction = "Type a word or a short phrase."

    def parse(self, version: QuestionVersion, choices: Choices, value: Any) -> Any:
        text = _text(value, SHORT_ANSWER_MAX_CHARS, "answer")
        return (text or "").strip() or None

    def is_right(self, version: QuestionVersion, response: Any) -> bool:
        accepted = {normalise_text(a) for a in version.settings.get("accepted", [])}
        return normalise_text(response) in accepted

    def explain(self, version: QuestionVersion) -> str:
        return " or ".join(version.settings.get("accepted", []))


@register
class Numeric(BaseQuestion):
    type = QuestionType.NUMERIC
    instruction = "Type a number."

    def parse(self, version: QuestionVersion, choices: Choices, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ResponseError("Type a number, like 6 or 6.5.")
        text = str(value).strip()
        if not text:
            return None
        if len(text) > NUMBER_MAX_CHARS or not NUMBER.fullmatch(text):
            hint = " Use a point for decimals, like 6.5." if "," in text else ""
            raise ResponseError(f"“{text[:NUMBER_MAX_CHARS]}” is not a number.{hint}")
        number = Decimal(text)
        if number.adjusted() > MAX_DIGITS:
            raise ResponseError(f"“{text}” is too large a number.")
        return json_number(number)

    def is_right(self, version: QuestionVersion, response: Any) -> bool:
        answer = Decimal(str(version.settings.get("answer", 0)))
        tolerance = Decimal(str(version.settings.get("tolerance") or 0))
        return abs(Decimal(str(response)) - answer) <= tolerance

    def explain(self, version: QuestionVersion) -> str:
        answer = format_number(version.settings.get("answer", 0))
        tolerance = version.settings.get("tolerance") or 0
        return f"{answer} (± {format_number(tolerance)})" if tolerance else answer

    def describe(self, version: QuestionVersion, response: Any) -> str:
        return "No answer" if response is None else format_number(response)

    def render_context(
        self, version: QuestionVersion, choices: Choices, response: Any
    ) -> dict[str, Any]:
        return {"value": "" if response is None else format_number(response)}


def word_count(text: str | None) -> int:
    return len(text.split()) if text else 0


@register
class Essay(BaseQuestion):
    type = QuestionType.ESSAY
    instruction = "Write your answer. An instructor grades it."
    auto_graded = False

    def parse(self, version: QuestionVersion, choices: Choices, value: Any) -> Any:
        text = _text(value, ESSAY_MAX_CHARS, "answer")
        return text if text and text.strip() else None

    def render_context(
        self, version: QuestionVersion, choices: Choices, response: Any
    ) -> dict[str, Any]:
        return {
            "value": response or "",
            "words": word_count(response),
            "min_words": version.settings.get("min_words"),
            "max_words": version.settings.get("max_words"),
        }

    def grade(self, version: QuestionVersion, response: Any) -> Result:
        return Result(None, None)

    def explain(self, version: QuestionVersion) -> str:
        criteria = "; ".join(f"{c.title} ({points_text(c.points)})" for c in version.rubric)
        return f"There is no single right answer. An instructor grades it on: {criteria}."

    def problems(self, version: QuestionVersion, response: Any) -> list[str]:
        words = word_count(response)
        low, high = version.settings.get("min_words"), version.settings.get("max_words")
        if low and words < low:
            return [f"The answer has {words} words; write at least {low}."]
        if high and words > high:
            return [f"The answer has {words} words; keep it to {high} at most."]
        return []
