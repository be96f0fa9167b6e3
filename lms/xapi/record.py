"""Statements from what the database records: a flush hook that turns new enrolments,
first lesson visits, quiz attempts and CE record entries (lessons completed, attendance,
quizzes graded, courses completed, certificates issued; see `lms.ce.record`) into xAPI
statements, queued as `xapi` jobs in the same transaction. Only with an LRS configured
(`LMS_XAPI_ENDPOINT`)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_app_context

from lms.database import utcnow
from lms.jobs import enqueue
from lms.models import (
    Attempt,
    CEEvent,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
    LiveSession,
    Quiz,
)
from lms.xapi.statements import activity, duration, score, statement

ATTENDED = {"present", "late", "made_up"}


def _course(db: so.Session, course_id: int | None) -> dict[str, Any] | None:
    course = db.get(Course, course_id) if course_id is not None else None
    return activity("course", course.slug, course.title) if course is not None else None


def _enrolment_id(db: so.Session, profile_id: int | None, course_id: int | None) -> int | None:
    if profile_id is None or course_id is None:
        return None
    return db.scalar(
        sa.select(Enrolment.id)
        .where(Enrolment.profile_id == profile_id, Enrolment.course_id == course_id)
        .order_by(Enrolment.id)
        .limit(1)
    )


def _subject_id(event: CEEvent) -> int | None:
    _, _, ident = event.subject.partition(":")
    return int(ident) if ident.isdigit() else None


def _from_enrolment(db: so.Session, row: Enrolment) -> list[dict[str, Any]]:
    course = _course(db, row.course_id)
    if course is None:
        return []
    return [
        statement(f"registered:enrolment:{row.id}", "registered", profile_id=row.profile_id,
                  enrolment_id=row.id, obj=course, course=course, at=utcnow())
    ]  # fmt: skip


def _from_progress(db: so.Session, row: LessonProgress) -> list[dict[str, Any]]:
    lesson = db.get(Lesson, row.lesson_id)
    enrolment = _enrolment_id(db, row.profile_id, lesson.course_id if lesson else None)
    if lesson is None or enrolment is None:
        return []
    return [
        statement(f"launched:progress:{row.id}", "launched", profile_id=row.profile_id,
                  enrolment_id=enrolment, obj=activity("lesson", lesson.id, lesson.title),
                  course=_course(db, lesson.course_id), at=row.first_opened_at or utcnow())
    ]  # fmt: skip


def _from_attempt(db: so.Session, row: Attempt) -> list[dict[str, Any]]:
    quiz = db.get(Quiz, row.quiz_id)
    enrolment = _enrolment_id(db, row.profile_id, quiz.course_id if quiz else None)
    if quiz is None or enrolment is None:
        return []
    return [
        statement(f"attempted:attempt:{row.id}", "attempted", profile_id=row.profile_id,
                  enrolment_id=enrolment, obj=activity("quiz", quiz.id, quiz.title),
                  course=_course(db, quiz.course_id), at=row.started_at or utcnow())
    ]  # fmt: skip


def _from_event(db: so.Session, event: CEEvent) -> list[dict[str, Any]]:
    enrolment = event.enrolment_id or _enrolment_id(db, event.profile_id, event.course_id)
    if enrolment is None or event.profile_id is None:
        return []
    course = _course(db, event.course_id)
    after = event.after or {}
    common: dict[str, Any] = {
        "profile_id": event.profile_id,
        "enrolment_id": enrolment,
        "course": course,
        "at": event.occurred_at or utcnow(),
    }
    name = f"ce:{event.id}"
    ident = _subject_id(event)
    if event.kind == "lesson_completed" and ident is not None:
        lesson = db.get(Lesson, ident)
        seconds = db.scalar(
            sa.select(LessonProgress.active_seconds).where(
                LessonProgress.profile_id == event.profile_id, LessonProgress.lesson_id == ident
            )
        )
        if lesson is None:
            return []
        result = {"completion": True, "duration": duration(seconds or 0)}
        obj = activity("lesson", lesson.id, lesson.title)
        return [statement(name, "completed", obj=obj, result=result, **common)]
    if event.kind == "quiz_graded" and ident is not None:
        attempt = db.get(Attempt, ident)
        quiz = db.get(Quiz, attempt.quiz_id) if attempt is not None else None
        if attempt is None or quiz is None or after.get("passed") is None:
            return []
        passed = bool(after["passed"])
        result: dict[str, Any] = {"success": passed, "completion": True}
        found = score(after.get("score"), after.get("max_score"))
        if found is not None:
            result["score"] = found
        obj = activity("quiz", quiz.id, quiz.title)
        mastery = quiz.pass_mark / 100 if quiz.pass_mark else None
        verb = "passed" if passed else "failed"
        return [statement(name, verb, obj=obj, result=result, mastery=mastery, **common)]
    if event.kind == "attendance" and ident is not None and after.get("status") in ATTENDED:
        live = db.get(LiveSession, ident)
        if live is None:
            return []
        obj = activity("live-session", live.id, live.title)
        return [statement(name, "attended", obj=obj, **common)]
    if event.kind == "course_completed" and course is not None:
        return [statement(name, "satisfied", obj=course, **common)]
    if event.kind == "certificate_issued":
        _, _, code = event.subject.partition(":")
        title = f"Certificate: {course['definition']['name']['en']}" if course else "Certificate"
        obj = activity("certificate", code, title)
        return [statement(name, "earned", obj=obj, **common)]
    return []


#: New rows that make statements, in the order a learner lives them. (A first visit to a
#: lesson is inserted without the ORM: `lesson_launched` is called for it.)
BUILDERS: list[tuple[type, Any]] = [
    (Enrolment, _from_enrolment),
    (Attempt, _from_attempt),
    (CEEvent, _from_event),
]


def _sending() -> bool:
    return has_app_context() and bool(current_app.config.get("LMS_XAPI_ENDPOINT"))


def _queue(db: so.Session, statements: list[dict[str, Any]]) -> None:
    for item in statements:
        enqueue("xapi", {"statement": item}, key=f"xapi:{item['id']}", db=db)


def lesson_launched(db: so.Session, progress: LessonProgress) -> None:
    """Queue "launched" for a learner's first visit to a lesson (in the caller's
    transaction)."""
    if _sending():
        _queue(db, _from_progress(db, progress))


@sa.event.listens_for(so.Session, "after_flush")
def _queue_statements(db: so.Session, _context: Any) -> None:
    if not _sending():
        return
    new = list(db.new)
    if not new:
        return
    statements: list[dict[str, Any]] = []
    for model, build in BUILDERS:  # in this order: registered before launched, ...
        rows = sorted((row for row in new if isinstance(row, model)), key=lambda r: r.id)
        for row in rows:
            statements += build(db, row)
    statements.sort(key=lambda s: (s["timestamp"], _ORDER.get(s["verb"]["display"]["en-US"], 9)))
    _queue(db, statements)


#: Within one flush, the order a learner lives them in.
_ORDER = {"registered": 0, "launched": 1, "attempted": 2, "completed": 3, "passed": 4,
          "failed": 4, "attended": 5, "satisfied": 6, "earned": 7}  # fmt: skip
