"""A graded essay's rubric as the learner reads it: each criterion, its description, the
points given out of its maximum and, when the course file describes the rubric's levels,
every level with the one reached marked (as Canvas, Moodle and Open edX show a rubric).

Learners see it only once the grade is released (`released_rubrics`); instructors see it
on the learner's record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.database import session
from lms.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Grade,
    GradeStatus,
    QuestionVersion,
    RubricCriterion,
)


@dataclass(frozen=True)
class Level:
    score: Decimal
    description: str
    reached: bool


@dataclass(frozen=True)
class RubricLine:
    criterion: str
    description: str
    #: None when the grade has no score for this criterion (a rubric edited since).
    score: Decimal | None
    points: Decimal
    #: The criterion's levels, lowest first (empty when the course file gives none).
    levels: list[Level]

    @property
    def level(self) -> Level | None:
        """The level the score reached."""
        return next((level for level in self.levels if level.reached), None)


def as_decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def criterion_levels(criterion: RubricCriterion, score: Decimal | None) -> list[Level]:
    """The level descriptors of a criterion (course files: `levels: {0: "...", 1: ...}`),
    the one equal to `score` marked as reached.

    Read from `criterion.levels` ({score: text}, keys as numbers or as text, as JSON keeps
    them) when the loaded content has them; a criterion without levels has none.
    """
    raw: Mapping[Any, Any] | None = getattr(criterion, "levels", None)
    if not isinstance(raw, Mapping):
        return []
    levels = []
    for key, text in raw.items():
        value = as_decimal(key)
        if value is None or not isinstance(text, str) or not text.strip():
            continue
        levels.append(Level(value, text.strip(), score is not None and value == score))
    return sorted(levels, key=lambda level: level.score)


def rubric_lines(version: QuestionVersion, grade: Grade) -> list[RubricLine]:
    """The rubric of `version` with the points `grade` gave each criterion."""
    scores = grade.criterion_scores or {}
    lines = []
    for criterion in version.rubric:
        score = as_decimal(scores.get(str(criterion.id)))
        lines.append(
            RubricLine(
                criterion.title,
                criterion.description,
                score,
                criterion.points,
                criterion_levels(criterion, score),
            )
        )
    return lines


def released_rubrics(attempt: Attempt) -> dict[int, list[RubricLine]]:
    """The attempt's essays with a released grade, by question number on the review page:
    their rubric scores (one query). Nothing for a draft grade or an attempt in progress."""
    if attempt.status is AttemptStatus.IN_PROGRESS or not attempt.layout:
        return {}
    answers = session.scalars(
        sa.select(Answer)
        .join(Grade, Grade.answer_id == Answer.id)
        .where(Answer.attempt_id == attempt.id, Grade.status == GradeStatus.RELEASED)
        .options(
            so.contains_eager(Answer.grade),
            so.selectinload(Answer.question_version).selectinload(QuestionVersion.rubric),
        )
    ).all()
    by_version = {answer.question_version_id: answer for answer in answers}
    found = {}
    for number, item in enumerate(attempt.layout, start=1):
        answer = by_version.get(int(item["version_id"]))
        if answer is not None and answer.grade is not None and answer.question_version.rubric:
            found[number] = rubric_lines(answer.question_version, answer.grade)
    return found


def record_rubrics(answers: Sequence[Answer]) -> dict[int, list[RubricLine]]:
    """For the learner's record: the rubric scores of each answer with a released grade,
    by answer id (the answers' versions and rubrics already loaded)."""
    return {
        answer.id: rubric_lines(answer.question_version, answer.grade)
        for answer in answers
        if answer.grade is not None
        and answer.grade.status is GradeStatus.RELEASED
        and answer.question_version.rubric
    }
