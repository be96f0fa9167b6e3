"""Attempts: start or resume, save answers as drafts, submit once, and time running out.

Every function flushes and leaves the commit to the caller (one request, one commit).
Two rules hold whatever races happen:

- a learner has at most one open attempt per quiz (the partial unique index
  `uq_lms_attempt_one_open`; starts are also serialised on the enrolment row);
- an attempt is submitted once: `submit_attempt` claims it with a conditional
  ``UPDATE ... WHERE status = 'in_progress'``, and only the request whose update changed
  the row scores it. Saves take the same row first, so no answer lands after the scoring.

Time is the server's: an attempt past its deadline plus the grace period
(`LMS_QUIZ_GRACE_SECONDS`) is submitted with its saved answers by whichever request
touches it next (`close_if_overdue`).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar, cast

import sqlalchemy as sa
import sqlalchemy.exc
import sqlalchemy.orm as so
from flask import current_app

from lms.database import lock_row, session, utcnow
from lms.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Enrolment,
    Profile,
    Question,
    QuestionVersion,
    Quiz,
)
from lms.quizzes import attempt_graded, attempt_scored, attempt_submitted
from lms.quizzes.grading import score_submission
from lms.quizzes.tokens import AttemptTokens
from lms.quizzes.types import BaseQuestion, question_type

#: What draw_questions draws: questions, or (in the seeding) their versions.
Drawn = TypeVar("Drawn")


class AttemptError(Exception):
    """A request about an attempt that cannot be met; the message says why."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AttemptLimitError(AttemptError):
    status_code = 403


class AttemptClosedError(AttemptError):
    """The attempt was submitted (by the learner or because time ran out)."""

    status_code = 409


@dataclass(frozen=True)
class LaidOutQuestion:
    """One question of an attempt, as shown: its number, version, choice order, answer."""

    number: int
    version: QuestionVersion
    choice_ids: list[int]
    answer: Answer | None
    #: The attempt's opaque names for questions and choices (`lms.quizzes.tokens`).
    tokens: AttemptTokens

    @property
    def kind(self) -> BaseQuestion:
        return question_type(self.version)

    @property
    def key(self) -> str:
        """The question's key in forms and JSON: opaque, never the version id."""
        return self.tokens.question(self.version.id)

    @property
    def field_name(self) -> str:
        return f"q{self.key}"

    @property
    def choices(self) -> dict[str, int]:
        """The page's value for each choice -> its id, in the order shown."""
        return self.tokens.choices_by_token(self.choice_ids)

    @property
    def response(self) -> Any:
        return self.answer.response if self.answer is not None else None

    @property
    def answered(self) -> bool:
        return self.kind.is_answered(self.response)


# -- starting ----------------------------------------------------------------------------------


def current_version(question: Question) -> QuestionVersion:
    for version in question.versions:
        if version.number == question.current_version:
            return version
    return question.versions[-1]


def draw_questions(
    questions: list[Drawn],
    count: int,
    rng: random.Random,
    objective: Callable[[Drawn], str | None] | None = None,
) -> list[Drawn]:
    """`count` questions drawn at random, in the same proportion per objective as the pool
    (largest remainders), kept in the pool's order: each paper follows the blueprint.
    (`objective` tells a question's objective: by default that of a Question's current
    version; the seeding, which holds versions, passes its own.)"""
    if count >= len(questions):
        return questions
    of = objective or (lambda q: current_version(cast(Question, q)).objective)
    groups: dict[str | None, list[Drawn]] = {}
    for question in questions:
        groups.setdefault(of(question), []).append(question)
    shares = {key: count * len(group) / len(questions) for key, group in groups.items()}
    quota = {key: int(share) for key, share in shares.items()}
    missing = count - sum(quota.values())
    # The groups with the largest remainders get the questions left over (ties at random).
    ranked = sorted(groups, key=lambda key: (shares[key] - quota[key], rng.random()))
    for key in ranked[len(ranked) - missing :]:
        quota[key] += 1
    drawn = {id(q) for key, group in groups.items() for q in rng.sample(group, quota[key])}
    return [q for q in questions if id(q) in drawn]


def build_layout(quiz: Quiz) -> list[dict[str, Any]]:
    """The questions (current versions, not retired) and choice order of a new attempt.

    Drawn from the pool when the quiz draws, shuffled when it asks for it, here once: the
    attempt keeps this paper and order for good.
    """
    questions = [q for q in quiz.questions if not q.is_retired and q.versions]
    rng = secrets.SystemRandom()
    if quiz.draw:
        questions = draw_questions(questions, quiz.draw, rng)
    if quiz.shuffle:
        rng.shuffle(questions)
    layout = []
    for question in questions:
        version = current_version(question)
        choice_ids = [choice.id for choice in version.choices]
        if quiz.shuffle:
            rng.shuffle(choice_ids)
        layout.append({"version_id": version.id, "choice_ids": choice_ids})
    return layout


