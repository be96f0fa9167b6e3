"""Periodic jobs: work that comes round on a schedule (the grading digest, and later the
retention purge), enqueued by the worker's scheduler rather than cron.

Each schedule names a time slot ("2026-12-04" for a daily job); the job's key carries it
(`periodic:grading-digest:2026-12-04`), so however many workers look at the clock, each
slot makes one job. On PostgreSQL procrastinate's periodic task calls `schedule_due`
every minute; the in-process worker calls it between jobs.

To add one (for example the retention purge):

    DAILY["retention-purge"] = "LMS_RETENTION_PURGE_HOUR"   # a setting with the hour (UTC)
    @handler("retention-purge")
    def purge(payload, key): ...
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from lms.database import utcnow

#: Daily jobs: kind -> the setting holding the hour (UTC) from which it is due each day.
DAILY: dict[str, str] = {"grading-digest": "LMS_GRADING_DIGEST_HOUR"}


def schedule_due(now: datetime | None = None) -> list[str]:
    """Enqueue (and commit) each daily job whose slot has come; returns the keys added."""
    from lms.database import session
    from lms.jobs import enqueue

    now = now or utcnow()
    added = []
    for kind, setting in DAILY.items():
        hour = current_app.config.get(setting)
        if hour is None or now.hour < int(hour):
            continue
        slot = now.date().isoformat()
        key = f"periodic:{kind}:{slot}"
        if enqueue(kind, {"slot": slot, "at": now.isoformat()}, key=key) is not None:
            added.append(key)
    session.commit()
    return added
