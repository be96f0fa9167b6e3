"""Statuses of lessons, quizzes, modules and courses, from a learner's records.

Pure functions over rows already loaded, so one page can compute a whole course outline
with a fixed number of queries.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from lms.models import Attempt, AttemptStatus, LessonProgress, Quiz, ScoreRule
from lms.text import plural


class ReadingRow(NamedTuple):
    """The columns of a `LessonProgress` that outlines read (instructors' batch loads)."""

    lesson_id: int
    last_seen_at: datetime
    completed_at: datetime | None
    active_seconds: int


class AttemptRow(NamedTuple):
    """The columns of an `Attempt` that quiz statuses read (instructors' batch loads)."""

    id: int
    quiz_id: int
    number: int
    status: AttemptStatus
    score: Decimal | None
    max_score: Decimal
    passed: bool | None


class Status(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    AWAITING_GRADING = "awaiting_grading"
    PASSED = "passed"
    #: Not passed, and attempts remain.
    NOT_PASSED_YET = "not_passed_yet"
    #: Not passed, and no attempt remains.
    FAILED = "failed"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def done(self) -> bool:
        return self in (Status.PASSED, Status.COMPLETE)


def quiz_status_label(status: Status, attempts_left: int | None) -> str:
    """A quiz's status as the learner reads it: "Not passed yet, 1 attempt left"."""
    if status is Status.NOT_PASSED_YET and attempts_left:
        return f"{status.label}, {plural(attempts_left, 'attempt')} left"
    return status.label


def lesson_status(progress: LessonProgress | ReadingRow | None) -> Status:
    if progress is None:
        return Status.NOT_STARTED
    return Status.COMPLETE if progress.completed_at else Status.IN_PROGRESS


@dataclass(frozen=True)
class QuizState:
    """Where a learner stands with one quiz."""

    status: Status
    attempts_used: int
    attempts_left: int | None  # None: unlimited
    #: The counted score in percent (best or last graded attempt, per the quiz's rule).
    score_percent: Decimal | None
    open_attempt: Attempt | AttemptRow | None

    @property
    def label(self) -> str:
        return quiz_status_label(self.status, self.attempts_left)

    @property
    def has_submitted(self) -> bool:
        """At least one attempt has been handed in (whatever its result)."""
        return self.attempts_used > (1 if self.open_attempt else 0)


def percent(score: Decimal | None, max_score: Decimal | None) -> Decimal | None:
    if score is None or not max_score:
        return None
    return (Decimal(score) * 100 / Decimal(max_score)).quantize(Decimal("0.1"))


@functools.cache
def _not_started(max_attempts: int | None) -> QuizState:
    return QuizState(Status.NOT_STARTED, 0, max_attempts, None, None)


def quiz_state(quiz: Quiz, attempts: Sequence[Attempt | AttemptRow]) -> QuizState:
    """The status of a quiz from the learner's attempts at it (any order)."""
    if not attempts:  # most cells of a gradebook
        return _not_started(quiz.max_attempts)
    attempts = sorted(attempts, key=lambda a: a.number)
    open_attempt = next((a for a in attempts if a.status is AttemptStatus.IN_PROGRESS), None)
    graded = [a for a in attempts if a.status is AttemptStatus.GRADED]
    awaiting = any(a.status is AttemptStatus.AWAITING_GRADING for a in attempts)
    left = None if quiz.max_attempts is None else max(quiz.max_attempts - len(attempts), 0)

    counted: Attempt | AttemptRow | None = None
    if graded:
        if quiz.score_rule is ScoreRule.LAST:
            counted = graded[-1]
        else:
            counted = max(graded, key=lambda a: (bool(a.passed), a.score or 0))
    if counted is not None and counted.passed:
        status = Status.PASSED
    elif open_attempt is not None:
        status = Status.IN_PROGRESS
    elif awaiting:
        status = Status.AWAITING_GRADING
    elif counted is not None:
        status = Status.FAILED if left == 0 else Status.NOT_PASSED_YET
    else:
        status = Status.NOT_STARTED
    return QuizState(
        status=status,
        attempts_used=len(attempts),
        attempts_left=left,
        score_percent=percent(counted.score, counted.max_score) if counted else None,
        open_attempt=open_attempt,
    )
