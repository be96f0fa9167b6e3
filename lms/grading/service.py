"""Grading operations: save a grade, release it, regrade, return an essay for revision and
take the learner's resubmission. Each flushes; the caller (a view) commits once.

Two instructors can never silently overwrite each other: every change to an answer first
locks its attempt's row (`lock_row`, which also serialises concurrent releases of one
attempt's essays so the last one always finalises it), then compares the version the
instructor saw with the grade's current `version` (`GradeConflictError` when they differ). The
ORM's `version_id_col` check and the unique grade per answer back this up at flush time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.exc
import sqlalchemy.orm as so

from lms import notifications
from lms.database import lock_row, session, utcnow
from lms.grading.forms import GradeForm
from lms.grading.scope import essay_answers
from lms.learning.completion import update_completion
from lms.models import (
    Answer,
    AnswerRevision,
    Attempt,
    AttemptStatus,
    Cohort,
    Enrolment,
    Grade,
    GradeChange,
    GradeStatus,
    Profile,
    Quiz,
)
from lms.quizzes.grading import finalise_attempt
from lms.quizzes.types import ResponseError, question_type


class GradingError(Exception):
    """A grading request the rules refuse; the message says why, for the person asking."""

    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


class GradeConflictError(Exception):
    """Someone else changed the grade since this form was loaded; nothing was saved."""


RETURNED = (
    "This answer is back with the learner for revision, so it cannot be graded until they "
    "resubmit it."
)


# -- locking -------------------------------------------------------------------------------------


def lock_answer(answer: Answer) -> Grade | None:
    """Lock the answer's attempt, then read the answer and its grade as stored now."""
    lock_row(Attempt, answer.attempt_id)
    session.refresh(answer)
    session.refresh(answer.attempt)
    grade = session.scalar(
        sa.select(Grade)
        .where(Grade.answer_id == answer.id)
        .execution_options(populate_existing=True)
    )
    so.attributes.set_committed_value(answer, "grade", grade)
    return grade


def _flush() -> None:
    """Flush; a concurrent change that slipped past the lock is a conflict, not a 500."""
    try:
        session.flush()
    except (so.exc.StaleDataError, sqlalchemy.exc.IntegrityError) as error:
        raise GradeConflictError from error


def _enrolment(attempt: Attempt) -> Enrolment | None:
    return session.scalar(
        sa.select(Enrolment).where(
            Enrolment.profile_id == attempt.profile_id,
            Enrolment.course_id == attempt.quiz.course_id,
        )
    )


def settle_attempt(attempt: Attempt) -> bool:
    """Finalise the attempt if all its essays are released, then update course completion
    (which may issue a certificate). True when the attempt's score is final."""
    if not finalise_attempt(attempt):
        return False
    enrolment = _enrolment(attempt)
    if enrolment is not None:
        update_completion(enrolment)
    return True


# -- saving --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaveResult:
    grade: Grade
    released: bool = False  # released by this save
    regraded: bool = False  # a released grade changed
    unchanged: bool = False  # a regrade that changed nothing


def _release(answer: Answer, grade: Grade, now: datetime) -> None:
    grade.status = GradeStatus.RELEASED
    grade.released_at = now
    answer.score = grade.score


def save_grade(
    answer: Answer, grader: Profile, form: GradeForm, *, now: datetime | None = None
) -> SaveResult:
    """Save the form's grade (draft, or released with action "release"); a released grade
    is regraded, with its history kept. Raises GradeConflictError or GradingError."""
    now = now or utcnow()
    grade = lock_answer(answer)
    if answer.returned_at is not None:
        raise GradingError(RETURNED, 409)
    if form.version != (grade.version if grade else 0):
        raise GradeConflictError
    total = form.total
    assert total is not None  # the form was valid
    if grade is not None and grade.status is GradeStatus.RELEASED:
        return _regrade(answer, grade, grader, form, total, now)
    if grade is None:
        grade = Grade(answer=answer, grader_id=grader.id, score=total, status=GradeStatus.DRAFT)
        session.add(grade)
    grade.grader_id = grader.id
    grade.score = total
    grade.criterion_scores = form.criterion_scores
    grade.feedback = form.feedback
    grade.graded_at = now
    _flush()
    if form.action != "release":
        return SaveResult(grade)
    _release(answer, grade, now)
    _flush()
    settle_attempt(answer.attempt)
    notifications.feedback_released(answer.attempt)
    return SaveResult(grade, released=True)


