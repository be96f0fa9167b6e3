"""Release rules: when a module opens for a learner, and how a lock explains itself.

- a learner's own override (set by an instructor) wins;
- in a cohort, the cohort's calendar says when each module opens and is due;
- self-paced, a module may open N days after enrolment (`release_after_days`);
- "complete in order" courses also lock each item until the one before is done
  (see `progress.build_outline`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lms.dates import format_local
from lms.models import CohortModule, Enrolment, EnrolmentOverride, Module


@dataclass(frozen=True)
class Lock:
    """Why an item is not open yet: a date, or an earlier item to finish first."""

    opens_at: datetime | None = None
    after: str | None = None

    @classmethod
    def until(cls, opens_at: datetime) -> Lock:
        return cls(opens_at=opens_at)

    @classmethod
    def after_item(cls, title: str) -> Lock:
        return cls(after=title)

    def message(self, timezone: str) -> str:
        if self.opens_at is not None:
            return f"This opens on {format_local(self.opens_at, timezone)}."
        return f"This opens when you have finished “{self.after}”."


def module_schedule(
    enrolment: Enrolment,
    module: Module,
    calendar_line: CohortModule | None,
    override: EnrolmentOverride | None,
) -> tuple[datetime | None, datetime | None]:
    """(opens_at, due_at) of a module for one learner; None means open / no due date."""
    opens_at: datetime | None = None
    due_at: datetime | None = None
    if enrolment.cohort_id is not None:
        if calendar_line is not None:
            opens_at, due_at = calendar_line.opens_at, calendar_line.due_at
    elif module.release_after_days:
        opens_at = enrolment.enrolled_at + timedelta(days=module.release_after_days)
    if override is not None:
        opens_at = override.opens_at or opens_at
        due_at = override.due_at or due_at
    return opens_at, due_at
