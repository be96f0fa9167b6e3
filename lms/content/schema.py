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
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from lms.ce.details import NO_RELATIONSHIPS
from lms.quizzes import policy

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


class Person(_Model):
    """A planner or faculty member, with their disclosure."""

    name: ShortText
    role: ShortText
    relationships: Text
    mitigation: str | None = None

    @property
    def has_relationships(self) -> bool:
        return not NO_RELATIONSHIPS.match(self.relationships)

    @model_validator(mode="after")
    def _mitigated(self) -> Person:
        if self.has_relationships and not (self.mitigation or "").strip():
            raise PydanticCustomError(
                "mitigation_missing",
                "{name} has relevant financial relationships but no mitigation",
                {
                    "name": self.name,
                    "at": "mitigation",
                    "hint": "say how the relationships were mitigated (mitigation: ...), "
                    "or write 'relationships: No relevant financial relationships'",
                },
            )
        return self


class Credit(_Model):
    type: ShortText
    amount: float = Field(gt=0)


class CEBlock(_Model):
    """Continuing-education details of a credit-bearing course: who provides it, the
    disclosure learners acknowledge, and the credit it carries."""

    provider: ShortText
    accreditation_statement: Text
    release_date: date
    expiry_date: date
    finish_after_expiry: bool = True
    min_time_fraction: float = Field(default=0.5, ge=0, le=1)
    credits: list[Credit] = Field(min_length=1)
    live_hours: float | None = Field(default=None, ge=0)
    home_study_hours: float | None = Field(default=None, ge=0)
    planners: list[Person] = Field(min_length=1)
    faculty: list[Person] = Field(default_factory=list)
    information: str | None = None

    @model_validator(mode="after")
    def _dates(self) -> CEBlock:
        if self.expiry_date <= self.release_date:
            raise PydanticCustomError(
                "ce_dates",
                "the expiry date ({expiry}) is not after the release date ({release})",
                {
                    "expiry": self.expiry_date.isoformat(),
                    "release": self.release_date.isoformat(),
                    "at": "expiry_date",
                    "hint": "a course expires after it is released: check both dates",
                },
            )
        return self


class CourseFile(_Model):
    slug: Slug
    title: ShortText
    track: Literal["self-paced", "cohort"]
    audience: ShortText
    instructional_level: ShortText | None = None
    summary: Text
    description: str | None = None
    estimated_hours: float = Field(gt=0)
    ce_hours: float = Field(ge=0)
    ce: CEBlock | None = None
    objectives: dict[Slug, Text] | None = None
    sequential: bool = False
    completion: Completion = Field(default_factory=Completion)
    disclaimer: Text
    sources: list[Text]
    pages: list[str] = Field(default_factory=list)
    modules: list[str] = Field(min_length=1)
    #: The course's picture (catalogue and dashboard cards): a file in the course folder,
    #: and what it shows, for people who cannot see it.
    image: str | None = None
    image_alt: ShortText | None = None

    @model_validator(mode="after")
    def _image_has_alt(self) -> CourseFile:
        if self.image is not None and self.image_alt is None:
            raise PydanticCustomError(
                "image_alt",
                "the course has an image but no 'image_alt'",
                {
                    "at": "image",
                    "hint": "add image_alt: a sentence saying what the picture shows",
                },
            )
        if self.image_alt is not None and self.image is None:
            raise PydanticCustomError(
                "image_missing",
                "'image_alt' describes an image, but the course has no 'image'",
                {"at": "image_alt", "hint": "add image: the picture's file name, or remove it"},
            )
        return self

    @model_validator(mode="after")
    def _credit(self) -> CourseFile:
        if self.ce_hours > 0 and self.ce is None:
            raise PydanticCustomError(
                "ce_missing",
                "the course gives {hours} CE hours but has no 'ce' block (provider, "
                "disclosure, accreditation statement, credit types, dates)",
                {
                    "hours": _number(self.ce_hours),
                    "at": "ce_hours",
                    "hint": "add a 'ce:' block (see courses/README.md), or set ce_hours: 0",
                },
            )
        if self.ce is None:
            return self
        for credit in self.ce.credits:
            if credit.amount > self.ce_hours:
                raise PydanticCustomError(
                    "credit_amount",
                    "{type}: {amount} is more than the course's ce_hours ({hours})",
                    {
                        "type": credit.type,
                        "amount": _number(credit.amount),
                        "hours": _number(self.ce_hours),
                        "at": "ce",
                        "hint": "no credit type can carry more than the course's hours",
                    },
                )
        live, home = self.ce.live_hours, self.ce.home_study_hours
        if (live is not None or home is not None) and abs(
            (live or 0) + (home or 0) - self.ce_hours
        ) > 0.005:
            raise PydanticCustomError(
                "ce_split",
                "live_hours ({live}) and home_study_hours ({home}) add up to {total}, "
                "not the course's ce_hours ({hours})",
                {
                    "live": _number(live or 0),
                    "home": _number(home or 0),
                    "total": _number((live or 0) + (home or 0)),
                    "hours": _number(self.ce_hours),
                    "at": "ce",
                    "hint": "report every credited hour once, as live or as home study",
                },
            )
        return self


def _number(value: float) -> str:
    return f"{value:g}"


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
    #: Live sessions: the session's own length, counted in the course's expected time.
    session_minutes: int | None = Field(default=None, ge=1, le=600)
    objectives: list[Text] = Field(min_length=1)

    @model_validator(mode="after")
    def _session(self) -> LessonMeta:
        if self.session_minutes is not None and self.kind != "live-session":
            raise PydanticCustomError(
                "session_minutes",
                "session_minutes is for live-session pages only",
                {"at": "session_minutes", "hint": "remove it, or set kind: live-session"},
            )
        return self


