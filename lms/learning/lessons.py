"""A learner's progress row of a lesson, and marking the lesson complete. The time spent
on it (for CE credit) is counted by lms.learning.reading."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from lms.database import session, utcnow
from lms.models import Lesson, LessonProgress, Profile
from lms.xapi.record import lesson_launched


def lesson_progress(profile: Profile, lesson: Lesson) -> LessonProgress:
    """The learner's progress row for a lesson, created on first use (race-safe).

    PostgreSQL and SQLite: INSERT ... ON CONFLICT DO NOTHING, so a row made at the same
    moment in another tab is kept, without a savepoint: the SQLite driver commits a
    savepoint that opens the transaction when it is released, which would keep the new row
    even if the rest of the request failed.
    """
    query = sa.select(LessonProgress).where(
        LessonProgress.profile_id == profile.id, LessonProgress.lesson_id == lesson.id
    )
    progress = session.scalar(query)
    if progress is not None:
        return progress
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        now = utcnow()
        opened = session.execute(
            insert(LessonProgress)
            .values(
                profile_id=profile.id, lesson_id=lesson.id, first_opened_at=now, last_seen_at=now
            )
            .on_conflict_do_nothing(
                index_elements=[LessonProgress.profile_id, LessonProgress.lesson_id]
            )
            .returning(LessonProgress.id)
        ).scalar()
        progress = session.scalars(query).one()
        if opened is not None:  # the first visit: the learning record says "launched"
            lesson_launched(session, progress)
        return progress
    try:  # other databases
        with session.begin_nested():
            progress = LessonProgress(profile_id=profile.id, lesson_id=lesson.id)
            session.add(progress)
        lesson_launched(session, progress)
    except IntegrityError:  # opened at the same moment in another tab
        progress = session.scalars(query).one()
    return progress


def mark_complete(
    profile: Profile,
    lesson: Lesson,
    now: datetime | None = None,
    progress: LessonProgress | None = None,
) -> bool:
    """Complete the lesson; True if it was not complete before (idempotent). Pass the
    learner's `progress` row when the request already has it."""
    progress = progress or lesson_progress(profile, lesson)
    progress.last_seen_at = now or utcnow()
    if progress.completed_at is not None:
        return False
    progress.completed_at = progress.last_seen_at
    session.flush()
    return True
