"""Quiz attempts, answers and grades.

An attempt fixes its layout (question versions and choice order) when it starts, so
shuffling is stable and later edits to the quiz file never change what was asked. An
answer is saved as the learner works (a draft until the attempt is submitted). Essays get
a `Grade` from an instructor; a released grade's changes are kept in `GradeChange`, and a
returned essay's earlier texts in `AnswerRevision`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.database import Base, UTCDateTime, enum_type, utcnow
from lms.models.accounts import Profile
from lms.models.content import QuestionVersion, Quiz
from lms.models.enums import AttemptStatus, GradeStatus

SCORE = sa.Numeric(8, 2)


class Attempt(Base):
    __tablename__ = "lms_attempt"
    __table_args__ = (
        sa.UniqueConstraint("quiz_id", "profile_id", "number"),
        # At most one open attempt per learner and quiz, whatever races happen.
        sa.Index(
            "uq_lms_attempt_one_open",
            "quiz_id",
            "profile_id",
            unique=True,
            sqlite_where=sa.text("status = 'in_progress'"),
            postgresql_where=sa.text("status = 'in_progress'"),
        ),
        sa.Index("ix_lms_attempt_profile_id", "profile_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    quiz_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_quiz.id"))
    profile_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_profile.id"))
    number: so.Mapped[int]
    status: so.Mapped[AttemptStatus] = so.mapped_column(
        enum_type(AttemptStatus), default=AttemptStatus.IN_PROGRESS
    )
    started_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    #: Server-side time limit (with the learner's extra time); None when untimed.
    deadline_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    submitted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    score: so.Mapped[Decimal | None] = so.mapped_column(SCORE)
    max_score: so.Mapped[Decimal] = so.mapped_column(SCORE, default=0)
    passed: so.Mapped[bool | None]
    #: [{"version_id": int, "choice_ids": [int, ...]}, ...] in the order shown.
    layout: so.Mapped[list[dict[str, Any]]] = so.mapped_column(sa.JSON, default=list)

    quiz: so.Mapped[Quiz] = so.relationship()
    profile: so.Mapped[Profile] = so.relationship()
    answers: so.Mapped[list[Answer]] = so.relationship(
        back_populates="attempt", cascade="all, delete-orphan"
    )


class Answer(Base):
    __tablename__ = "lms_answer"
    __table_args__ = (sa.UniqueConstraint("attempt_id", "question_version_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    attempt_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_attempt.id"))
    question_version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("lms_question_version.id"), index=True
    )
    #: The learner's response in the question type's own shape (choice ids, text, number).
    response: so.Mapped[Any | None] = so.mapped_column(sa.JSON)
    saved_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    #: Auto-graded at submit; for essays, copied from the released grade.
    score: so.Mapped[Decimal | None] = so.mapped_column(SCORE)
    is_correct: so.Mapped[bool | None]
    #: 1 for the first submission; a "revise and resubmit" round adds one.
    revision: so.Mapped[int] = so.mapped_column(default=1)
    #: Set while an essay is back with the learner for revision.
    returned_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    attempt: so.Mapped[Attempt] = so.relationship(back_populates="answers")
    question_version: so.Mapped[QuestionVersion] = so.relationship()
    grade: so.Mapped[Grade | None] = so.relationship(back_populates="answer")
    revisions: so.Mapped[list[AnswerRevision]] = so.relationship(
        back_populates="answer", order_by="AnswerRevision.revision", cascade="all, delete-orphan"
    )


class AnswerRevision(Base):
    """An earlier submitted text of an essay that was returned for revision."""

    __tablename__ = "lms_answer_revision"
    __table_args__ = (sa.UniqueConstraint("answer_id", "revision"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    answer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_answer.id"))
    revision: so.Mapped[int]
    response: so.Mapped[Any | None] = so.mapped_column(sa.JSON)
    submitted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    returned_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("lms_profile.id"))
    returned_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    answer: so.Mapped[Answer] = so.relationship(back_populates="revisions")


class Grade(Base):
    """An instructor's grade of one essay answer: draft until released to the learner."""

    __tablename__ = "lms_grade"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    answer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_answer.id"), unique=True)
    grader_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_profile.id"), index=True)
    score: so.Mapped[Decimal] = so.mapped_column(SCORE)
    #: {criterion_id (str): points}
    criterion_scores: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    feedback: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[GradeStatus] = so.mapped_column(
        enum_type(GradeStatus), default=GradeStatus.DRAFT
    )
    graded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    released_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: Optimistic lock: a save based on an older version is refused, not merged.
    version: so.Mapped[int] = so.mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    answer: so.Mapped[Answer] = so.relationship(back_populates="grade")
    grader: so.Mapped[Profile] = so.relationship()
    changes: so.Mapped[list[GradeChange]] = so.relationship(
        back_populates="grade", order_by="GradeChange.changed_at", cascade="all, delete-orphan"
    )


class GradeChange(Base):
    """A regrade of a released grade: who, when, old and new, and why."""

    __tablename__ = "lms_grade_change"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    grade_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_grade.id"), index=True)
    changed_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_profile.id"))
    changed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    old_score: so.Mapped[Decimal] = so.mapped_column(SCORE)
    new_score: so.Mapped[Decimal] = so.mapped_column(SCORE)
    old_feedback: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    new_feedback: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    reason: so.Mapped[str] = so.mapped_column(sa.Text)

    grade: so.Mapped[Grade] = so.relationship(back_populates="changes")