class PageMeta(_Model):
    """A course-level page (references, glossary): no progress, no hours."""

    title: ShortText
    slug: Slug


# --- quizzes ----------------------------------------------------------------------------------


class Choice(_Model):
    text: Text
    correct: bool = False
    feedback: str | None = None


class RubricCriterion(_Model):
    criterion: ShortText
    points: int = Field(ge=1)
    description: str | None = None
    #: What each score means, for every score from 0 to `points`.
    levels: dict[int, Text] | None = None

    @model_validator(mode="after")
    def _levels(self) -> RubricCriterion:
        if self.levels is None:
            return self
        expected = set(range(self.points + 1))
        if set(self.levels) != expected:
            missing = sorted(expected - set(self.levels))
            extra = sorted(set(self.levels) - expected)
            detail = []
            if missing:
                detail.append("no descriptor for " + ", ".join(map(str, missing)))
            if extra:
                detail.append(f"scores outside 0 to {self.points}: " + ", ".join(map(str, extra)))
            raise PydanticCustomError(
                "rubric_levels",
                "the levels of '{criterion}' do not match its points: {detail}",
                {
                    "criterion": self.criterion,
                    "detail": "; ".join(detail),
                    "at": "levels",
                    "hint": f"describe every score from 0 to {self.points}, one per line",
                },
            )
        return self


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
    #: Writing time, counted in the course's expected time.
    minutes: int | None = Field(default=None, ge=1, le=600)

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


Shown = Literal["after_each_attempt", "after_passing_or_last_attempt", "never"]


class ReviewPolicy(_Model):
    """What a learner sees of a submitted attempt, and when."""

    score: Shown = "after_each_attempt"
    #: Which questions were right.
    correctness: Shown = "after_each_attempt"
    #: The correct answers. The default never gives answers away before a pass or the end.
    answers: Shown = "after_passing_or_last_attempt"
    #: Per-question (and per-choice) feedback, which often states the answer.
    feedback: Shown = "after_passing_or_last_attempt"

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data: Any) -> Any:
        """Read the first version's keys (results, feedback: true/false, correct_answers)."""
        return policy.upgrade_legacy(data) if isinstance(data, dict) else data


class QuizFile(_Model):
    slug: Slug
    title: ShortText
    description: str | None = None
    pass_mark: int = Field(ge=0, le=100)
    attempts: int | None = Field(default=None, ge=1)
    time_limit_minutes: int | None = Field(default=None, ge=1)
    #: Stated time for the course's expected time (default: a minute a question).
    minutes: int | None = Field(default=None, ge=1, le=600)
    shuffle: bool = False
    score_rule: Literal["best", "last"] = "best"
    #: A final assessment: its feedback may never show before its answers.
    summative: bool = False
    #: Questions per attempt, drawn from the pool in the same proportion per objective.
    draw: int | None = Field(default=None, ge=1)
    #: How many times an essay can be returned for revision (None: no limit).
    resubmissions: int | None = Field(default=None, ge=0, le=10)
    review: ReviewPolicy = Field(default_factory=ReviewPolicy)
    questions: list[Question] = Field(min_length=1)

    @property
    def max_points(self) -> int:
        return sum(q.max_points for q in self.questions)

    @property
    def questions_per_attempt(self) -> int:
        return min(self.draw, len(self.questions)) if self.draw else len(self.questions)

    @model_validator(mode="after")
    def _consistent(self) -> QuizFile:
        if self.draw is not None and self.draw > len(self.questions):
            raise PydanticCustomError(
                "draw_too_many",
                "draw is {draw} but the quiz has only {count}",
                {
                    "draw": self.draw,
                    "count": f"{len(self.questions)} question"
                    + ("" if len(self.questions) == 1 else "s"),
                    "at": "draw",
                    "hint": "draw at most as many questions as the pool holds",
                },
            )
        review = self.review
        if self.summative and policy.EARLINESS[review.feedback] < policy.EARLINESS[review.answers]:
            raise PydanticCustomError(
                "summative_feedback",
                "this summative quiz shows feedback ({feedback}) before the answers "
                "({answers}): feedback that states an answer would give it away",
                {
                    "feedback": review.feedback,
                    "answers": review.answers,
                    "at": "review",
                    "hint": "set review.feedback to the same as review.answers, or later",
                },
            )
        return self


# --- evaluations (*.evaluation.yml) --------------------------------------------------------------


class _EvaluationQuestion(_Model):
    type: str
    slug: Slug
    prompt: Text
    required: bool = True


class LikertQuestion(_EvaluationQuestion):
    """Agreement on a five-point scale, Strongly disagree to Strongly agree."""

    type: Literal["likert"] = "likert"


class OptionQuestion(_EvaluationQuestion):
    type: Literal["single"] = "single"
    options: list[ShortText] = Field(min_length=2)


class TextQuestion(_EvaluationQuestion):
    type: Literal["text"] = "text"


EvaluationQuestion = Annotated[
    LikertQuestion | OptionQuestion | TextQuestion, Field(discriminator="type")
]
EVALUATION_TYPES: tuple[str, ...] = ("likert", "single", "text")


class EvaluationFile(_Model):
    slug: Slug
    title: ShortText
    description: str | None = None
    minutes: int = Field(default=5, ge=1, le=120)
    questions: list[EvaluationQuestion] = Field(min_length=1)


AnyQuestion = (
    SingleChoiceQuestion
    | MultipleChoiceQuestion
    | TrueFalseQuestion
    | ShortAnswerQuestion
    | NumericQuestion
    | EssayQuestion
)
