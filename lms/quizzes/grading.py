"""Scores: grading a submitted attempt, finalising it once essays are graded, and where a
learner stands with a quiz.

An attempt's score and pass/fail are final only when its status is GRADED: at submit for
quizzes without essays, otherwise once every essay answer has a released `Grade`
(`finalise_attempt`, which the instructors' grading pages call after releasing grades).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from lms.database import session
from lms.learning.status import Status, percent, quiz_state, quiz_status_label
from lms.models import (
    Answer,
    Attempt,
    AttemptStatus,
    GradeStatus,
    Profile,
    QuestionVersion,
    Quiz,
)
from lms.quizzes import attempt_graded, attempt_scored
from lms.quizzes.types import question_type


class GradingError(ValueError):
    """An attempt cannot be graded as asked; the message says why."""


def passes(score: Decimal, max_score: Decimal, pass_mark: int) -> bool:
    """Whether `score` out of `max_score` reaches `pass_mark` percent (exact, no rounding)."""
    if max_score <= 0:
        return True
    return Decimal(score) * 100 >= Decimal(pass_mark) * Decimal(max_score)


def score_submission(
    attempt: Attempt, versions: Sequence[QuestionVersion], answers: Mapping[int, Answer]
) -> None:
    """Grade a just-submitted attempt's auto-graded answers and set its totals (flushes).

    Every question of the layout gets an `Answer` row (blank if the learner skipped it), so
    instructors and the review see every question. With an essay the attempt waits for
    grading: its `score` and `passed` stay None until `finalise_attempt`.
    """
    total = Decimal(0)
    waits_for_instructor = False
    for version in versions:
        answer = answers.get(version.id)
        if answer is None:
            answer = Answer(attempt_id=attempt.id, question_version_id=version.id, response=None)
            session.add(answer)
        kind = question_type(version)
        if not kind.auto_graded:
            waits_for_instructor = True
            continue
        result = kind.grade(version, answer.response)
        answer.score, answer.is_correct = result.score, result.is_correct
        total += result.score or 0
    attempt.max_score = sum((v.points for v in versions), Decimal(0))
    if waits_for_instructor:
        attempt.status = AttemptStatus.AWAITING_GRADING
        attempt.score = attempt.passed = None
    else:
        attempt.status = AttemptStatus.GRADED
        attempt.score = total
        attempt.passed = passes(total, attempt.max_score, attempt.quiz.pass_mark)
    session.flush()
    session.expire(attempt, ["answers"])


def finalise_attempt(attempt: Attempt) -> bool:
    """Make a submitted attempt's score final once all its essays have released grades.

    Copies each released grade's score onto its answer, totals the attempt, decides
    pass/fail and sets status GRADED (flushes; the caller commits). Returns False, changing
    nothing, while any essay answer lacks a released grade. Safe to call again after a
    regrade: the total is recomputed from the grades.
    """
    if attempt.status is AttemptStatus.IN_PROGRESS:
        raise GradingError("This attempt has not been submitted yet, so it cannot be graded.")
    answers = list(
        session.scalars(
            sa.select(Answer)
            .where(Answer.attempt_id == attempt.id)
            .execution_options(populate_existing=True)
        )
    )
    essays = [a for a in answers if not question_type(a.question_version).auto_graded]
    for answer in essays:
        grade = answer.grade
        if grade is None or grade.status is not GradeStatus.RELEASED:
            return False
        points = answer.question_version.points
        if not Decimal(0) <= grade.score <= points:
            raise GradingError(
                f"A grade of {grade.score} is outside 0 to {points} points for this question."
            )
    for answer in essays:
        assert answer.grade is not None
        answer.score = answer.grade.score
    total = sum((a.score or Decimal(0) for a in answers), Decimal(0))
    was_graded = attempt.status is AttemptStatus.GRADED
    attempt.score = total
    attempt.passed = passes(total, attempt.max_score, attempt.quiz.pass_mark)
    attempt.status = AttemptStatus.GRADED
    session.flush()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not was_graded:
        attempt_graded.send(app, attempt=attempt)
    attempt_scored.send(app, attempt=attempt)
    return True


@dataclass(frozen=True)
class QuizOutcome:
    """Where a learner stands with one quiz, for the quiz page, progress and dashboards."""

    status: Status  # not_started, in_progress, awaiting_grading, passed, not passed (yet)
    attempts_used: int
    attempts_left: int | None  # None: unlimited
    #: The score that counts (best or last graded attempt, per the quiz's score rule).
    score_percent: Decimal | None
    passed: bool
    open_attempt: Attempt | None
    attempts: list[Attempt] = field(default_factory=list)  # oldest first

    @property
    def label(self) -> str:
        return quiz_status_label(self.status, self.attempts_left)

    @property
    def can_start(self) -> bool:
        """A new attempt may be started now (or the open one resumed)."""
        return self.open_attempt is not None or self.attempts_left != 0


def learner_attempts(quiz: Quiz, profile: Profile) -> list[Attempt]:
    return list(
        session.scalars(
            sa.select(Attempt)
            .where(Attempt.quiz_id == quiz.id, Attempt.profile_id == profile.id)
            .order_by(Attempt.number)
        )
    )


def quiz_outcome(quiz: Quiz, profile: Profile) -> QuizOutcome:
    """Attempts used and left, the counted score, passed, and the quiz's status."""
    attempts = learner_attempts(quiz, profile)
    state = quiz_state(quiz, attempts)
    return QuizOutcome(
        status=state.status,
        attempts_used=state.attempts_used,
        attempts_left=state.attempts_left,
        score_percent=state.score_percent,
        passed=state.status is Status.PASSED,
        open_attempt=state.open_attempt,
        attempts=attempts,
    )


def attempt_percent(attempt: Attempt) -> Decimal | None:
    """The attempt's final score in percent, or None until it is graded."""
    if attempt.status is not AttemptStatus.GRADED:
        return None
    if not attempt.max_score:
        return Decimal(100)
    return percent(attempt.score, attempt.max_score)
