"""Cohort operations: create and edit cohorts, their calendar, live sessions and
instructors. Operations flush; the caller (a view or a command) commits once.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa

from lms.cohorts.calendar import generate_calendar, set_calendar
from lms.database import session
from lms.learning.progress import load_course
from lms.models import Attendance, Cohort, Course, LiveSession, Module, Profile, Role


class CohortError(ValueError):
    """A change the rules refuse; the message says why, for the person who asked."""


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
    invite_code: str | None = None,
) -> Cohort:
    """A cohort with its calendar generated from the course's weekly structure."""
    cohort = Cohort(
        course=course,
        name=name,
        starts_on=starts_on,
        timezone=timezone,
        capacity=capacity,
        is_open=is_open,
        invite_code=invite_code or new_invite_code(),
        instructors=list(instructors or []),
    )
    session.add(cohort)
    session.flush()
    generate_calendar(cohort, course)
    session.flush()
    return cohort


def live_modules(cohort: Cohort) -> list[Module]:
    """The cohort's course's modules that are not retired, in order (with their items)."""
    return [m for m in load_course(cohort.course_id).modules if not m.is_retired]


def invite_code_taken(code: str, *, other_than: int | None = None) -> bool:
    query = sa.select(Cohort.id).where(Cohort.invite_code == code)
    if other_than is not None:
        query = query.where(Cohort.id != other_than)
    return session.scalar(query) is not None


def update_cohort(
    cohort: Cohort,
    *,
    name: str,
    starts_on: date,
    timezone: str,
    capacity: int | None,
    is_open: bool,
    invite_code: str,
    regenerate: bool = False,
) -> bool:
    """Change a cohort's settings; with `regenerate`, rebuild its calendar from them.

    Returns True when the start date or zone changed and the calendar was left as it was
    (so the caller can offer to regenerate it).
    """
    dates_changed = (cohort.starts_on, cohort.timezone) != (starts_on, timezone)
    cohort.name, cohort.starts_on, cohort.timezone = name, starts_on, timezone
    cohort.capacity, cohort.is_open, cohort.invite_code = capacity, is_open, invite_code
    if regenerate:
        regenerate_calendar(cohort)
    session.flush()
    return dates_changed and not regenerate


def regenerate_calendar(cohort: Cohort) -> None:
    """Every live module's dates from the start date again; retired modules' lines go."""
    generate_calendar(cohort, load_course(cohort.course_id))
    session.flush()


def save_calendar(cohort: Cohort, dates: dict[int, tuple[datetime, datetime | None]]) -> None:
    """Set the calendar lines (UTC dates by module id) in one flush."""
    for opens_at, due_at in dates.values():
        if due_at is not None and due_at <= opens_at:
            raise CohortError("A module's due date must be after it opens.")
    set_calendar(cohort, load_course(cohort.course_id), dates)
    session.flush()


# Live sessions -------------------------------------------------------------------------


def save_live_session(
    cohort: Cohort,
    live: LiveSession | None,
    *,
    title: str,
    module_id: int | None,
    starts_at: datetime,
    duration_minutes: int,
    location: str,
    make_up: str = "",
) -> LiveSession:
    """Add a live session to the cohort (`live` None) or change one of its sessions."""
    if module_id is not None and module_id not in {m.id for m in cohort.course.modules}:
        raise CohortError("That module is not part of this cohort's course.")
    if live is None:
        live = LiveSession(cohort=cohort)
        session.add(live)
    live.title, live.module_id, live.starts_at = title, module_id, starts_at
    live.duration_minutes, live.location = duration_minutes, location
    live.make_up = make_up
    session.flush()
    return live


def delete_live_session(live: LiveSession) -> None:
    """Delete a session nobody's attendance was taken for (attendance is a CE record)."""
    marked = session.scalar(
        sa.select(sa.func.count(Attendance.id)).where(Attendance.live_session_id == live.id)
    )
    if marked:
        raise CohortError(
            f"Attendance has been taken for “{live.title}”, so it cannot be deleted "
            "(it is part of the learners' CE records). Change its details instead."
        )
    session.delete(live)
    session.flush()


# Instructors ---------------------------------------------------------------------------


def instructor_candidates(cohort: Cohort) -> list[Profile]:
    """Instructors and admins not yet assigned to the cohort, by name."""
    return staff_other_than(cohort.instructors)


def staff_other_than(assigned: Iterable[Profile]) -> list[Profile]:
    """Instructors and admins, by name, except `assigned`."""
    ids = {p.id for p in assigned}
    staff = session.scalars(
        sa.select(Profile)
        .where(Profile.role.in_([Role.INSTRUCTOR, Role.ADMIN]))
        .order_by(Profile.display_name, Profile.id)
    )
    return [p for p in staff if p.id not in ids]


def assign_instructor(cohort: Cohort, profile: Profile) -> None:
    if not profile.is_staff:
        raise CohortError(f"{profile.display_name} is not an instructor or admin.")
    if profile not in cohort.instructors:
        cohort.instructors.append(profile)
    session.flush()


def unassign_instructor(cohort: Cohort, profile: Profile) -> None:
    if profile in cohort.instructors:
        cohort.instructors.remove(profile)
    session.flush()
