"""Background jobs: effects outside the database, carried out once, after the commit.

    from lms.jobs import enqueue, handler

    @handler("mail")
    def deliver(payload: dict) -> None: ...

    enqueue("mail", {"outbox_id": 12}, key="mail:outbox:12")   # in the request's transaction

A job is a row of `lms_job` written in the same transaction as the change that causes it
(the transactional outbox): a request that rolls back leaves no job, and nothing leaves
the building before the commit. The key says what the job does; the same key twice makes
one job. A worker (see `lms.jobs.worker`; on PostgreSQL, procrastinate, see
`lms.jobs.engine`) claims due jobs, runs their handler and marks them done. A failure is
retried with exponential backoff up to a cap; after `LMS_JOBS_MAX_ATTEMPTS` attempts, or
at once for a permanent failure (a 4xx from the receiver, a payload that makes no sense),
the job is dead: listed at /admin/jobs and by `lms jobs list`, where an admin retries or
discards it.

Handlers must be harmless to run twice: a worker that dies after the effect but before
marking the job done leaves it to be run again. They pass the key on to receivers that
can use it (xAPI statement ids, the mail's Message-ID).
"""

from __future__ import annotations

import json
import logging
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from lms.database import session, utcnow
from lms.models import Job, JobState

logger = logging.getLogger("lms.jobs")

MAX_KEY_LENGTH = 200
MAX_ERROR_LENGTH = 4000
#: Modules whose import registers the handlers (imported before a worker runs a job).
HANDLER_MODULES = ("lms.mail", "lms.xapi.send", "lms.notifications", "lms.lti.outbox")


class PermanentError(Exception):
    """A failure that retrying cannot fix (the job goes dead at once)."""


class TransientError(Exception):
    """A failure worth retrying later (a receiver down, slow or answering 5xx)."""


#: Failures retried with backoff; anything else is a bug or bad data, and dead at once.
TRANSIENT: tuple[type[BaseException], ...] = (
    TransientError,
    OSError,  # includes smtplib.SMTPException and socket timeouts
    sa.exc.OperationalError,
)


class JobPayloadError(ValueError):
    """A payload that cannot be stored (not JSON); raised before the commit."""


@dataclass(frozen=True)
class Handler:
    run: Callable[[Any, str], None]
    #: Called with (payload, error text) in the transaction that records a failure.
    on_failure: Callable[[Any, str], None] | None = None


HANDLERS: dict[str, Handler] = {}


def handler(
    kind: str, *, on_failure: Callable[[Any, str], None] | None = None
) -> Callable[[Callable[[Any, str], None]], Callable[[Any, str], None]]:
    """Register the function that carries out jobs of `kind`: `run(payload, key)`."""

    def register(function: Callable[[Any, str], None]) -> Callable[[Any, str], None]:
        HANDLERS[kind] = Handler(function, on_failure)
        return function

    return register


def load_handlers() -> None:
    import importlib

    for module in HANDLER_MODULES:
        importlib.import_module(module)


# -- enqueueing, in the caller's transaction ------------------------------------------------------

#: Set when a commit may have made jobs due: in-process workers wake up at once.
wake_up = threading.Event()


def _insert(dialect: str) -> Callable[..., Any]:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert  # type: ignore[no-any-return]


def enqueue(
    kind: str,
    payload: Any,
    *,
    key: str | None = None,
    delay: timedelta | None = None,
    db: so.Session | None = None,
) -> int | None:
    """Add a job to the current transaction; returns its id, or None when a job with this
    key exists already (enqueueing is idempotent). Nothing runs before the commit.

    JobPayloadError when the payload cannot be stored as JSON (before anything is written).
    `db`: the session to write in (default: the app's); a flush hook passes its own. The
    row is inserted with a Core statement on the session's connection, so this works
    inside a flush too.
    """
    if kind not in HANDLERS:
        load_handlers()
    if kind not in HANDLERS:
        raise ValueError(f"no handler for jobs of kind {kind!r}")
    try:
        stored = json.loads(json.dumps(payload, allow_nan=False))
    except (TypeError, ValueError) as error:
        raise JobPayloadError(f"the {kind} job's payload is not JSON: {error}") from error
    key = key or f"{kind}:{uuid.uuid4()}"
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"job key longer than {MAX_KEY_LENGTH} characters: {key[:40]}...")
    now = utcnow()
    due = now + (delay or timedelta())
    db = db if db is not None else session
    connection = db.connection()
    statement = (
        _insert(connection.dialect.name)(Job.__table__)
        .values(
            kind=kind,
            payload=stored,
            key=key,
            state=JobState.PENDING,
            attempts=0,
            next_attempt_at=due,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Job.__table__.c.id)
    )
    job_id = connection.execute(statement).scalar()
    if job_id is not None:
        db.info["lms_jobs_enqueued"] = True
        from lms.jobs import engine

        engine.hand_over(job_id, due, connection)
    return job_id


@sa.event.listens_for(so.Session, "after_commit")
def _wake_workers(db_session: so.Session) -> None:
    if db_session.info.pop("lms_jobs_enqueued", False):
        wake_up.set()


@sa.event.listens_for(so.Session, "after_rollback")
def _forget_jobs(db_session: so.Session) -> None:
    db_session.info.pop("lms_jobs_enqueued", None)


# -- running -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    key: str
    attempts: int


