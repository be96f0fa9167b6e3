"""Dates as people read them, in their own time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def zone(name: str | None) -> ZoneInfo:
    """The named time zone, or UTC for a missing or unknown name."""
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def format_short(moment: datetime, timezone: str | None) -> str:
    """e.g. "Mon 3 Mar, 18:00" (for lists whose heading names the zone)."""
    local = moment.astimezone(zone(timezone))
    return f"{local:%a %-d %b, %H:%M}"


def format_local(moment: datetime, timezone: str | None) -> str:
    """e.g. "Monday 3 March 2025 at 18:00 (Europe/London)"."""
    tz = zone(timezone)
    local = moment.astimezone(tz)
    return f"{local:%A %-d %B %Y at %H:%M} ({tz.key})"
