"""How a course is offered: self-paced enrolment, or a cohort run with a calendar.

An `Enrolment` with no cohort is self-paced. A `Cohort` is one scheduled run of a course:
its calendar (`CohortModule`) says when each module opens and is due, generated from the
start date and each module's week, then editable; `EnrolmentOverride` moves one learner's
dates.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.database import Base, UTCDateTime, enum_type, utcnow
from lms.models.accounts import Profile
from lms.models.content import Course, Module
from lms.models.enums import AttendanceStatus, EnrolmentStatus

cohort_instructor = sa.Table(
    "lms_cohort_instructor",
    Base.metadata,
    sa.Column("cohort_id", sa.ForeignKey("lms_cohort.id"), primary_key=True),
    sa.Column("profile_id", sa.ForeignKey("lms_profile.id"), primary_key=True, index=True),
)

#: Instructors who grade a course's self-paced learners.
course_instructor = sa.Table(
    "lms_course_instructor",
    Base.metadata,
    sa.Column("course_id", sa.ForeignKey("lms_course.id"), primary_key=True),
    sa.Column("profile_id", sa.ForeignKey("lms_profile.id"), primary_key=True, index=True),
)


class Cohort(Base):
    __tablename__ = "lms_cohort"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    course_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_course.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    starts_on: so.Mapped[date]
    #: The cohort's own zone: release dates are midnight there.
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64), default="UTC")
    capacity: so.Mapped[int | None]
    invite_code: so.Mapped[str | None] = so.mapped_column(sa.String(32), unique=True)
    #: Open cohorts can be joined from the catalogue; closed ones by invite code only.
    is_open: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    course: so.Mapped[Course] = so.relationship()
    calendar: so.Mapped[list[CohortModule]] = so.relationship(
        back_populates="cohort", cascade="all, delete-orphan"
    )
    live_sessions: so.Mapped[list[LiveSession]] = so.relationship(
        back_populates="cohort", order_by="LiveSession.starts_at", cascade="all, delete-orphan"
    )
    instructors: so.Mapped[list[Profile]] = so.relationship(secondary=cohort_instructor)


class CohortModule(Base):
    """One line of a cohort's calendar: when a module opens and is due."""

    __tablename__ = "lms_cohort_module"
    __table_args__ = (sa.UniqueConstraint("cohort_id", "module_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    cohort_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_cohort.id"))
    module_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_module.id"), index=True)
    opens_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    due_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    cohort: so.Mapped[Cohort] = so.relationship(back_populates="calendar")
    module: so.Mapped[Module] = so.relationship()


class LiveSession(Base):
    __tablename__ = "lms_live_session"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    cohort_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_cohort.id"), index=True)
    module_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("lms_module.id"))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    starts_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    duration_minutes: so.Mapped[int]
    #: A joining link or a room.
    location: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    #: The code learners enter during the session to record their attendance.
    check_in_code: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    #: What an absent learner does instead (set by the instructor).
    make_up: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    cohort: so.Mapped[Cohort] = so.relationship(back_populates="live_sessions")
    module: so.Mapped[Module | None] = so.relationship()


class Enrolment(Base):
    """A learner's place in a course: self-paced (no cohort) or in one cohort.

    One row per learner and course; leaving marks it withdrawn so that progress is still
    there if they come back.
    """

    __tablename__ = "lms_enrolment"
    __table_args__ = (sa.UniqueConstraint("profile_id", "course_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    profile_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_profile.id"))
    course_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_course.id"), index=True)
    cohort_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("lms_cohort.id"), index=True)
    status: so.Mapped[EnrolmentStatus] = so.mapped_column(
        enum_type(EnrolmentStatus), default=EnrolmentStatus.ACTIVE
    )
    enrolled_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    completed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: Accommodation: extra time on timed quizzes, in percent (50 = time and a half).
    extra_time_percent: so.Mapped[int] = so.mapped_column(default=0)
    #: When the learner acknowledged the course's CE disclosure (before the first lesson).
    disclosure_acknowledged_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    profile: so.Mapped[Profile] = so.relationship()
    course: so.Mapped[Course] = so.relationship()
    cohort: so.Mapped[Cohort | None] = so.relationship()
    overrides: so.Mapped[list[EnrolmentOverride]] = so.relationship(
        back_populates="enrolment", cascade="all, delete-orphan"
    )


class EnrolmentOverride(Base):
    """One learner's own release or due date for a module."""

    __tablename__ = "lms_enrolment_override"
    __table_args__ = (sa.UniqueConstraint("enrolment_id", "module_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    enrolment_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_enrolment.id"))
    module_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_module.id"), index=True)
    opens_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    due_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    enrolment: so.Mapped[Enrolment] = so.relationship(back_populates="overrides")


class Attendance(Base):
    __tablename__ = "lms_attendance"
    __table_args__ = (sa.UniqueConstraint("live_session_id", "profile_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    live_session_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_live_session.id"))
    profile_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_profile.id"), index=True)
    status: so.Mapped[AttendanceStatus] = so.mapped_column(enum_type(AttendanceStatus))
    marked_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("lms_profile.id"))
    marked_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    #: How it was recorded: "instructor" or "check-in" (the learner's code).
    method: so.Mapped[str] = so.mapped_column(sa.String(16), default="instructor")
