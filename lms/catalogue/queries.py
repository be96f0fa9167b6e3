"""Queries behind the catalogue (a fixed number, however many courses and cohorts)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.database import session
from lms.learning.enrolment import seats_taken_by_cohort
from lms.models import Cohort, Course


@dataclass
class CohortOffer:
    cohort: Cohort
    seats_left: int | None  # None: no limit


@dataclass
class CatalogueEntry:
    course: Course
    cohorts: list[CohortOffer] = field(default_factory=list)


def catalogue() -> list[CatalogueEntry]:
    """Courses open to new learners, with the cohorts that can be joined."""
    courses = session.scalars(
        sa.select(Course)
        .where(Course.retired_at.is_(None))
        .options(so.joinedload(Course.image))
        .order_by(Course.position, Course.title)
    ).all()
    cohorts = session.scalars(
        sa.select(Cohort)
        .where(Cohort.is_open.is_(True), Cohort.course_id.in_([c.id for c in courses]))
        .order_by(Cohort.starts_on)
    ).all()
    taken = seats_taken_by_cohort([c.id for c in cohorts])
    by_course: dict[int, list[CohortOffer]] = defaultdict(list)
    for cohort in cohorts:
        left = (
            None if cohort.capacity is None else max(cohort.capacity - taken.get(cohort.id, 0), 0)
        )
        by_course[cohort.course_id].append(CohortOffer(cohort, left))
    return [CatalogueEntry(course, by_course.get(course.id, [])) for course in courses]
