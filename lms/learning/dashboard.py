"""What the learner's dashboard shows: this week's work and live sessions (`this_week`),
each course's progress and next step, the latest released feedback and the certificates
earned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.cohorts.scope import cohorts_in_scope
from lms.database import session, utcnow
from lms.grading.queue import waiting_count
from lms.learning.progress import CourseOutline, outlines_of
from lms.learning.this_week import this_week
from lms.models import (
    Answer,
    Attempt,
    Certificate,
    Cohort,
    Course,
    Enrolment,
    EnrolmentStatus,
    Grade,
    GradeStatus,
    Notification,
    Profile,
)
from lms.teaching.offerings import taught_courses


@dataclass
class CourseCard:
    enrolment: Enrolment
    outline: CourseOutline
    certificate: Certificate | None


def summary(profile: Profile, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    enrolments = session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.profile_id == profile.id, Enrolment.status != EnrolmentStatus.WITHDRAWN)
        .options(
            so.joinedload(Enrolment.course).joinedload(Course.image),
            so.joinedload(Enrolment.cohort),
        )
        .order_by(Enrolment.enrolled_at.desc())
    ).all()
    certificates = {
        c.enrolment_id: c
        for c in session.scalars(
            sa.select(Certificate)
            .join(Enrolment, Certificate.enrolment_id == Enrolment.id)
            .where(Enrolment.profile_id == profile.id)
            .order_by(Certificate.id)  # a reissued certificate replaces the one before
        )
    }
    outlines = outlines_of(list(enrolments), now)  # all courses' rows in one batch each
    cards = [
        CourseCard(enrolment, outlines[enrolment.id], certificates.get(enrolment.id))
        for enrolment in enrolments
    ]
    feedback = session.scalars(
        sa.select(Grade)
        .join(Answer, Grade.answer_id == Answer.id)
        .join(Attempt, Answer.attempt_id == Attempt.id)
        .where(Attempt.profile_id == profile.id, Grade.status == GradeStatus.RELEASED)
        .options(
            so.joinedload(Grade.answer).joinedload(Answer.attempt).joinedload(Attempt.quiz),
            so.joinedload(Grade.answer).joinedload(Answer.question_version),
        )
        .order_by(Grade.released_at.desc())
        .limit(5)
    ).all()
    return {
        "cards": cards,
        "this_week": this_week([card.outline for card in cards if not card.certificate], now),
        "feedback": feedback,
        "certificates": list(certificates.values()),
        "notifications": unread_notifications(profile),
        "teaching": teaching_summary(profile) if profile.is_staff else None,
        "now": now,
    }


@dataclass
class TeachingSummary:
    waiting: int  # essay answers waiting for a grade, in this instructor's scope
    cohorts: list[Cohort]
    #: The self-paced courses whose learners they teach.
    courses: list[Course]


def teaching_summary(profile: Profile) -> TeachingSummary:
    cohorts = session.scalars(cohorts_in_scope(profile)).all()
    courses = session.scalars(taught_courses(profile)).all()
    return TeachingSummary(waiting_count(profile), list(cohorts), list(courses))


def unread_notifications(profile: Profile) -> list[Notification]:
    return list(
        session.scalars(
            sa.select(Notification)
            .where(Notification.profile_id == profile.id, Notification.read_at.is_(None))
            .order_by(Notification.created_at.desc())
            .limit(5)
        )
    )
