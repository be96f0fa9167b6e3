"""Pydantic models for course files, as specified in courses/README.md.

Unknown keys are errors everywhere (``extra="forbid"``). Validators raise
``PydanticCustomError`` whose context may carry a ``hint`` (how to fix it) and an ``at``
(the key, below the failing object, that the author should look at); the loader turns
both into a :class:`~lms.content.loader.Problem`.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_HINT = "use lowercase letters, digits and single hyphens, e.g. set-and-setting"
#: The database's column sizes: longer text would be refused by PostgreSQL at sync time.
MAX_SLUG = 100
MAX_SHORT_TEXT = 200


def _slug(value: str) -> str:
    if not SLUG_RE.fullmatch(value):
        raise PydanticCustomError(
            "slug", "'{value}' is not a valid slug", {"value": value, "hint": SLUG_HINT}
        )
    if len(value) > MAX_SLUG:
        raise PydanticCustomError(
            "slug_too_long",
            "the slug is {length} characters long; the most is {most}",
            {"length": len(value), "most": MAX_SLUG, "hint": "use a shorter slug"},
        )
    return value


def _text(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "is empty", {"hint": "write some text here"})
    return value


def _short(value: str) -> str:
    if len(value) > MAX_SHORT_TEXT:
        raise PydanticCustomError(
            "too_long",
            "is {length} characters long; the most is {most}",
            {"length": len(value), "most": MAX_SHORT_TEXT, "hint": "shorten it"},
        )
    return value


Slug = Annotated[str, AfterValidator(_slug)]
Text = Annotated[str, AfterValidator(_text)]
#: Titles, audiences, sources and rubric criteria: at most MAX_SHORT_TEXT characters.
ShortText = Annotated[str, AfterValidator(_text), AfterValidator(_short)]


class _Model(BaseModel):
    # strict: YAML already gives typed values, so `points: true` or `answer: "6"` are mistakes
    model_config = ConfigDict(extra="forbid", strict=True)


# --- course.yml -------------------------------------------------------------------------------


class Completion(_Model):
    lessons: Literal["all", "none"] = "all"
    quizzes: Literal["all", "none"] | list[str] = "all"

    @field_validator("quizzes", mode="plain")
    @classmethod
    def _quizzes(cls, value: Any) -> Literal["all", "none"] | list[str]:
        hint = "write 'all', 'none', or a list of quiz slugs, one per line starting with '- '"
        if value == "all" or value == "none":
            return "all" if value == "all" else "none"
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            for slug in value:
                _slug(slug)
            return list(value)
        raise PydanticCustomError(
            "completion_quizzes",
            "'quizzes' must be all, none or a list of quiz slugs",
            {"hint": hint},
        )


class CourseFile(_Model):
    slug: Slug
    title: ShortText
    track: Literal["self-paced", "cohort"]
    audience: ShortText
    summary: Text
    description: str | None = None
    estimated_hours: float = Field(gt=0)
    ce_hours: float = Field(ge=0)
    sequential: bool = False
    completion: Completion = Field(default_factory=Completion)
    disclaimer: Text
    sources: list[Text]
    modules: list[str] = Field(min_length=1)


# --- module.yml -------------------------------------------------------------------------------


class ModuleFile(_Model):
    slug: Slug
    title: ShortText
    summary: str | None = None
    week: int | None = Field(default=None, ge=1)
    release_after_days: int | None = Field(default=None, ge=0)
    items: list[str] = Field(min_length=1)


# --- lessons ----------------------------------------------------------------------------------


class LessonMeta(_Model):
    title: ShortText
    slug: Slug
    minutes: int = Field(ge=1, le=60)
    kind: Literal["lesson", "live-session"] = "lesson"
    objectives: list[Text] = Field(min_length=1)


# --- quizzes ----------------------------------------------------------------------------------


class Choice(_Model):
    text: Text
    correct: bool = False
    feedback: str | None = None


class RubricCriterion(_Model):
    criterion: ShortText
    points: int = Field(ge=1)
    description: str | None = None


class _Question(_Model):
    type: str  # narrowed to a Literal by each question type
    slug: Slug
    prompt: Text
    points: int = Field(default=1, ge=1)
    feedback: Text
    source: ShortText
    objective: Slug | None = None  # a course objective's id (main adds course objectives)

    @property
    def max_points(self) -> int:
        return self.points

    def content_hash(self) -> str:
        """sha256 of a canonical JSON of the question; changes whenever the question does."""
        data = self.model_dump(mode="json", exclude_defaults=True)
        data["type"] = self.type  # kept even though it is a default
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _check_choices(choices: list[Choice], kind: str, exactly_one: bool) -> list[Choice]:
    if len(choices) < 2:
        raise PydanticCustomError(
            "choices_too_few",
            "a {kind} question needs at least 2 choices, but has {count}",
            {"kind": kind, "count": len(choices), "hint": "add choices as '- text: ...' entries"},
        )
    correct = sum(1 for c in choices if c.correct)
    if correct == 0:
        raise PydanticCustomError(
            "choices_no_correct",
            "no choice is marked correct",
            {"kind": kind, "hint": "mark the right answer with 'correct: true'"},
        )
    if exactly_one and correct > 1:
        raise PydanticCustomError(
            "choices_many_correct",
            "{count} choices are marked correct; a single-choice question needs exactly one",
            {
                "count": correct,
                "hint": "keep 'correct: true' on one choice only, "
                "or use 'type: multiple' if several answers are right",
            },
        )
    return choices


class SingleChoiceQuestion(_Question):
    type: Literal["single"] = "single"
    choices: list[Choice]

    @field_validator("choices")
    @classmethod
    def _choices(cls, value: list[Choice]) -> list[Choice]:
        return _check_choices(value, "single-choice", exactly_one=True)


class MultipleChoiceQuestion(_Question):
    type: Literal["multiple"] = "multiple"
    choices: list[Choice]

    @field_validator("choices")
    @classmethod
    def _choices(cls, value: list[Choice]) -> list[Choice]:
        return _check_choices(value, "multiple-choice", exactly_one=False)


class TrueFalseQuestion(_Question):
    type: Literal["true_false"] = "true_false"
    answer: bool


class ShortAnswerQuestion(_Question):
    type: Literal["short_answer"] = "short_answer"
    accepted: list[Text] = Field(min_length=1)


class NumericQuestion(_Question):
    type: Literal["numeric"] = "numeric"
    answer: float
    tolerance: float = Field(default=0, ge=0)


class EssayQuestion(_Question):
    type: Literal["essay"] = "essay"
    points: int | None = Field(default=None, ge=1)  # type: ignore[assignment]
    rubric: list[RubricCriterion] = Field(min_length=1)
    min_words: int | None = Field(default=None, ge=0)
    max_words: int | None = Field(default=None, ge=1)

    @property
    def max_points(self) -> int:
        return sum(c.points for c in self.rubric)

    @model_validator(mode="after")
    def _consistent(self) -> EssayQuestion:
        total = sum(c.points for c in self.rubric)
        if self.points is not None and self.points != total:
            raise PydanticCustomError(
                "essay_points",
                "the essay's points ({points}) differ from its rubric total ({total})",
                {
                    "points": self.points,
                    "total": total,
                    "at": "points",
                    "hint": "remove 'points' (an essay is worth its rubric total) "
                    "or make the rubric points add up to it",
                },
            )
        if (
            self.min_words is not None
            and self.max_words is not None
            and self.min_words > self.max_words
        ):
            raise PydanticCustomError(
                "essay_words",
                "min_words ({min}) is more than max_words ({max})",
                {
                    "min": self.min_words,
                    "max": self.max_words,
                    "at": "max_words",
                    "hint": "make max_words at least as large as min_words",
                },
            )
        return self


Question = Annotated[
    SingleChoiceQuestion
    | MultipleChoiceQuestion
    | TrueFalseQuestion
    | ShortAnswerQuestion
    | NumericQuestion
    | EssayQuestion,
    Field(discriminator="type"),
]

QUESTION_TYPES: tuple[str, ...] = (
    "single",
    "multiple",
    "true_false",
    "short_answer",
    "numeric",
    "essay",
)


class ReviewPolicy(_Model):
    results: bool = True
    feedback: bool = True
    # courses/README.md gives no default; "after_pass" never gives answers away to a
    # learner who has not passed yet.
    correct_answers: Literal["never", "after_submit", "after_pass", "after_last_attempt"] = (
        "after_pass"
    )


class QuizFile(_Model):
    slug: Slug
    title: ShortText
    description: str | None = None
    pass_mark: int = Field(ge=0, le=100)
    attempts: int | None = Field(default=None, ge=1)
    time_limit_minutes: int | None = Field(default=None, ge=1)
    shuffle: bool = False
    score_rule: Literal["best", "last"] = "best"
    review: ReviewPolicy = Field(default_factory=ReviewPolicy)
    questions: list[Question] = Field(min_length=1)

    @property
    def max_points(self) -> int:
        return sum(q.max_points for q in self.questions)


AnyQuestion = (
    SingleChoiceQuestion
    | MultipleChoiceQuestion
    | TrueFalseQuestion
    | ShortAnswerQuestion
    | NumericQuestion
    | EssayQuestion
)
