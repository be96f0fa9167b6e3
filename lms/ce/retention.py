"""How long the CE record is kept, and purging what is past it.

Accreditors ask that participation stay verifiable for years after the activity (ANCC,
ACCME and APA: at least six), so the record outlives a removed learner's profile. Once an
entry is older than the retention period (`LMS_CE_RETENTION_YEARS`) the provider may
delete it with `lms ce purge --before DATE`; nothing else deletes entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import sqlalchemy as sa

from lms.database import session
from lms.models import CEEvent


class InsideRetentionPeriodError(ValueError):
    """A purge date that would delete entries the provider must still keep."""


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def latest_purge_date(today: date, retention_years: int) -> date:
    """The latest `--before` date a purge may use: entries from this day on are kept."""
    return years_before(today, retention_years)


@dataclass(frozen=True)
class PurgeResult:
    before: date
    entries: int


def purge_ce_record(before: date, *, today: date, retention_years: int) -> PurgeResult:
    """Delete the CE record's entries from before `before` (UTC), in the caller's transaction.

    Refuses a date inside the retention period. A bulk DELETE, so the append-only guard on
    the ORM (which refuses to delete an entry) is not involved: this is the one way out.
    """
    latest = latest_purge_date(today, retention_years)
    if before > latest:
        raise InsideRetentionPeriodError(
            f"{before.isoformat()} is inside the {retention_years}-year retention period: "
            f"entries from {latest.isoformat()} on must be kept. "
            f"Choose a date on or before {latest.isoformat()}."
        )
    cutoff = datetime.combine(before, time.min, tzinfo=UTC)
    result = session.execute(
        sa.delete(CEEvent)
        .where(CEEvent.occurred_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return PurgeResult(before=before, entries=result.rowcount or 0)


def count_before(before: date) -> int:
    cutoff = datetime.combine(before, time.min, tzinfo=UTC)
    return (
        session.scalar(
            sa.select(sa.func.count()).select_from(CEEvent).where(CEEvent.occurred_at < cutoff)
        )
        or 0
    )