def time_allowed(quiz: Quiz, enrolment: Enrolment | None) -> timedelta | None:
    """The quiz's time limit with the learner's extra time, or None when untimed."""
    if not quiz.time_limit_minutes:
        return None
    extra = enrolment.extra_time_percent if enrolment is not None else 0
    return timedelta(seconds=quiz.time_limit_minutes * 60 * (100 + max(extra, 0)) / 100)


def open_attempt(quiz: Quiz, profile: Profile) -> Attempt | None:
    return session.scalar(
        sa.select(Attempt).where(
            Attempt.quiz_id == quiz.id,
            Attempt.profile_id == profile.id,
            Attempt.status == AttemptStatus.IN_PROGRESS,
        )
    )


def start_attempt(
    quiz: Quiz, profile: Profile, enrolment: Enrolment, *, now: datetime | None = None
) -> tuple[Attempt, bool]:
    """Start a new attempt, or return the learner's open one: (attempt, resumed).

    Raises AttemptLimitError when every allowed attempt is used. A concurrent start by
    the same learner (double click, two tabs) resumes the attempt the other one created.
    """
    now = now or utcnow()
    lock_row(Enrolment, enrolment.id)
    close_overdue(quiz, profile, now=now)
    current = open_attempt(quiz, profile)
    if current is not None:
        return current, True
    numbers = list(
        session.scalars(
            sa.select(Attempt.number).where(
                Attempt.quiz_id == quiz.id, Attempt.profile_id == profile.id
            )
        )
    )
    if quiz.max_attempts is not None and len(numbers) >= quiz.max_attempts:
        raise AttemptLimitError(
            f"You have used all {quiz.max_attempts} attempts at “{quiz.title}”, "
            "so you cannot start another one. Your previous attempts and their results "
            "are on the quiz page."
        )
    layout = build_layout(quiz)
    if not layout:
        raise AttemptError(f"“{quiz.title}” has no questions yet. Please come back later.")
    allowed = time_allowed(quiz, enrolment)
    versions = session.scalars(
        sa.select(QuestionVersion).where(QuestionVersion.id.in_([i["version_id"] for i in layout]))
    )
    attempt = Attempt(
        quiz_id=quiz.id,
        profile_id=profile.id,
        number=max(numbers, default=0) + 1,
        status=AttemptStatus.IN_PROGRESS,
        started_at=now,
        deadline_at=now + allowed if allowed else None,
        layout=layout,
        max_score=sum((v.points for v in versions), Decimal(0)),
    )
    session.add(attempt)
    try:
        session.flush()
    except sqlalchemy.exc.IntegrityError:
        # Another request of this learner started one first: use theirs.
        session.rollback()
        winner = open_attempt(quiz, profile)
        if winner is None:
            raise AttemptError("The attempt could not be started. Please try again.") from None
        return winner, True
    return attempt, False


# -- the questions of an attempt -----------------------------------------------------------------


def laid_out_questions(attempt: Attempt) -> list[LaidOutQuestion]:
    """The attempt's questions in the order shown, with their saved answers."""
    ids = [int(item["version_id"]) for item in attempt.layout]
    versions = {
        v.id: v
        for v in session.scalars(
            sa.select(QuestionVersion)
            .where(QuestionVersion.id.in_(ids))
            .options(
                so.selectinload(QuestionVersion.choices), so.selectinload(QuestionVersion.rubric)
            )
        )
    }
    answers = answers_by_version(attempt)
    tokens = AttemptTokens.for_attempt(attempt.id)
    return [
        LaidOutQuestion(
            number=number,
            version=versions[int(item["version_id"])],
            choice_ids=[int(i) for i in item.get("choice_ids", [])],
            answer=answers.get(int(item["version_id"])),
            tokens=tokens,
        )
        for number, item in enumerate(attempt.layout, start=1)
    ]


def answers_by_version(attempt: Attempt) -> dict[int, Answer]:
    """The attempt's answers as the database has them now (not a stale copy)."""
    rows = session.scalars(
        sa.select(Answer)
        .where(Answer.attempt_id == attempt.id)
        .execution_options(populate_existing=True)
    )
    return {answer.question_version_id: answer for answer in rows}


def last_saved_at(questions: list[LaidOutQuestion]) -> datetime | None:
    return max((q.answer.saved_at for q in questions if q.answer is not None), default=None)


def submission_problems(questions: list[LaidOutQuestion]) -> list[str]:
    """What stops the learner handing the attempt in (e.g. an essay under its word count)."""
    return [
        f"Question {q.number}: {problem}"
        for q in questions
        for problem in q.kind.problems(q.version, q.response)
    ]


# -- time ------------------------------------------------------------------------------------------