def _setting(name: str) -> int:
    return int(current_app.config[name])


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure: doubling, up to the cap."""
    base = _setting("LMS_JOBS_BACKOFF_SECONDS")
    cap = _setting("LMS_JOBS_BACKOFF_MAX_SECONDS")
    return timedelta(seconds=min(cap, base * 2 ** max(0, min(attempts - 1, 30))))


def claim(job_id: int | None = None, now: datetime | None = None) -> Claimed | None:
    """Take the next due job (or job `job_id`, if due) for this worker, and commit.

    Due: pending and its time has come, or running with a lapsed claim (its worker died).
    Two workers never take the same job: PostgreSQL skips rows another worker holds
    (FOR UPDATE SKIP LOCKED); SQLite runs one writer at a time.
    """
    now = now or utcnow()
    due = sa.or_(
        sa.and_(Job.state == JobState.PENDING, Job.next_attempt_at <= now),
        sa.and_(Job.state == JobState.RUNNING, Job.locked_until < now),
    )
    pick = sa.select(Job.id).where(due).order_by(Job.next_attempt_at, Job.id).limit(1)
    if job_id is not None:
        pick = pick.where(Job.id == job_id)
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    statement = (
        sa.update(Job)
        .where(Job.id == pick.scalar_subquery())
        .values(
            state=JobState.RUNNING,
            locked_until=now + timedelta(seconds=_setting("LMS_JOBS_LEASE_SECONDS")),
            attempts=Job.attempts + 1,
            updated_at=now,
        )
        .returning(Job.id, Job.kind, Job.key, Job.attempts)
        .execution_options(synchronize_session=False)
    )
    try:
        row = session.execute(statement).one_or_none()
        session.commit()
    except Exception:
        session.rollback()
        raise
    return Claimed(*row) if row is not None else None


def run_claimed(job: Claimed, now: datetime | None = None) -> JobState:
    """Run a claimed job's handler and record the outcome (committed); returns the state."""
    if job.attempts > _setting("LMS_JOBS_MAX_ATTEMPTS"):
        # Claimed again after its worker died mid-job every time: stop here.
        return _failed(job, "The job was started too often without finishing.", False, now)
    if job.kind not in HANDLERS:
        load_handlers()
    try:
        payload = session.scalar(sa.select(Job.payload).where(Job.id == job.id))
        found = HANDLERS.get(job.kind)
        if found is None:
            raise PermanentError(f"No handler for jobs of kind {job.kind!r}.")
        found.run(payload, job.key)
        session.execute(
            sa.update(Job)
            .where(Job.id == job.id)
            .values(
                state=JobState.DONE,
                done_at=utcnow(),
                locked_until=None,
                last_error=None,
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        session.commit()
    except Exception as error:  # every failure is recorded on the job, never raised
        session.rollback()
        logger.warning("Job %s (%s) failed: %s", job.id, job.key, error)
        return _failed(job, _describe(error), isinstance(error, TRANSIENT), now)
    logger.info("Job %s (%s) done.", job.id, job.key)
    return JobState.DONE


def _describe(error: BaseException) -> str:
    text = "".join(traceback.format_exception_only(type(error), error)).strip()
    return text[:MAX_ERROR_LENGTH]


def _failed(job: Claimed, error: str, retry: bool, now: datetime | None) -> JobState:
    now = now or utcnow()
    dead = not retry or job.attempts >= _setting("LMS_JOBS_MAX_ATTEMPTS")
    state = JobState.DEAD if dead else JobState.PENDING
    next_at = now if dead else now + backoff(job.attempts)
    session.execute(
        sa.update(Job)
        .where(Job.id == job.id)
        .values(
            state=state,
            last_error=error,
            locked_until=None,
            next_attempt_at=next_at,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    found = HANDLERS.get(job.kind)
    if found is not None and found.on_failure is not None:
        try:
            payload = session.scalar(sa.select(Job.payload).where(Job.id == job.id))
            found.on_failure(payload, error)
        except Exception:  # the failure hook must not lose the job's state
            logger.exception("Recording the failure of job %s", job.id)
    if not dead:
        from lms.jobs import engine

        engine.hand_over(job.id, next_at, session.connection())
    session.commit()
    return state


def run_job(job_id: int, now: datetime | None = None) -> JobState | None:
    """Run job `job_id` if it is due and nobody else holds it (the engine's task)."""
    claimed = claim(job_id, now)
    return run_claimed(claimed, now) if claimed is not None else None


def drain(now: datetime | None = None, limit: int = 100) -> int:
    """Run due jobs one by one until none is left (or `limit`); returns how many ran."""
    count = 0
    while count < limit:
        try:
            claimed = claim(now=now)
        except sa.exc.OperationalError as error:  # a busy or restarting database
            logger.warning("Could not claim a job: %s", error)
            break
        if claimed is None:
            break
        run_claimed(claimed, now)
        count += 1
    return count


# -- what admins see and do --------------------------------------------------------------------


def counts() -> dict[JobState, int]:
    rows = session.execute(sa.select(Job.state, sa.func.count(Job.id)).group_by(Job.state))
    found: dict[JobState, int] = dict(rows.all())  # type: ignore[arg-type]
    return {state: found.get(state, 0) for state in JobState}


def jobs_in(state: JobState, limit: int = 100) -> list[Job]:
    return list(
        session.scalars(
            sa.select(Job).where(Job.state == state).order_by(Job.updated_at.desc()).limit(limit)
        )
    )


def retry(job_id: int) -> bool:
    """Give a dead job another round of attempts, now (flushed; the caller commits)."""
    now = utcnow()
    result = session.execute(
        sa.update(Job)
        .where(Job.id == job_id, Job.state == JobState.DEAD)
        .values(state=JobState.PENDING, attempts=0, next_attempt_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    session.info["lms_jobs_enqueued"] = True
    from lms.jobs import engine

    engine.hand_over(job_id, now, session.connection())
    return True


def discard(job_id: int) -> bool:
    """Delete a dead job (its effect will never happen; flushed, the caller commits)."""
    result = session.execute(
        sa.delete(Job)
        .where(Job.id == job_id, Job.state == JobState.DEAD)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
