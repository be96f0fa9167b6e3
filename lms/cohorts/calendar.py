"""A cohort's calendar: when each module opens and is due.

Generated from the cohort's start date and each module's `week`: week N opens at
midnight, in the cohort's time zone, 7 * (N - 1) days after the start, and is due at the
end of its last day (23:59 there, the evening before the next week opens: a due date
of "Tuesday at 00:00" reads as Monday night). Modules without a week open on the first
day.

Times are stored in UTC and shown and edited in the cohort's zone (`to_local`,
`from_local`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lms.models import Cohort, CohortModule, Course

WEEK = timedelta(days=7)
#: When work is due on its last day, in the cohort's zone.
END_OF_DAY = time(23, 59)


class LocalTimeError(ValueError):
    """A local date and time that does not exist in the zone (clocks went forward)."""


def local_midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(timezone))


def module_dates(starts_on: date, timezone: str, week: int | None) -> tuple[datetime, datetime]:
    """(opens_at, due_at) for a module in a given week of a cohort: it opens at midnight
    on the week's first day and is due at 23:59 on its seventh, in the cohort's zone."""
    index = (week or 1) - 1
    opens_on = starts_on + index * WEEK
    last_day = opens_on + WEEK - timedelta(days=1)
    due_at = datetime.combine(last_day, END_OF_DAY, tzinfo=ZoneInfo(timezone))
    return local_midnight(opens_on, timezone), due_at


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


def to_local(moment: datetime | None, timezone: str) -> datetime | None:
    """A stored (UTC) moment as the naive wall-clock time of the zone, for a form."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def from_local(wall_clock: datetime, timezone: str) -> datetime:
    """A naive wall-clock time of the zone as an aware UTC datetime.

    Raises LocalTimeError for a time the clocks skip (e.g. 02:30 on the night they go
    forward); an hour that happens twice is read as its first occurrence.
    """
    zone = ZoneInfo(timezone)
    try:
        moment = wall_clock.replace(tzinfo=zone).astimezone(UTC)
    except OverflowError:
        raise LocalTimeError("Choose a date between the years 2000 and 2199.") from None
    if moment.astimezone(zone).replace(tzinfo=None) != wall_clock.replace(tzinfo=None):
        raise LocalTimeError(
            f"{wall_clock:%H:%M} on {wall_clock:%-d %B %Y} does not exist in {timezone} "
            "(the clocks go forward then). Choose another time."
        )
    return moment


def set_calendar(
    cohort: Cohort, course: Course, dates: dict[int, tuple[datetime, datetime | None]]
) -> list[CohortModule]:
    """Set every live module's (opens_at, due_at); lines of retired modules are dropped.

    `dates` maps module ids to UTC datetimes; a live module missing from it keeps its
    line (or gets a generated one). The caller validated due > opens.
    """
    existing = {line.module_id: line for line in cohort.calendar}
    lines = []
    for module in course.modules:
        if module.is_retired:
            continue
        line = existing.get(module.id)
        if module.id in dates:
            opens_at, due_at = dates[module.id]
        elif line is not None:
            opens_at, due_at = line.opens_at, line.due_at
        else:
            opens_at, due_at = module_dates(cohort.starts_on, cohort.timezone, module.week)
        line = line or CohortModule(module=module)
        line.opens_at, line.due_at = opens_at, due_at
        lines.append(line)
    cohort.calendar = lines
    return lines
