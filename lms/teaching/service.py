"""Who teaches a course's self-paced learners (`lms_course_instructor`). Operations flush;
the view commits."""

from __future__ import annotations

import sqlalchemy as sa

from lms.cohorts.service import CohortError
from lms.database import session
from lms.models import Course, Profile, course_instructor


def course_instructors(course: Course) -> list[Profile]:
    return list(
        session.scalars(
            sa.select(Profile)
            .join(course_instructor, course_instructor.c.profile_id == Profile.id)
            .where(course_instructor.c.course_id == course.id)
            .order_by(Profile.display_name, Profile.id)
        )
    )


def assign_course_instructor(course: Course, profile: Profile) -> None:
    if not profile.is_staff:
        raise CohortError(f"{profile.display_name} is not an instructor or admin.")
    if profile.id not in {p.id for p in course_instructors(course)}:
        session.execute(
            course_instructor.insert().values(course_id=course.id, profile_id=profile.id)
        )
    session.flush()


def unassign_course_instructor(course: Course, profile: Profile) -> None:
    session.execute(
        course_instructor.delete().where(
            course_instructor.c.course_id == course.id,
            course_instructor.c.profile_id == profile.id,
        )
    )
    session.flush()
