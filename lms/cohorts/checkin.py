"""Live-session check-in: a learner records their own attendance with the code the
instructor gives during the session.

The code is only accepted from a little before the session starts until a grace period
after it ends, once per learner (a second check-in changes nothing), and wrong codes are
counted: after `MAX_FAILURES` in `FAILURE_WINDOW` the learner must wait, as with sign-in.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from lms.database import lock_row, session, utcnow
from lms.models import Attendance, AttendanceStatus, CheckInFailure, LiveSession, Profile

#: Letters and digits that cannot be misread for each other (no 0/O, 1/I/L).
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
OPENS_BEFORE = timedelta(minutes=15)
GRACE_AFTER = timedelta(minutes=30)
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)


class CheckInError(ValueError):
    """A check-in that cannot be accepted; the message says why and what to do."""


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def ensure_code(live: LiveSession) -> str:
    """The session's check-in code, created the first time it is asked for (flushes)."""
    if not live.check_in_code:
        live.check_in_code = new_code()
        session.flush()
    return live.check_in_code


def window(live: LiveSession) -> tuple[datetime, datetime]:
    """When the code is accepted."""
    ends = live.starts_at + timedelta(minutes=live.duration_minutes)
    return live.starts_at - OPENS_BEFORE, ends + GRACE_AFTER


def is_open(live: LiveSession, now: datetime | None = None) -> bool:
    """Whether learners can check in now: the instructor has made a code, and it is the
    session's time. (Without a code the form would only collect wrong guesses.)"""
    if not live.check_in_code:
        return False
    opens, closes = window(live)
    return opens <= (now or utcnow()) <= closes


def normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def recent_failures(profile: Profile, now: datetime) -> int:
    return (
        session.scalar(
            sa.select(sa.func.count(CheckInFailure.id)).where(
                CheckInFailure.profile_id == profile.id,
                CheckInFailure.failed_at > now - FAILURE_WINDOW,
            )
        )
        or 0
    )


def check_in(
    profile: Profile, sessions: list[LiveSession], code: str, now: datetime | None = None
) -> Attendance:
    """Record the learner present at the open session whose code this is (flushes).

    CheckInError when no session is open for check-in, the learner has tried too many
    wrong codes, or the code is wrong (counted). A learner already marked present, late
    or made up keeps that mark.
    """
    now = now or utcnow()
    open_now = [live for live in sessions if is_open(live, now)]
    if not open_now:
        raise CheckInError(
            "Check-in is open from 15 minutes before the session until 30 minutes after it "
            "ends. Outside that time, your instructor records your attendance."
        )
    if recent_failures(profile, now) >= MAX_FAILURES:
        raise CheckInError(
            "Too many wrong codes. Wait 15 minutes, then try again, or ask your instructor "
            "to record your attendance."
        )
    given = normalise(code)
    live = next(
        (s for s in open_now if s.check_in_code and secrets.compare_digest(s.check_in_code, given)),
        None,
    )
    if live is None:
        session.add(
            CheckInFailure(profile_id=profile.id, live_session_id=open_now[0].id, failed_at=now)
        )
        session.flush()
        current_app.logger.warning(
            "Wrong live-session check-in code from profile %s (session %s)",
            profile.id,
            open_now[0].id,
        )
        raise CheckInError("That is not this session's check-in code. Check it and try again.")
    lock_row(LiveSession, live.id)  # a double click records one check-in
    existing = session.scalar(
        sa.select(Attendance).where(
            Attendance.live_session_id == live.id, Attendance.profile_id == profile.id
        )
    )
    if existing is not None:
        if existing.status is AttendanceStatus.ABSENT:  # arrived after the register
            existing.status = AttendanceStatus.LATE
            existing.method, existing.marked_by_id, existing.marked_at = "check-in", None, now
            session.flush()
        return existing
    attendance = Attendance(
        live_session_id=live.id,
        profile_id=profile.id,
        status=AttendanceStatus.PRESENT,
        marked_at=now,
        method="check-in",
    )
    session.add(attendance)
    session.flush()
    return attendance
