"""Creating cohorts (operations flush; the caller commits)."""

from __future__ import annotations

import secrets
from datetime import date

from lms.cohorts.calendar import generate_calendar
from lms.database import session
from lms.models import Cohort, Course, Profile


def new_invite_code() -> str:
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")


def create_cohort(
    course: Course,
    name: str,
    starts_on: date,
    *,
    timezone: str = "UTC",
    capacity: int | None = None,
    is_open: bool = True,
    instructors: list[Profile] | None = None,
) -> Cohort:
    """A cohort with its calendar generated from the course's weekly structure."""
    cohort = Cohort(
        course=course,
        name=name,
        starts_on=starts_on,
        timezone=timezone,
        capacity=capacity,
        is_open=is_open,
        invite_code=new_invite_code(),
        instructors=list(instructors or []),
    )
    session.add(cohort)
    session.flush()
    generate_calendar(cohort, course)
    session.flush()
    return cohort
