"""Reading time that CE credit can rest on: measured by the server, bounded by the clock.

A lesson page carries a signed *view token* (who, which lesson, when the page was opened).
While the page is visible and the learner is active, its script reports the active
seconds since its last report; the server credits the smaller of

- what the page claims,
- the wall-clock time since the later of the page's opening and the last credit (so a
  script, a replayed report or two tabs cannot claim more time than has passed),
- a cap per report (LMS_PING_MAX_SECONDS), so a tab left open and idle earns little.

Without JavaScript the "Mark complete" form carries the same token, and the time between
opening and marking complete counts, capped at the lesson's stated minutes.

A credit-bearing course sets a minimum (`ce.min_time_fraction` of the lesson's minutes)
before "Mark complete" is accepted; an admin can exempt a learner (recorded with a
reason). Live-session pages have no minimum: attendance completes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lms.ce.details import ce_details
from lms.database import session, utcnow
from lms.learning.lessons import lesson_progress
from lms.models import (
    Course,
    Enrolment,
    Lesson,
    LessonKind,
    LessonProgress,
    Profile,
    TimeExemption,
)

#: A page opened longer ago than this must be reloaded before its time counts.
VIEW_MAX_AGE = 12 * 3600
#: The most a single report may claim (the page reports about every 30 seconds).
MAX_CLAIM = 3600


class ReadingError(ValueError):
    """A time report that cannot be credited; the message says why."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lms-lesson-view")


def view_token(profile: Profile, lesson: Lesson) -> str:
    """The token of one viewing of a lesson page, for its time reports."""
    return _serializer().dumps({"p": profile.id, "l": lesson.id})


def opened_at(token: str | None, profile: Profile, lesson: Lesson) -> datetime:
    """When the page with this token was opened; ReadingError for a bad or foreign token."""
    if not token or not isinstance(token, str) or len(token) > 200:
        raise ReadingError("This page's reading session is missing: reload the page.")
    try:
        data, signed_at = _serializer().loads(token, max_age=VIEW_MAX_AGE, return_timestamp=True)
    except BadSignature:
        raise ReadingError(
            "This page's reading session has expired or is not valid: reload the page."
        ) from None
    if not isinstance(data, dict) or (data.get("p"), data.get("l")) != (profile.id, lesson.id):
        raise ReadingError("This reading session belongs to another page: reload the page.")
    return signed_at.replace(tzinfo=UTC) if signed_at.tzinfo is None else signed_at


def credit(
    progress: LessonProgress,
    opened: datetime,
    claimed: float,
    cap: float,
    now: datetime | None = None,
) -> int:
    """Add up to `claimed` seconds, bounded by the clock since the last credit and by
    `cap`; returns the seconds credited. Flushes."""
    now = now or utcnow()
    since = max(opened, progress.credited_at or opened)
    elapsed = (now - since).total_seconds()
    seconds = int(max(0.0, min(claimed, elapsed, cap)))
    if seconds:
        progress.active_seconds += seconds
    progress.credited_at = max(now, progress.credited_at or now)
    progress.last_seen_at = now
    session.flush()
    return seconds


def report_time(
    profile: Profile, lesson: Lesson, token: str | None, claimed: object
) -> LessonProgress:
    """A page's report of active seconds (a beacon). ReadingError when malformed."""
    if isinstance(claimed, bool) or not isinstance(claimed, (int, float)):
        raise ReadingError("Send the active seconds as a number.")
    if not 0 <= claimed <= MAX_CLAIM:
        raise ReadingError(f"Active seconds must be between 0 and {MAX_CLAIM}.")
    opened = opened_at(token, profile, lesson)
    progress = lesson_progress(profile, lesson)
    credit(progress, opened, float(claimed), current_app.config["LMS_PING_MAX_SECONDS"])
    return progress


def credit_on_completion(
    profile: Profile, lesson: Lesson, token: str | None, *, scripted: bool
) -> LessonProgress:
    """Count the time since the last credit when "Mark complete" is posted: from a page
    whose script reports time (`scripted`), at most one report's worth; from a page
    without JavaScript, the time since it opened, up to the lesson's minutes in all. A
    missing or bad token credits nothing."""
    progress = lesson_progress(profile, lesson)
    try:
        opened = opened_at(token, profile, lesson)
    except ReadingError:
        return progress
    if scripted:
        cap = current_app.config["LMS_PING_MAX_SECONDS"]
    else:
        cap = max(lesson.minutes * 60 - progress.active_seconds, 0)
    credit(progress, opened, float("inf"), cap)
    return progress


# -- the minimum before completion ------------------------------------------------------------


@dataclass(frozen=True)
class ReadingMinimum:
    required_seconds: int
    spent_seconds: int
    exempt: bool

    @property
    def remaining_seconds(self) -> int:
        if self.exempt:
            return 0
        return max(self.required_seconds - self.spent_seconds, 0)

    @property
    def met(self) -> bool:
        return self.remaining_seconds == 0

    def message(self) -> str:
        minutes = max(1, round(self.remaining_seconds / 60))
        amount = "about a minute" if minutes == 1 else f"about {minutes} more minutes"
        return (
            f"This course counts time spent reading towards your CE credit: spend {amount} "
            "on this page before marking it complete."
        )


def required_seconds(course: Course, lesson: Lesson) -> int:
    """The reading time a lesson needs before it can be marked complete."""
    details = ce_details(course)
    if details is None or lesson.kind is LessonKind.LIVE_SESSION:
        return 0
    return round(details.min_time_fraction * lesson.minutes * 60)


def is_exempt(enrolment: Enrolment) -> bool:
    return bool(
        session.scalar(sa.select(sa.exists().where(TimeExemption.enrolment_id == enrolment.id)))
    )


def reading_minimum(
    course: Course, lesson: Lesson, enrolment: Enrolment, progress: LessonProgress | None
) -> ReadingMinimum:
    required = required_seconds(course, lesson)
    spent = progress.active_seconds if progress is not None else 0
    exempt = required > spent and is_exempt(enrolment)
    return ReadingMinimum(required, spent, exempt)


def exempt_from_minimum(enrolment: Enrolment, reason: str, by: Profile) -> TimeExemption:
    """An admin lets this learner complete lessons without the minimum (idempotent)."""
    existing = session.scalar(
        sa.select(TimeExemption).where(TimeExemption.enrolment_id == enrolment.id)
    )
    if existing is not None:
        return existing
    exemption = TimeExemption(enrolment_id=enrolment.id, granted_by_id=by.id, reason=reason)
    session.add(exemption)
    session.flush()
    return exemption
