"""What the learner's dashboard shows: each course's progress and next step, what is due
this week, the latest released feedback and the certificates earned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.cohorts.scope import cohorts_in_scope
from lms.database import session, utcnow
from lms.grading.queue import waiting_count
from lms.learning.progress import CourseOutline, ModuleView, course_outline
from lms.models import (
    Answer,
    Attempt,
    Certificate,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Grade,
    GradeStatus,
    Notification,
    Profile,
)

DUE_WINDOW = timedelta(days=7)


@dataclass
class CourseCard:
    enrolment: Enrolment
    outline: CourseOutline
    due_soon: list[ModuleView]
    certificate: Certificate | None


def due_soon(outline: CourseOutline, now: datetime) -> list[ModuleView]:
    """Open modules due within a week (or overdue) that are not yet complete."""
    return [
        module
        for module in outline.modules
        if module.due_at is not None
        and module.lock is None
        and module.due_at <= now + DUE_WINDOW
        and not module.status.done
    ]


def summary(profile: Profile, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    enrolments = session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.profile_id == profile.id, Enrolment.status != EnrolmentStatus.WITHDRAWN)
        .options(so.joinedload(Enrolment.course), so.joinedload(Enrolment.cohort))
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
    cards = []
    for enrolment in enrolments:
        outline = course_outline(enrolment, now)
        cards.append(
            CourseCard(enrolment, outline, due_soon(outline, now), certificates.get(enrolment.id))
        )
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


def teaching_summary(profile: Profile) -> TeachingSummary:
    cohorts = session.scalars(cohorts_in_scope(profile)).all()
    return TeachingSummary(waiting_count(profile), list(cohorts))


def unread_notifications(profile: Profile) -> list[Notification]:
    return list(
        session.scalars(
            sa.select(Notification)
            .where(Notification.profile_id == profile.id, Notification.read_at.is_(None))
            .order_by(Notification.created_at.desc())
            .limit(5)
        )
    )
