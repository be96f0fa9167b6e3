"""A live session as a calendar file (iCalendar, RFC 5545) that any calendar app imports:
one event, in UTC, with the joining link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lms.models import LiveSession

#: Lines longer than this many octets are folded (RFC 5545, 3.1).
FOLD_AT = 75


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newlines escaped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "")


def fold(line: str) -> str:
    """Split a content line into pieces of at most 75 octets, joined by CRLF and a space
    (never inside a UTF-8 character)."""
    pieces, current = [], b""
    for char in line:
        encoded = char.encode()
        limit = FOLD_AT if not pieces else FOLD_AT - 1
        if len(current) + len(encoded) > limit:
            pieces.append(current.decode())
            current = b""
        current += encoded
    pieces.append(current.decode())
    return "\r\n ".join(pieces)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def live_session_ics(
    live: LiveSession,
    *,
    course_title: str,
    site_name: str,
    uid_domain: str,
    page_url: str,
    now: datetime,
) -> str:
    """The calendar file of one live session."""
    ends_at = live.starts_at + timedelta(minutes=live.duration_minutes)
    where = live.location or ""
    is_link = where.startswith(("https://", "http://"))
    description = f"{course_title} ({live.cohort.name})."
    if is_link:
        description += f"\nJoin: {where}"
    description += f"\nSession page: {page_url}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{escape(site_name)}//LMS//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:live-session-{live.id}@{uid_domain}",
        f"DTSTAMP:{stamp(now)}",
        f"DTSTART:{stamp(live.starts_at)}",
        f"DTEND:{stamp(ends_at)}",
        f"SUMMARY:{escape(f'{live.title}: {course_title}')}",
        f"DESCRIPTION:{escape(description)}",
    ]
    if where:
        lines.append(f"LOCATION:{escape(where)}")
    if is_link:
        lines.append(f"URL:{where}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)
