"""Enrolment rules: self-paced enrolment, joining a cohort, leaving and coming back.

One enrolment row per learner and course; leaving marks it withdrawn and keeps all
progress, so coming back resumes where the learner was. Seat limits are checked while
holding the cohort's row lock, so concurrent joins cannot overfill a cohort.
"""

from __future__ import annotations

import sqlalchemy as sa

from lms.ce.details import ce_details
from lms.database import lock_row, session, utcnow
from lms.models import Cohort, Course, Enrolment, EnrolmentStatus, Profile, Track


class EnrolmentError(ValueError):
    """The learner cannot enrol or join; the message says why, for the learner."""


def find_enrolment(profile: Profile, course: Course) -> Enrolment | None:
    return session.scalar(
        sa.select(Enrolment).where(
            Enrolment.profile_id == profile.id, Enrolment.course_id == course.id
        )
    )


def active_enrolment(profile: Profile, course: Course) -> Enrolment | None:
    enrolment = find_enrolment(profile, course)
    if enrolment is None or enrolment.status is EnrolmentStatus.WITHDRAWN:
        return None
    return enrolment


def seats_taken_by_cohort(cohort_ids: list[int]) -> dict[int, int]:
    """Current (not withdrawn) learners of each cohort, in one query."""
    if not cohort_ids:
        return {}
    rows = session.execute(
        sa.select(Enrolment.cohort_id, sa.func.count(Enrolment.id))
        .where(Enrolment.cohort_id.in_(cohort_ids), Enrolment.status != EnrolmentStatus.WITHDRAWN)
        .group_by(Enrolment.cohort_id)
    )
    return dict(rows.all())  # type: ignore[arg-type]


def seats_taken(cohort: Cohort) -> int:
    return seats_taken_by_cohort([cohort.id]).get(cohort.id, 0)


def seats_left(cohort: Cohort) -> int | None:
    if cohort.capacity is None:
        return None
    return max(cohort.capacity - seats_taken(cohort), 0)


def enrol_self_paced(profile: Profile, course: Course) -> Enrolment:
    """Enrol (or re-enrol) in a self-paced course; flushes."""
    if course.track is not Track.SELF_PACED:
        raise EnrolmentError("This course runs in cohorts: join a cohort to take it.")
    return _activate(profile, course, cohort=None)


def join_cohort(profile: Profile, cohort: Cohort, invite_code: str | None = None) -> Enrolment:
    """Join a cohort that is open (or by its invite code) and has a seat left; flushes."""
    lock_row(Cohort, cohort.id)
    session.refresh(cohort)
    invited = bool(invite_code) and invite_code == cohort.invite_code
    if not (cohort.is_open or invited):
        raise EnrolmentError("This cohort is closed for joining. Ask for an invite code.")
    current = find_enrolment(profile, cohort.course)
    already_here = current is not None and current.cohort_id == cohort.id
    if already_here and current and current.status is not EnrolmentStatus.WITHDRAWN:
        return current
    left = seats_left(cohort)
    if left is not None and left <= 0:
        raise EnrolmentError(f"“{cohort.name}” is full. Choose another cohort or ask the team.")
    if current is not None and current.status is not EnrolmentStatus.WITHDRAWN:
        raise EnrolmentError(
            "You are already in another cohort of this course. Leave it first to switch."
        )
    return _activate(profile, cohort.course, cohort=cohort)


def join_by_code(profile: Profile, code: str) -> Enrolment:
    cohort = session.scalar(sa.select(Cohort).where(Cohort.invite_code == code.strip()))
    if cohort is None:
        raise EnrolmentError("That invite code is not right. Check it and try again.")
    return join_cohort(profile, cohort, invite_code=code.strip())


def leave(enrolment: Enrolment) -> None:
    """Withdraw, keeping every record (progress comes back if they re-enrol)."""
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.withdrawn_at = utcnow()
    session.flush()


def refuse_after_expiry(course: Course, enrolment: Enrolment | None) -> None:
    """A course past its CE expiry date takes no new learners (enrolled ones may finish
    when the course allows it)."""
    details = ce_details(course)
    if details is None or not details.expired(utcnow()):
        return
    if enrolment is None or not details.finish_after_expiry:
        raise EnrolmentError(
            f"“{course.title}” was offered for CE credit until {details.dates.split(' to ')[1]}, "
            "so it no longer takes learners."
        )


def _activate(profile: Profile, course: Course, cohort: Cohort | None) -> Enrolment:
    enrolment = find_enrolment(profile, course)
    refuse_after_expiry(course, enrolment)
    if enrolment is None:
        enrolment = Enrolment(profile=profile, course=course, cohort=cohort)
        session.add(enrolment)
    else:
        enrolment.cohort = cohort
        if enrolment.status is EnrolmentStatus.WITHDRAWN:
            enrolment.status = (
                EnrolmentStatus.COMPLETED if enrolment.completed_at else EnrolmentStatus.ACTIVE
            )
            enrolment.withdrawn_at = None
    session.flush()
    return enrolment
