"""Telling people about grading: in-app notifications and mail for learners when feedback
is released, changed or returned for revision, and the instructors' daily digest.

    feedback_released(attempt)          # after a release or a regrade (in a request)
    send_grading_digests(now)           # once a day: the worker's `grading-digest` job
                                        # (or `lms grading digest`)

Every function flushes and leaves the commit to the caller. Mail goes through
`lms.mail.send_mail` (outbox always, SMTP after the commit when configured) and never
carries the grade or the feedback itself: the learner reads those in the app, once
released.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from lms.database import session, utcnow
from lms.dates import format_local
from lms.grading.queue import waiting_by_quiz, waiting_count
from lms.jobs import handler
from lms.links import external_url
from lms.mail import send_mail
from lms.models import Attempt, Notification, OutboxMessage, Profile, Role
from lms.web import lms_url_for

__all__ = [
    "feedback_released",
    "mark_read",
    "notify",
    "recent",
    "returned_for_revision",
    "send_grading_digests",
    "unread_count",
    "waiting_count",
]

MESSAGE_MAX = 500
DIGEST_SUBJECT = "Grading digest for {day}"


def notify(profile: Profile, message: str, link: str = "") -> Notification:
    """An in-app notification for `profile` (flushed)."""
    notification = Notification(profile_id=profile.id, message=message[:MESSAGE_MAX], link=link)
    session.add(notification)
    session.flush()
    return notification


def _review_link(attempt: Attempt) -> tuple[str, str]:
    """(in-app path, link for a mail) to the learner's review of the attempt."""
    return (
        lms_url_for("quizzes.review", attempt_id=attempt.id),
        external_url("quizzes.review", attempt_id=attempt.id),
    )


def feedback_released(attempt: Attempt, *, regraded: bool = False) -> Notification:
    """Tell the learner that feedback on their attempt is released (or was changed)."""
    learner, title = attempt.profile, attempt.quiz.title
    path, link = _review_link(attempt)
    if regraded:
        message = f"Your instructor changed your grade on “{title}”. See the review."
        subject = f"Your grade on “{title}” was changed"
    else:
        message = f"Your instructor released feedback on “{title}”. See the review."
        subject = f"Feedback on “{title}” is ready"
    notification = notify(learner, message, path)
    send_mail(
        learner.email,
        subject,
        f"Hello {learner.display_name},\n\n{message.removesuffix(' See the review.')}\n"
        f"Read it here: {link}\n",
    )
    return notification


def returned_for_revision(attempt: Attempt, note: str) -> Notification:
    """Tell the learner an essay came back for revision (the note is in the app)."""
    learner, title = attempt.profile, attempt.quiz.title
    path, link = _review_link(attempt)
    message = f"Your instructor returned an answer in “{title}” for you to revise."
    notification = notify(learner, message, path)
    send_mail(
        learner.email,
        f"Please revise your answer in “{title}”",
        f"Hello {learner.display_name},\n\n{message} Their note and the form to resubmit "
        f"are on the review page: {link}\n",
    )
    return notification


# -- the learner's list --------------------------------------------------------------------------


def recent(profile: Profile, limit: int = 50) -> list[Notification]:
    return list(
        session.scalars(
            sa.select(Notification)
            .where(Notification.profile_id == profile.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(profile: Profile) -> int:
    return (
        session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.profile_id == profile.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def mark_read(profile: Profile, notification_id: int | None = None) -> int:
    """Mark one of the profile's notifications (or all of them) read; returns how many."""
    query = sa.update(Notification).where(
        Notification.profile_id == profile.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    result = session.execute(query.values(read_at=utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# -- the instructors' daily digest -----------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    to: str
    subject: str
    body: str


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def build_digest(profile: Profile) -> Digest | None:
    """The digest for one instructor, or None when nothing waits in their scope."""
    counts = waiting_by_quiz(profile)
    total = sum(c.count for c in counts)
    if not total:
        return None
    parts = [f"{c.count} in “{c.quiz_title}” ({c.course_title})" for c in counts]
    oldest = min((c.oldest for c in counts if c.oldest is not None), default=None)
    since = (
        f" The oldest was handed in on {format_local(oldest, profile.timezone)}." if oldest else ""
    )
    waits = "is" if total == 1 else "are"
    body = (
        f"Hello {profile.display_name},\n\n"
        f"{plural(total, 'essay answer')} {waits} waiting for grading in your courses: "
        f"{'; '.join(parts)}.{since}\n\n"
        f"Open the grading queue: {external_url('grading.queue')}\n"
    )
    return Digest(profile.email, f"{plural(total, 'answer')} waiting", body)


def send_grading_digests(now: datetime | None = None) -> list[str]:
    """Mail each instructor with anything waiting a summary; returns who was mailed.

    Instructors with nothing waiting get nothing. Idempotent per day (UTC): an
    instructor whose digest for `now`'s date is already in the outbox is skipped, so a
    digest that runs twice in a day (the worker and the CLI, say) sends one mail.
    """
    day = (now or utcnow()).astimezone(UTC).date().isoformat()
    prefix = DIGEST_SUBJECT.format(day=day)
    already = {
        address.casefold()
        for address in session.scalars(
            sa.select(OutboxMessage.to_address).where(
                OutboxMessage.subject.startswith(prefix, autoescape=True)
            )
        )
    }
    sent = []
    instructors = session.scalars(
        sa.select(Profile).where(Profile.role == Role.INSTRUCTOR).order_by(Profile.id)
    )
    for profile in instructors:
        if not profile.email or profile.email.casefold() in already:
            continue
        digest = build_digest(profile)
        if digest is None:
            continue
        send_mail(
            digest.to,
            f"{prefix}: {digest.subject}",
            digest.body,
            key=f"mail:grading-digest:{day}:{profile.id}",
        )
        already.add(profile.email.casefold())
        sent.append(profile.email)
    return sent


@handler("grading-digest")
def digest_job(payload: object, key: str) -> None:
    """The daily periodic job (see `lms.jobs.periodic`): the digests' mail is queued in
    the job's own transaction."""
    at = payload.get("at") if isinstance(payload, dict) else None
    send_grading_digests(datetime.fromisoformat(at) if isinstance(at, str) else None)
