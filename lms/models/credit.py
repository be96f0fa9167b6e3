"""What CE credit rests on besides progress: the evaluation, time exemptions, check-in
failures, and the CE record itself.

Evaluation answers are kept apart from identity: an `EvaluationSubmission` says that a
learner submitted (for the certificate gate), an `EvaluationResponse` holds the answers
with no link to the learner, a random id and only the day, so reports can show them
without names.

`CEEvent` is the append-only CE record: every change that affects credit adds one row
in the same transaction (lms.ce.record); the app never updates or deletes one, except
`lms ce purge` once the retention period is over.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.database import Base, UTCDateTime, utcnow


class EvaluationSubmission(Base):
    """That an enrolled learner submitted an evaluation (not what they answered)."""

    __tablename__ = "lms_evaluation_submission"
    __table_args__ = (sa.UniqueConstraint("evaluation_id", "enrolment_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    evaluation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_evaluation.id"))
    enrolment_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_enrolment.id"), index=True)
    submitted_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


def _random_id() -> str:
    return uuid.uuid4().hex


class EvaluationResponse(Base):
    """One learner's answers to an evaluation, with nothing that says who gave them."""

    __tablename__ = "lms_evaluation_response"

    id: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True, default=_random_id)
    evaluation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_evaluation.id"), index=True)
    #: The cohort, for instructors' reports by cohort (None: self-paced).
    cohort_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("lms_cohort.id"))
    submitted_on: so.Mapped[date]
    #: {question slug: 1-5 (likert), an option's text (single), text}
    answers: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)


class TimeExemption(Base):
    """An admin let a learner complete lessons without the minimum reading time."""

    __tablename__ = "lms_time_exemption"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    enrolment_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_enrolment.id"), unique=True)
    granted_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("lms_profile.id"))
    granted_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    reason: so.Mapped[str] = so.mapped_column(sa.Text)


class CheckInFailure(Base):
    """A wrong live-session check-in code, counted to throttle guessing."""

    __tablename__ = "lms_check_in_failure"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    profile_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_profile.id"), index=True)
    live_session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_live_session.id"))
    failed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class CEEvent(Base):
    """One entry of the CE record: what changed credit, for whom, by whom, before/after."""

    __tablename__ = "lms_ce_event"
    __table_args__ = (
        sa.Index("ix_lms_ce_event_profile_id_occurred_at", "profile_id", "occurred_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    occurred_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    #: lesson_time, lesson_completed, attendance, evaluation_submitted,
    #: disclosure_acknowledged, quiz_graded, grade_released, grade_changed, override,
    #: time_exemption, course_completed, certificate_issued, certificate_revoked,
    #: certificate_reissued, learner_removed (see lms.ce.record)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    profile_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("lms_profile.id"))
    course_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("lms_course.id"), index=True)
    enrolment_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("lms_enrolment.id"))
    #: Who made the change (None: the learner's own action or the system, see `by_learner`).
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("lms_profile.id"))
    #: What it is about: "lesson:12", "attempt:3", "certificate:ABCD-...".
    subject: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    before: so.Mapped[dict[str, Any] | None] = so.mapped_column(sa.JSON)
    after: so.Mapped[dict[str, Any] | None] = so.mapped_column(sa.JSON)
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
