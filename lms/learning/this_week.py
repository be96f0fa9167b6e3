"""A learner's "This week": what is due (and overdue), what opens, the live sessions to
join, and, in a course with nothing dated this week, what to do next. One list across
their courses, in time order, for both tracks.

Built from the outlines the dashboard has already computed, and the live sessions of the
learner's cohorts in one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import sqlalchemy as sa

from lms.database import session
from lms.learning.progress import CourseOutline, ItemView, ModuleView
from lms.learning.status import Status
from lms.models import Course, Lesson, LessonKind, LiveSession

WINDOW = timedelta(days=7)

Kind = Literal["due", "opens", "live", "next"]


@dataclass(frozen=True)
class WeekEntry:
    kind: Kind
    course: Course
    #: When it is due, opens or starts (None for "next": no date).
    when: datetime | None
    item: ItemView | None = None
    module: ModuleView | None = None
    live: LiveSession | None = None
    overdue: bool = False

    @property
    def title(self) -> str:
        if self.live is not None:
            return self.live.title
        if self.item is not None:
            return self.item.title
        assert self.module is not None
        return self.module.module.title


def _still_to_do(item: ItemView) -> bool:
    """Work the learner still has to do (not done, not handed in and waiting for a grade).
    A live session's page is left out: attending completes it, and the session itself is
    listed with its joining link."""
    if isinstance(item.item, Lesson) and item.item.kind is LessonKind.LIVE_SESSION:
        return False
    return item.required and not item.status.done and item.status is not Status.AWAITING_GRADING


def course_week(outline: CourseOutline, now: datetime) -> list[WeekEntry]:
    """One course's entries (without its live sessions)."""
    course, entries = outline.course, []
    for module in outline.modules:
        if module.lock is not None:
            if module.opens_at is not None and module.opens_at <= now + WINDOW:
                entries.append(WeekEntry("opens", course, module.opens_at, module=module))
            continue
        if module.due_at is None or module.due_at > now + WINDOW:
            continue
        overdue = module.due_at < now
        for item in module.items:
            if _still_to_do(item) and item.is_open:
                entries.append(WeekEntry("due", course, module.due_at, item=item, overdue=overdue))
    if not any(entry.kind == "due" for entry in entries):
        upcoming = outline.resume_item
        if upcoming is not None and not outline.is_complete:
            entries.append(WeekEntry("next", course, None, item=upcoming))
    return entries


def live_sessions_this_week(cohort_ids: list[int], now: datetime) -> list[LiveSession]:
    """Sessions of these cohorts starting in the next week, or under way now (one query)."""
    if not cohort_ids:
        return []
    return list(
        session.scalars(
            sa.select(LiveSession)
            .where(
                LiveSession.cohort_id.in_(cohort_ids),
                LiveSession.starts_at <= now + WINDOW,
                # Under way: started less than its length ago (at most a day, to keep the
                # query simple; sessions are hours long).
                LiveSession.starts_at >= now - timedelta(days=1),
            )
            .order_by(LiveSession.starts_at)
        )
    )


def this_week(outlines: list[CourseOutline], now: datetime) -> list[WeekEntry]:
    """Every course's entries and the cohorts' live sessions, soonest first (overdue work
    first of all; "next" steps, which have no date, last)."""
    entries = [entry for outline in outlines for entry in course_week(outline, now)]
    courses = {
        outline.enrolment.cohort_id: outline.course
        for outline in outlines
        if outline.enrolment.cohort_id is not None
    }
    for live in live_sessions_this_week(list(courses), now):
        if live.starts_at + timedelta(minutes=live.duration_minutes) >= now:
            entries.append(WeekEntry("live", courses[live.cohort_id], live.starts_at, live=live))
    far = now + 2 * WINDOW
    return sorted(entries, key=lambda entry: (entry.when is None, entry.when or far))
