"""The self-paced offerings a member of staff teaches, with their numbers (a fixed number
of queries, however many courses and learners)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from lms.database import session
from lms.grading.queue import QueueFilters, waiting
from lms.grading.scope import scope_clause
from lms.models import (
    Answer,
    Certificate,
    Course,
    Enrolment,
    EnrolmentStatus,
    Profile,
    Track,
    course_instructor,
)


@dataclass(frozen=True)
class Offering:
    """A course's self-paced learners, counted."""

    course: Course
    learners: int = 0  # enrolled and not withdrawn (complete or not)
    completed: int = 0
    certificates: int = 0
    waiting: int = 0  # answers waiting for grading, in the viewer's scope


def taught_courses(profile: Profile) -> sa.Select[tuple[Course]]:
    """Courses offered self-paced whose learners `profile` teaches: every one for admins,
    the courses an instructor is assigned to (`lms_course_instructor`) otherwise."""
    query = sa.select(Course).where(Course.retired_at.is_(None), Course.track == Track.SELF_PACED)
    if not profile.is_admin:
        query = query.where(
            Course.id.in_(
                sa.select(course_instructor.c.course_id).where(
                    course_instructor.c.profile_id == profile.id
                )
            )
        )
    return query.order_by(Course.position, Course.title)


def offerings(profile: Profile, courses: list[Course] | None = None) -> list[Offering]:
    """Each self-paced course `profile` teaches (or the `courses` given), with its numbers."""
    if courses is None:
        courses = list(session.scalars(taught_courses(profile)))
    ids = [course.id for course in courses]
    if not ids:
        return []
    learners: dict[int, int] = {}
    completed: dict[int, int] = {}
    for course_id, done, count in session.execute(
        sa.select(
            Enrolment.course_id,
            Enrolment.completed_at.is_not(None),
            sa.func.count(Enrolment.id),
        )
        .where(
            Enrolment.course_id.in_(ids),
            Enrolment.cohort_id.is_(None),
            Enrolment.status != EnrolmentStatus.WITHDRAWN,
        )
        .group_by(Enrolment.course_id, Enrolment.completed_at.is_not(None))
    ):
        learners[course_id] = learners.get(course_id, 0) + count
        if done:
            completed[course_id] = count
    certificates: dict[int, int] = dict(
        session.execute(
            sa.select(Enrolment.course_id, sa.func.count(Certificate.id))
            .join(Enrolment, Certificate.enrolment_id == Enrolment.id)
            .where(Enrolment.course_id.in_(ids), Enrolment.cohort_id.is_(None))
            .group_by(Enrolment.course_id)
        ).all()  # type: ignore[arg-type]
    )
    self_paced = sa.and_(scope_clause(profile), *QueueFilters(self_paced=True).clauses())
    count = sa.func.count(Answer.id)
    waiting_by_course: dict[int, int] = dict(
        session.execute(
            waiting(profile, Enrolment.course_id, count, scope=self_paced)
            .where(Enrolment.course_id.in_(ids))
            .group_by(Enrolment.course_id)
        ).all()  # type: ignore[arg-type]
    )
    return [
        Offering(
            course,
            learners.get(course.id, 0),
            completed.get(course.id, 0),
            certificates.get(course.id, 0),
            waiting_by_course.get(course.id, 0),
        )
        for course in courses
    ]