def _regrade(
    answer: Answer, grade: Grade, by: Profile, form: GradeForm, total: Decimal, now: datetime
) -> SaveResult:
    if (grade.score, grade.feedback, grade.criterion_scores or {}) == (
        total,
        form.feedback,
        form.criterion_scores,
    ):
        return SaveResult(grade, unchanged=True)
    session.add(
        GradeChange(
            grade=grade,
            changed_by_id=by.id,
            changed_at=now,
            old_score=grade.score,
            new_score=total,
            old_feedback=grade.feedback,
            new_feedback=form.feedback,
            reason=form.reason,
        )
    )
    grade.score = total
    grade.criterion_scores = form.criterion_scores
    grade.feedback = form.feedback
    answer.score = total
    _flush()
    settle_attempt(answer.attempt)
    notifications.feedback_released(answer.attempt, regraded=True)
    return SaveResult(grade, regraded=True)


# -- releasing -----------------------------------------------------------------------------------


def release_grade(
    answer: Answer, version: int, *, by: Profile, now: datetime | None = None
) -> Grade:
    """Release the answer's draft grade to the learner (the version the instructor saw)."""
    now = now or utcnow()
    grade = lock_answer(answer)
    if answer.returned_at is not None:
        raise GradingError(RETURNED, 409)
    if grade is None:
        raise GradingError("There is no grade to release yet: save one first.", 409)
    if version != grade.version:
        raise GradeConflictError
    if grade.status is GradeStatus.RELEASED:
        raise GradingError("This grade is already released.", 409)
    _release(answer, grade, now)
    _flush()
    settle_attempt(answer.attempt)
    notifications.feedback_released(answer.attempt)
    return grade


def drafts_to_release(
    profile: Profile, quiz: Quiz, cohort: Cohort | None
) -> sa.Select[tuple[Answer]]:
    """Answers of `quiz` in scope with a draft grade, in `cohort` (None: self-paced)."""
    query = (
        essay_answers(profile)
        .join(Grade, Grade.answer_id == Answer.id)
        .where(
            Grade.status == GradeStatus.DRAFT,
            Answer.returned_at.is_(None),
            Attempt.quiz_id == quiz.id,
        )
    )
    if cohort is None:
        return query.where(Enrolment.cohort_id.is_(None))
    return query.where(Enrolment.cohort_id == cohort.id)


def release_drafts(
    profile: Profile, quiz: Quiz, cohort: Cohort | None, *, now: datetime | None = None
) -> int:
    """Release every draft grade of `quiz` in `cohort` (None: its self-paced learners) that
    `profile` may grade; returns how many were released."""
    now = now or utcnow()
    query = drafts_to_release(profile, quiz, cohort)
    attempt_ids = sorted(set(session.scalars(query.with_only_columns(Answer.attempt_id))))
    for attempt_id in attempt_ids:  # in id order, so two bulk releases cannot deadlock
        lock_row(Attempt, attempt_id)
    answers = session.scalars(
        query.options(so.contains_eager(Answer.attempt), so.joinedload(Answer.grade))
        .order_by(Answer.attempt_id, Answer.id)
        .execution_options(populate_existing=True)
    ).all()
    attempts: dict[int, Attempt] = {}
    for answer in answers:
        assert answer.grade is not None
        _release(answer, answer.grade, now)
        attempts[answer.attempt_id] = answer.attempt
    _flush()
    for attempt in attempts.values():
        settle_attempt(attempt)
        notifications.feedback_released(attempt)
    return len(answers)


