"""Reading the grading screen's form: a score per rubric criterion, feedback, a reason
(for a regrade) and the grade's version; and the short forms to return or resubmit.

Scores are whole or half points from 0 to the criterion's maximum; anything else is a
message next to its field, never an exception. Nothing here touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lms.models import Grade, QuestionVersion
from lms.text import format_number

FEEDBACK_MAX_CHARS = 10_000
REASON_MAX_CHARS = 1_000
NOTE_MAX_CHARS = 5_000
SCORE = re.compile(r"\d{1,6}(\.\d{1,2})?|\.\d{1,2}")
STEP = Decimal("0.5")
ACTIONS = ("draft", "release", "next")


def clean_text(value: str | None) -> str:
    """Typed text as stored: Windows line ends made plain, NUL characters (which PostgreSQL
    text cannot hold) dropped."""
    return (value or "").replace("\r\n", "\n").replace("\x00", "")


@dataclass(frozen=True)
class Criterion:
    """One line of the rubric, as the form shows it (key: the criterion id as text)."""

    key: str
    title: str
    description: str
    points: Decimal

    @property
    def field_name(self) -> str:
        return f"criterion-{self.key}"


def criteria_of(version: QuestionVersion) -> list[Criterion]:
    """The rubric's criteria; a question without one is scored as a whole."""
    if not version.rubric:
        return [Criterion("score", "Score", "", version.points)]
    return [Criterion(str(c.id), c.title, c.description, c.points) for c in version.rubric]


def parse_score(raw: str, criterion: Criterion) -> tuple[Decimal | None, str | None]:
    """(points, None) or (None, a message for the instructor)."""
    text = raw.strip()
    name = criterion.title
    most = format_number(criterion.points)
    if not text:
        return None, f"{name}: give a score from 0 to {most}."
    if text.startswith("-"):
        return None, f"{name}: a score cannot be negative; give 0 to {most}."
    if not SCORE.fullmatch(text):
        hint = " Use a point for halves, like 2.5." if "," in text else ""
        return None, f"{name}: “{text[:20]}” is not a number of points.{hint}"
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already rules it out
        return None, f"{name}: “{text[:20]}” is not a number of points."
    if value > criterion.points:
        return None, f"{name}: at most {most} points (you gave {format_number(value)})."
    if value % STEP:
        return None, f"{name}: use whole or half points, like 2 or 2.5."
    return value, None


@dataclass
class GradeForm:
    """What the grading form holds: as typed (to show again) and as parsed."""

    criteria: list[Criterion]
    raw: dict[str, str] = field(default_factory=dict)  # criterion key -> text
    feedback: str = ""
    reason: str = ""
    version: int = 0
    action: str = "draft"
    scores: dict[str, Decimal] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # field name -> message

    @property
    def total(self) -> Decimal | None:
        """The total of the parsed scores (None while any is missing or wrong)."""
        if len(self.scores) != len(self.criteria):
            return None
        return sum(self.scores.values(), Decimal(0))

    @property
    def max_total(self) -> Decimal:
        return sum((c.points for c in self.criteria), Decimal(0))

    @property
    def criterion_scores(self) -> dict[str, str]:
        """For `Grade.criterion_scores` (JSON): points as text, exact."""
        return {key: format_number(value) for key, value in self.scores.items()}

    @classmethod
    def for_grade(cls, criteria: Sequence[Criterion], grade: Grade | None) -> GradeForm:
        """The form filled with a saved grade (empty when there is none)."""
        form = cls(list(criteria))
        if grade is None:
            return form
        form.version = grade.version
        form.feedback = grade.feedback
        saved = grade.criterion_scores or {}
        for criterion in criteria:
            if criterion.key in saved:
                value = Decimal(str(saved[criterion.key]))
                form.raw[criterion.key] = format_number(value)
                form.scores[criterion.key] = value
        if criteria and criteria[0].key == "score" and not saved:
            form.raw["score"] = format_number(grade.score)
            form.scores["score"] = grade.score
        return form

    @classmethod
    def parse(
        cls, criteria: Sequence[Criterion], data: Mapping[str, str], *, released: bool
    ) -> GradeForm:
        form = cls(list(criteria))
        for criterion in criteria:
            raw = data.get(criterion.field_name) or ""
            form.raw[criterion.key] = raw[:40]
            value, error = parse_score(raw, criterion)
            if error:
                form.errors[criterion.field_name] = error
            else:
                assert value is not None
                form.scores[criterion.key] = value
        form.feedback = clean_text(data.get("feedback"))
        if len(form.feedback) > FEEDBACK_MAX_CHARS:
            form.errors["feedback"] = (
                f"The feedback has {len(form.feedback):,} characters; the most is "
                f"{FEEDBACK_MAX_CHARS:,}. Shorten it and save again."
            )
        form.reason = clean_text(data.get("reason")).strip()
        if released and not form.reason:
            form.errors["reason"] = (
                "This grade is already released: say why you are changing it (the learner's "
                "record keeps the reason)."
            )
        elif len(form.reason) > REASON_MAX_CHARS:
            form.errors["reason"] = f"Keep the reason to {REASON_MAX_CHARS:,} characters."
        version = (data.get("version") or "").strip()
        if version.isascii() and version.isdigit() and len(version) < 10:
            form.version = int(version)
        else:
            form.errors["version"] = "This form is out of date: reload the page and grade again."
        action = data.get("action") or "draft"
        if action not in ACTIONS:
            form.errors["action"] = "Choose Save draft, Save and release or Save and next."
        form.action = action if action in ACTIONS else "draft"
        return form


def parse_note(data: Mapping[str, str]) -> tuple[str, str | None]:
    """The note that goes with an essay returned for revision: (note, error)."""
    note = clean_text(data.get("note")).strip()
    if not note:
        return note, "Write a note telling the learner what to revise."
    if len(note) > NOTE_MAX_CHARS:
        return note, f"Keep the note to {NOTE_MAX_CHARS:,} characters (it has {len(note):,})."
    return note, None
