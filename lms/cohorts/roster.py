"""The roster: every learner of a cohort against every module, "behind" learners first.

Each cell comes from `outlines_for`, the one progress computation, fed with rows loaded
for the whole cohort at once: the number of queries does not grow with the number of
learners (the course once, then one query each for enrolments, lesson progress,
attempts, the calendar, overrides, attendance and live sessions).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from lms.cohorts.people import cohort_learners
from lms.database import session, utcnow
from lms.learning.progress import CourseOutline, ModuleView, outlines_for
from lms.learning.status import Status
from lms.learning.structure import course_structure
from lms.models import (
    Attendance,
    AttendanceStatus,
    Cohort,
    Course,
    Enrolment,
    LiveSession,
    Module,
)


class CellState(enum.StrEnum):
    COMPLETE = "complete"
    AWAITING_GRADING = "awaiting_grading"
    OVERDUE = "overdue"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    LOCKED = "locked"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


def cell_state(view: ModuleView, now: datetime) -> CellState:
    """A module's state for one learner, as the roster shows it.

    Overdue: past its due date and not complete (work handed in and awaiting grading is
    the instructor's turn, so it is not overdue).
    """
    if view.status is Status.COMPLETE:
        return CellState.COMPLETE
    if view.lock is not None:
        return CellState.LOCKED
    if view.status is Status.AWAITING_GRADING:
        return CellState.AWAITING_GRADING
    if view.due_at is not None and view.due_at < now:
        return CellState.OVERDUE
    if view.status is Status.IN_PROGRESS:
        return CellState.IN_PROGRESS
    return CellState.NOT_STARTED


@dataclass
class RosterRow:
    enrolment: Enrolment
    outline: CourseOutline
    cells: list[CellState]
    attended: int

    @property
    def overdue(self) -> int:
        return sum(1 for cell in self.cells if cell is CellState.OVERDUE)

    @property
    def is_behind(self) -> bool:
        return self.overdue > 0


@dataclass
class Roster:
    cohort: Cohort
    course: Course
    modules: list[Module]
    rows: list[RosterRow]
    #: Live sessions that have started, the attendance counts' "out of".
    sessions_held: int


def behind_first(row: RosterRow) -> tuple[int, int, str, int]:
    """Most overdue modules first, then the lowest percent, then by name."""
    profile = row.enrolment.profile
    return (-row.overdue, row.outline.percent, profile.display_name.lower(), profile.id)


def build_roster(cohort: Cohort, now: datetime | None = None) -> Roster:
    now = now or utcnow()
    course = course_structure(cohort.course_id)
    enrolments = cohort_learners(cohort)
    outlines = outlines_for(course, enrolments, now)
    attended = dict(
        session.execute(
            sa.select(Attendance.profile_id, sa.func.count(Attendance.id))
            .join(LiveSession, Attendance.live_session_id == LiveSession.id)
            .where(
                LiveSession.cohort_id == cohort.id,
                Attendance.status.in_([AttendanceStatus.PRESENT, AttendanceStatus.LATE]),
            )
            .group_by(Attendance.profile_id)
        ).all()
    )
    sessions_held = (
        session.scalar(
            sa.select(sa.func.count(LiveSession.id)).where(
                LiveSession.cohort_id == cohort.id, LiveSession.starts_at <= now
            )
        )
        or 0
    )

    rows = []
    for enrolment in enrolments:
        outline = outlines[enrolment.id]
        cells = [cell_state(view, now) for view in outline.modules]
        rows.append(RosterRow(enrolment, outline, cells, attended.get(enrolment.profile_id, 0)))
    rows.sort(key=behind_first)
    modules = [m for m in course.modules if not m.is_retired]
    return Roster(cohort, course, modules, rows, sessions_held)
