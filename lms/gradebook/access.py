"""Who may read a cohort's or a course's records.

Cohorts follow lms.cohorts.scope (admins; the cohort's instructors; anyone else on staff
gets 404). Self-paced learners' records belong to the instructors assigned to the course.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from lms.cohorts.scope import cohort_or_404, may_manage, staff_profile
from lms.database import session, valid_id
from lms.models import Course, Enrolment, Profile, course_instructor

__all__ = ["cohort_or_404", "course_or_404", "enrolment_or_404", "staff_profile"]

NOT_FOUND = "There is nothing at this address that you can see."


def teaches_course(profile: Profile, course: Course) -> bool:
    """Admins, and instructors assigned to the course (for its self-paced learners)."""
    if profile.is_admin:
        return True
    return profile.is_staff and bool(
        session.scalar(
            sa.select(sa.func.count())
            .select_from(course_instructor)
            .where(
                course_instructor.c.course_id == course.id,
                course_instructor.c.profile_id == profile.id,
            )
        )
    )


def course_or_404(profile: Profile, slug: str) -> Course:
    course = session.scalar(sa.select(Course).where(Course.slug == slug))
    if course is None or not teaches_course(profile, course):
        abort(404, description=NOT_FOUND)
    return course


def enrolment_or_404(profile: Profile, enrolment_id: int) -> Enrolment:
    """A learner's enrolment, if this profile teaches their cohort or self-paced course."""
    enrolment = session.get(Enrolment, enrolment_id) if valid_id(enrolment_id) else None
    if enrolment is None:
        abort(404, description=NOT_FOUND)
    if enrolment.cohort is not None:
        allowed = may_manage(profile, enrolment.cohort)
    else:
        allowed = teaches_course(profile, enrolment.course)
    if not allowed:
        abort(404, description=NOT_FOUND)
    return enrolment
