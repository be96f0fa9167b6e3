"""The CE record: an append-only log of every change that affects CE credit.

Most entries are written by a `before_flush` hook, so no code path that changes credit
through the ORM can forget one: a reading-time credit, a lesson completed, attendance
recorded or changed, an evaluation submitted, the disclosure acknowledged, a quiz graded,
an essay grade released, changed or withdrawn, a date override, a time exemption, a
course completed, a learner removed. Certificate operations (issue, revoke, reissue) call
`record` themselves, with their reasons. Either way the entry is part of the same flush,
so it is committed or rolled back with the change.

Entries are never updated or deleted by the app (the hook refuses it); only
`lms ce purge` removes entries past the retention period, with a bulk DELETE.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import g, has_request_context

from lms.database import utcnow
from lms.models import (
    Attempt,
    AttemptStatus,
    Attendance,
    CEEvent,
    Enrolment,
    EnrolmentOverride,
    EvaluationSubmission,
    Grade,
    GradeStatus,
    Lesson,
    LessonProgress,
    LiveSession,
    Quiz,
    TimeExemption,
)

#: Every kind of entry, and what it means.
KINDS: dict[str, str] = {
    "lesson_time": "reading time credited to a lesson",
    "lesson_completed": "a lesson marked complete",
    "attendance": "live-session attendance recorded or changed",
    "evaluation_submitted": "the course evaluation submitted",
    "disclosure_acknowledged": "the CE disclosure acknowledged",
    "quiz_graded": "a quiz attempt graded (score and result)",
    "grade_released": "an essay grade released to the learner",
    "grade_changed": "a released essay grade changed (regrade)",
    "grade_withdrawn": "a released essay grade withdrawn (returned for revision)",
    "override": "a learner's own release or due date set",
    "time_exemption": "an exemption from the minimum reading time",
    "course_completed": "every requirement of the course met",
    "certificate_issued": "a certificate issued",
    "certificate_revoked": "a certificate revoked",
    "certificate_reissued": "a certificate reissued under a new number",
    "learner_removed": "the learner removed (profile pseudonymised, record kept)",
}


class AppendOnlyError(RuntimeError):
    """Something tried to change or delete an entry of the CE record."""


def current_actor_id() -> int | None:
    """Who is making the change: the signed-in profile, or None (system, CLI)."""
    if not has_request_context():
        return None
    profile = g.get("lms_profile")
    return profile.id if profile is not None else None


def record(
    session: so.Session,
    kind: str,
    *,
    profile_id: int | None,
    course_id: int | None = None,
    enrolment_id: int | None = None,
    subject: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    actor_id: int | None = None,
    at: datetime | None = None,
) -> CEEvent:
    """Add one entry to the CE record (flushed with the change it records)."""
    if kind not in KINDS:
        raise ValueError(f"unknown CE record kind {kind!r}")
    event = CEEvent(
        occurred_at=at or utcnow(),
        kind=kind,
        profile_id=profile_id,
        course_id=course_id,
        enrolment_id=enrolment_id,
        actor_id=actor_id if actor_id is not None else current_actor_id(),
        subject=subject,
        before=_plain(before),
        after=_plain(after),
        note=note,
    )
    session.add(event)
    return event


def _plain(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """JSON-ready values: datetimes as ISO strings, decimals as strings, enums by value."""
    if values is None:
        return None
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        elif hasattr(value, "value") and not isinstance(value, (int, float, str, bool)):
            value = value.value
        out[key] = value
    return out


# -- the hook ----------------------------------------------------------------------------------


def _change(row: Any, attribute: str) -> tuple[Any, Any] | None:
    """(before, after) of an attribute this flush changes, or None."""
    history = sa.inspect(row).attrs[attribute].history
    if not history.has_changes():
        return None
    before = history.deleted[0] if history.deleted else None
    after = history.added[0] if history.added else None
    return None if before == after else (before, after)


def _is_new(row: Any) -> bool:
    return sa.inspect(row).pending


def _lesson_course(session: so.Session, lesson_id: int | None) -> int | None:
    lesson = session.get(Lesson, lesson_id) if lesson_id is not None else None
    return lesson.course_id if lesson is not None else None


def _progress(session: so.Session, row: LessonProgress) -> Iterable[CEEvent]:
    course_id = _lesson_course(session, row.lesson_id)
    common = {
        "profile_id": row.profile_id,
        "course_id": course_id,
        "subject": f"lesson:{row.lesson_id}",
    }
    seconds = _change(row, "active_seconds")
    if seconds is not None and (seconds[1] or 0) != (seconds[0] or 0):
        yield record(session, "lesson_time", before={"active_seconds": seconds[0] or 0},
                     after={"active_seconds": seconds[1]}, **common)  # fmt: skip
    completed = _change(row, "completed_at")
    if completed is not None and completed[1] is not None:
        yield record(session, "lesson_completed", before={"completed_at": completed[0]},
                     after={"completed_at": completed[1]}, **common)  # fmt: skip


def _attendance(session: so.Session, row: Attendance) -> Iterable[CEEvent]:
    change = (None, row.status) if _is_new(row) else _change(row, "status")
    if change is None:
        return
    live = session.get(LiveSession, row.live_session_id)
    course_id = live.cohort.course_id if live is not None else None
    enrolment = _enrolment_of(session, row.profile_id, course_id)
    yield record(
        session,
        "attendance",
        profile_id=row.profile_id,
        course_id=course_id,
        enrolment_id=enrolment,
        subject=f"live_session:{row.live_session_id}",
        before={"status": change[0]},
        after={"status": change[1], "method": row.method},
        actor_id=row.marked_by_id,
    )


def _enrolment_of(session: so.Session, profile_id: int, course_id: int | None) -> int | None:
    if course_id is None:
        return None
    return session.scalar(
        sa.select(Enrolment.id).where(
            Enrolment.profile_id == profile_id, Enrolment.course_id == course_id
        )
    )


def _enrolment(session: so.Session, row: Enrolment) -> Iterable[CEEvent]:
    common = {"profile_id": row.profile_id, "course_id": row.course_id, "enrolment_id": row.id}
    acknowledged = _change(row, "disclosure_acknowledged_at")
    if acknowledged is not None and acknowledged[1] is not None:
        yield record(session, "disclosure_acknowledged",
                     after={"acknowledged_at": acknowledged[1]}, **common)  # fmt: skip
    completed = _change(row, "completed_at")
    if completed is not None and completed[1] is not None:
        yield record(session, "course_completed", after={"completed_at": completed[1]}, **common)


def _submission(session: so.Session, row: EvaluationSubmission) -> Iterable[CEEvent]:
    if not _is_new(row):
        return
    enrolment = session.get(Enrolment, row.enrolment_id)
    yield record(
        session,
        "evaluation_submitted",
        profile_id=enrolment.profile_id if enrolment else None,
        course_id=enrolment.course_id if enrolment else None,
        enrolment_id=row.enrolment_id,
        subject=f"evaluation:{row.evaluation_id}",
        after={"submitted_at": row.submitted_at or utcnow()},
    )


def _attempt(session: so.Session, row: Attempt) -> Iterable[CEEvent]:
    if row.status is not AttemptStatus.GRADED:
        return
    score, passed, status = (_change(row, name) for name in ("score", "passed", "status"))
    if score is None and passed is None and status is None:
        return
    quiz = session.get(Quiz, row.quiz_id)
    before_score = score[0] if score else row.score
    before_passed = passed[0] if passed else row.passed
    yield record(
        session,
        "quiz_graded",
        profile_id=row.profile_id,
        course_id=quiz.course_id if quiz else None,
        subject=f"attempt:{row.id}",
        before={"score": before_score, "passed": before_passed} if status is None else None,
        after={"score": row.score, "max_score": row.max_score, "passed": row.passed},
        note=quiz.title if quiz else "",
    )


def _grade(session: so.Session, row: Grade) -> Iterable[CEEvent]:
    status, score = _change(row, "status"), _change(row, "score")
    if status is not None and status[1] is GradeStatus.RELEASED:
        kind = "grade_released"
    elif status is not None and status[0] is GradeStatus.RELEASED:
        kind = "grade_withdrawn"
    elif score is not None and row.status is GradeStatus.RELEASED:
        kind = "grade_changed"
    else:
        return
    answer = row.answer
    attempt = answer.attempt
    quiz = session.get(Quiz, attempt.quiz_id)
    yield record(
        session,
        kind,
        profile_id=attempt.profile_id,
        course_id=quiz.course_id if quiz else None,
        subject=f"answer:{answer.id}",
        before={
            "score": score[0] if score else row.score,
            "status": status[0] if status else row.status,
        },
        after={"score": row.score, "status": row.status},
    )


def _override(session: so.Session, row: EnrolmentOverride) -> Iterable[CEEvent]:
    changes = {name: _change(row, name) for name in ("opens_at", "due_at")}
    if not _is_new(row) and not any(changes.values()):
        return
    enrolment = row.enrolment  # a new override may only be linked through the relationship
    yield record(
        session,
        "override",
        profile_id=enrolment.profile_id if enrolment else None,
        course_id=enrolment.course_id if enrolment else None,
        enrolment_id=enrolment.id if enrolment else None,
        subject=f"module:{row.module_id}",
        before={name: change[0] for name, change in changes.items() if change},
        after={"opens_at": row.opens_at, "due_at": row.due_at},
    )


def _exemption(session: so.Session, row: TimeExemption) -> Iterable[CEEvent]:
    if not _is_new(row):
        return
    enrolment = session.get(Enrolment, row.enrolment_id)
    yield record(
        session,
        "time_exemption",
        profile_id=enrolment.profile_id if enrolment else None,
        course_id=enrolment.course_id if enrolment else None,
        enrolment_id=row.enrolment_id,
        after={"exempt": True},
        note=row.reason,
        actor_id=row.granted_by_id,
    )


WATCHERS: dict[type, Callable[[so.Session, Any], Iterable[CEEvent]]] = {
    LessonProgress: _progress,
    Attendance: _attendance,
    Enrolment: _enrolment,
    EvaluationSubmission: _submission,
    Attempt: _attempt,
    Grade: _grade,
    EnrolmentOverride: _override,
    TimeExemption: _exemption,
}


@sa.event.listens_for(so.Session, "before_flush")
def _record_credit_changes(session: so.Session, _context: Any, _instances: Any) -> None:
    for row in itertools.chain(session.dirty, session.deleted):
        if isinstance(row, CEEvent) and (row in session.deleted or session.is_modified(row)):
            raise AppendOnlyError("The CE record is append-only: entries are never changed.")
    rows = [
        row
        for row in itertools.chain(session.new, session.dirty)
        if type(row) in WATCHERS and row not in session.deleted
    ]
    if not rows:
        return
    with session.no_autoflush:
        for row in rows:
            list(WATCHERS[type(row)](session, row))
