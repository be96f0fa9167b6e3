"""A cohort's calendar: when each module opens and is due.

Generated from the cohort's start date and each module's `week`: week N opens at
midnight, in the cohort's time zone, 7 * (N - 1) days after the start, and is due when
the next week opens. Modules without a week open on the first day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lms.models import Cohort, CohortModule, Course

WEEK = timedelta(days=7)


def local_midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(timezone))


def module_dates(starts_on: date, timezone: str, week: int | None) -> tuple[datetime, datetime]:
    """(opens_at, due_at) for a module in a given week of a cohort."""
    index = (week or 1) - 1
    opens_on = starts_on + index * WEEK
    return local_midnight(opens_on, timezone), local_midnight(opens_on + WEEK, timezone)


def generate_calendar(cohort: Cohort, course: Course) -> list[CohortModule]:
    """(Re)build the calendar lines for every live module of the course."""
    existing = {line.module_id: line for line in cohort.calendar}
    lines = []
    for module in course.modules:
        if module.is_retired:
            continue
        opens_at, due_at = module_dates(cohort.starts_on, cohort.timezone, module.week)
        line = existing.get(module.id) or CohortModule(module=module)
        line.opens_at, line.due_at = opens_at, due_at
        lines.append(line)
    cohort.calendar = lines
    return lines