# -- revise and resubmit -------------------------------------------------------------------------


def return_for_revision(
    answer: Answer, note: str, *, by: Profile, now: datetime | None = None
) -> AnswerRevision:
    """Send the essay back to the learner with a note; its current text is kept.

    A released grade goes back to draft (recorded in its history) and the attempt waits
    for grading again; the learner sees the note and can resubmit.
    """
    now = now or utcnow()
    grade = lock_answer(answer)
    if answer.returned_at is not None:
        raise GradingError("This answer is already back with the learner for revision.", 409)
    attempt = answer.attempt
    revision = AnswerRevision(
        answer_id=answer.id,
        revision=answer.revision,
        response=answer.response,
        submitted_at=attempt.submitted_at if answer.revision == 1 else answer.saved_at,
        returned_by_id=by.id,
        returned_at=now,
        note=note,
    )
    session.add(revision)
    answer.returned_at = now
    answer.score = None
    if grade is not None and grade.status is GradeStatus.RELEASED:
        session.add(
            GradeChange(
                grade=grade,
                changed_by_id=by.id,
                changed_at=now,
                old_score=grade.score,
                new_score=grade.score,
                old_feedback=grade.feedback,
                new_feedback=grade.feedback,
                reason=f"Returned for revision (grade withdrawn until regraded): {note}",
            )
        )
        grade.status = GradeStatus.DRAFT
        grade.released_at = None
    attempt.status = AttemptStatus.AWAITING_GRADING
    attempt.score = attempt.passed = None
    _flush()
    notifications.returned_for_revision(attempt, note)
    return revision


def resubmit(answer: Answer, text: str, *, now: datetime | None = None) -> Answer:
    """The learner's revised essay replaces the answer (earlier texts are kept in its
    revisions) and goes back to the grading queue."""
    now = now or utcnow()
    lock_answer(answer)
    if answer.returned_at is None:
        raise GradingError("This answer is not open for revision (it may be resubmitted).", 409)
    version = answer.question_version
    kind = question_type(version)
    try:
        response = kind.parse(version, [], text)
    except ResponseError as error:
        raise GradingError(str(error)) from None
    if not kind.is_answered(response):
        raise GradingError("Write your revised answer before resubmitting it.")
    problems = kind.problems(version, response)
    if problems:
        raise GradingError(" ".join(problems))
    answer.response = response
    answer.revision += 1
    answer.returned_at = None
    answer.saved_at = now
    _flush()
    return answer


# -- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnedEssay:
    """An essay of the learner's attempt that is back with them, for the review page."""

    answer: Answer
    revision: AnswerRevision | None  # the latest return: note, by whom, when

    @property
    def note(self) -> str:
        return self.revision.note if self.revision else ""


def returned_essays(attempt: Attempt) -> dict[int, ReturnedEssay]:
    """The attempt's essays returned for revision, by question number on the review page."""
    if attempt.status is AttemptStatus.IN_PROGRESS:
        return {}
    answers = session.scalars(
        sa.select(Answer)
        .where(Answer.attempt_id == attempt.id, Answer.returned_at.is_not(None))
        .options(so.selectinload(Answer.revisions), so.joinedload(Answer.question_version))
    ).all()
    by_version = {answer.question_version_id: answer for answer in answers}
    found = {}
    for number, item in enumerate(attempt.layout, start=1):
        answer = by_version.get(int(item["version_id"]))
        if answer is not None:
            found[number] = ReturnedEssay(
                answer, answer.revisions[-1] if answer.revisions else None
            )
    return found


def profiles_by_id(ids: Sequence[int | None]) -> dict[int, Profile]:
    """Profiles for display (graders, returners), in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {p.id: p for p in session.scalars(sa.select(Profile).where(Profile.id.in_(wanted)))}
