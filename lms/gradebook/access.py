"""Who may read a cohort's or a course's records.

Admins: everything. Instructors: the cohorts they are assigned to, and the self-paced
learners of courses they are assigned to. Anyone else: 404, so the page does not even
confirm that the cohort exists.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from lms.access import current_profile
from lms.database import session
from lms.models import Cohort, Course, Profile, Role, course_instructor

NOT_FOUND = "There is nothing at this address that you can see."


def teaches_cohort(profile: Profile, cohort: Cohort) -> bool:
    return profile.role is Role.ADMIN or (
        profile.role is Role.INSTRUCTOR and any(i.id == profile.id for i in cohort.instructors)
    )


def teaches_course(profile: Profile, course: Course) -> bool:
    """Admins, and instructors assigned to the course (its self-paced learners)."""
    if profile.role is Role.ADMIN:
        return True
    if profile.role is not Role.INSTRUCTOR:
        return False
    return bool(
        session.scalar(
            sa.select(sa.func.count())
            .select_from(course_instructor)
            .where(
                course_instructor.c.course_id == course.id,
                course_instructor.c.profile_id == profile.id,
            )
        )
    )


def staff_profile() -> Profile:
    """The signed-in instructor or admin; learners get 403."""
    profile = current_profile()
    if profile is None:
        abort(401)
    if not profile.is_staff:
        abort(403, description="This page is for instructors and admins.")
    return profile


def cohort_or_404(cohort_id: int) -> tuple[Profile, Cohort]:
    profile = staff_profile()
    cohort = session.get(Cohort, cohort_id)
    if cohort is None or not teaches_cohort(profile, cohort):
        abort(404, description=NOT_FOUND)
    return profile, cohort


def course_or_404(slug: str) -> tuple[Profile, Course]:
    profile = staff_profile()
    course = session.scalar(sa.select(Course).where(Course.slug == slug))
    if course is None or not teaches_course(profile, course):
        abort(404, description=NOT_FOUND)
    return profile, course