def grace() -> timedelta:
    return timedelta(seconds=current_app.config["LMS_QUIZ_GRACE_SECONDS"])


def seconds_left(attempt: Attempt, now: datetime | None = None) -> int | None:
    """Seconds until the deadline (not counting the grace period), or None when untimed."""
    if attempt.deadline_at is None:
        return None
    return max(int((attempt.deadline_at - (now or utcnow())).total_seconds()), 0)


def is_overdue(attempt: Attempt, now: datetime | None = None) -> bool:
    return (
        attempt.status is AttemptStatus.IN_PROGRESS
        and attempt.deadline_at is not None
        and (now or utcnow()) > attempt.deadline_at + grace()
    )


def close_if_overdue(attempt: Attempt, *, now: datetime | None = None) -> bool:
    """Submit an attempt whose time ran out, with its saved answers.

    True if this call submitted it; False if its time was not up, or another request
    closed it first (its status is then current either way).
    """
    if not is_overdue(attempt, now):
        return False
    return submit_attempt(attempt, now=now, timed_out=True)


def close_overdue(quiz: Quiz, profile: Profile, *, now: datetime | None = None) -> Attempt | None:
    """Close the learner's open attempt at this quiz if its time ran out; return it if so."""
    attempt = open_attempt(quiz, profile)
    if attempt is not None and close_if_overdue(attempt, now=now):
        return attempt
    return None


# -- saving and submitting -------------------------------------------------------------------------


def _take_open(attempt: Attempt) -> bool:
    """Lock the attempt's row if it is still open (the same row `submit_attempt` claims)."""
    result = session.execute(
        sa.update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.IN_PROGRESS)
        .values(id=Attempt.id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def closed_message(attempt: Attempt) -> str:
    if attempt.deadline_at is not None and attempt.submitted_at == attempt.deadline_at:
        return (
            "Time ran out, so this attempt was submitted with the answers saved before then. "
            "Answers can no longer change."
        )
    return "This attempt has been submitted, so its answers can no longer change."


def save_answers(
    attempt: Attempt, responses: Mapping[int, Any], *, now: datetime | None = None
) -> datetime:
    """Save draft responses (question version id -> parsed response); returns saved_at.

    Raises AttemptClosedError when the attempt is submitted or its time (plus grace) is up.
    Responses must already be parsed by their question type.
    """
    now = now or utcnow()
    if attempt.status is not AttemptStatus.IN_PROGRESS or is_overdue(attempt, now):
        raise AttemptClosedError(closed_message(attempt) if attempt.submitted_at else _time_up())
    if not set(responses) <= {int(item["version_id"]) for item in attempt.layout}:
        raise AttemptError("One of the answers is for a question that is not in this attempt.")
    if not _take_open(attempt):
        session.refresh(attempt)
        raise AttemptClosedError(closed_message(attempt))
    existing = answers_by_version(attempt)
    for version_id, response in responses.items():
        answer = existing.get(version_id)
        if answer is None:
            session.add(
                Answer(
                    attempt_id=attempt.id,
                    question_version_id=version_id,
                    response=response,
                    saved_at=now,
                )
            )
        else:
            answer.response = response
            answer.saved_at = now
    session.flush()
    session.expire(attempt, ["answers"])
    return now


def _time_up() -> str:
    return "Time is up for this attempt, so answers can no longer be saved."


def submit_attempt(
    attempt: Attempt,
    *,
    now: datetime | None = None,
    timed_out: bool = False,
    versions: list[QuestionVersion] | None = None,
) -> bool:
    """Hand the attempt in and score it. True if this call submitted it, False if it was
    already submitted (a double click, a retry, another tab): nothing is recorded twice.

    A timed-out attempt is recorded as submitted at its deadline, with its saved answers.
    `versions`: the attempt's questions, when the caller has them already (question
    versions never change; the answers are read again once the attempt is closed).
    """
    now = now or utcnow()
    submitted_at = attempt.deadline_at if timed_out and attempt.deadline_at else now
    result = session.execute(
        sa.update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.IN_PROGRESS)
        .values(status=AttemptStatus.AWAITING_GRADING, submitted_at=submitted_at)
        .execution_options(synchronize_session=False)
    )
    session.refresh(attempt)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    if versions is None:
        questions = laid_out_questions(attempt)
        versions = [q.version for q in questions]
        answers = {q.version.id: q.answer for q in questions if q.answer is not None}
    else:
        answers = answers_by_version(attempt)  # final now: the attempt is closed
    score_submission(attempt, versions, answers)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    attempt_submitted.send(app, attempt=attempt, timed_out=timed_out)
    if attempt.status is AttemptStatus.GRADED:
        attempt_graded.send(app, attempt=attempt)
        attempt_scored.send(app, attempt=attempt)
    return True
