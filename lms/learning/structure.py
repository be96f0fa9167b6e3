"""Each course's structure (its modules, lessons and quizzes, without lesson bodies), kept
once per process: every learner page computes an outline from it, and it changes only
when courses are synced. Loading it took four of a lesson page's queries and about a
third of its time.

The cached rows are loaded in a private session and detached: read-only snapshots that
never join a request's session, so a commit cannot expire them. Code that writes content
or links new rows to it uses `lms.learning.progress.load_course` instead.

An entry is used while two stamps match what they were when it was loaded:
- the course row's `updated_at`, which `lms courses sync` moves whenever anything in the
  course changes (another process, e.g. the CLI, synced);
- this process's content generation, which moves whenever a session of this process
  flushes a course, module, lesson or quiz, and again when it commits or rolls that back.
So content must change through sync or through this app's sessions: an UPDATE written by
hand from elsewhere, leaving `lms_course.updated_at` as it was, is served stale until the
course's next sync or a restart.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, g, has_request_context

from lms.database import session
from lms.models import Course, Evaluation, Lesson, Module, Quiz

CONTENT_ROWS = (Course, Module, Lesson, Quiz, Evaluation)

_generation = 0
_lock = threading.Lock()


@dataclass(frozen=True)
class CachedStructure:
    updated_at: datetime
    generation: int
    course: Course


def course_query(course_id: int) -> sa.Select[tuple[Course]]:
    """A course with its modules, lessons (bodies left out), quizzes and evaluations: five
    queries."""
    return (
        sa.select(Course)
        .where(Course.id == course_id)
        .options(
            so.selectinload(Course.modules)
            .selectinload(Module.lessons)
            .options(so.defer(Lesson.body_html), so.defer(Lesson.body_markdown)),
            so.selectinload(Course.modules).selectinload(Module.quizzes),
            so.selectinload(Course.modules).selectinload(Module.evaluations),
        )
    )


def course_structure(course_id: int) -> Course:
    """The course's structure for reading: detached rows shared by this process's requests.

    Costs no query while the request's session already holds the course row (the pages
    that show an item look it up by its address first), else one.
    """
    generation = _generation  # read before loading: an edit meanwhile makes a new entry
    course = session.get(Course, course_id)
    if course is None:
        raise LookupError(f"no course with id {course_id}")
    if has_request_context():
        # The session holds rows weakly: keep this one for the request, so the next look
        # (another part of the page) finds it in the session instead of querying again.
        g.setdefault("lms_course_rows", {})[course_id] = course
    cache: dict[int, CachedStructure] = current_app.extensions["lms"].course_structures
    cached = cache.get(course_id)
    if cached is None or (cached.updated_at, cached.generation) != (
        course.updated_at,
        generation,
    ):
        cached = CachedStructure(course.updated_at, generation, _load_detached(course_id))
        cache[course_id] = cached
    return cached.course


def _load_detached(course_id: int) -> Course:
    # A private session on the request's connection sees what the request sees (its own
    # uncommitted writes too); closing it detaches the rows and leaves the transaction be.
    connection = session.connection(bind_arguments={"mapper": Course})
    with so.Session(bind=connection) as private:
        return private.scalars(course_query(course_id)).one()


def _next_generation() -> None:
    global _generation
    with _lock:
        _generation += 1


@sa.event.listens_for(so.Session, "after_flush")
def _note_content_edits(flushed: so.Session, _context: Any) -> None:
    rows = itertools.chain(flushed.new, flushed.dirty, flushed.deleted)
    if any(isinstance(row, CONTENT_ROWS) for row in rows):
        flushed.info["lms_content_edited"] = True
        _next_generation()


@sa.event.listens_for(so.Session, "after_commit")
@sa.event.listens_for(so.Session, "after_rollback")
def _content_edits_ended(ended: so.Session) -> None:
    # Between the flush and now, another request may have cached the rows as committed
    # before this commit, or this session's own rows that the rollback has just undone.
    if ended.info.pop("lms_content_edited", False):
        _next_generation()
