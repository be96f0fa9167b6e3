"""PostgreSQL: procrastinate runs the jobs, handed over in the request's transaction.

Why procrastinate (and not pgqueuer): both queue on PostgreSQL with
`FOR UPDATE SKIP LOCKED` and LISTEN/NOTIFY, but procrastinate defers a job on a
connection the caller owns (`configure(connection=...)`, "atomic deferral within a
user-managed transaction"), so the hand-over is part of the same commit as the change and
the `lms_job` row: no relay, no window where one exists without the other. pgqueuer's
drivers require autocommit connections. procrastinate also brings periodic tasks that
several workers schedule once between them, sync tasks run in threads (the LMS is sync
Flask code), and a worker CLI and signal handling we need not write.

The `lms_job` row stays the record (state, attempts, errors: what /admin/jobs shows).
procrastinate's job only says "run lms_job N now (or at T)"; its task claims the row the
same way every worker does, so a duplicate hand-over or a stale procrastinate job runs
nothing twice. A periodic sweep (every LMS_JOBS_SWEEP_SECONDS, a minute by default) runs
whatever is due that no procrastinate job will run: rows whose worker was killed mid-job,
whose claim has lapsed, and rows whose procrastinate job failed (a connection cut).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from lms.database import session

logger = logging.getLogger("lms.jobs")

QUEUE = "lms"
RUN_TASK = "lms.run_job"
SWEEP_TASK = "lms.sweep"

_app: Any = None  # the procrastinate App, made on first use
_flask_app: Flask | None = None  # the app a worker process runs jobs for


#: Whether procrastinate's tables exist, by database URL (looked up once per process).
_installed: dict[str, bool] = {}


def uses_procrastinate(bind: sa.Engine | sa.Connection | None = None) -> bool:
    """True when jobs are handed to procrastinate: PostgreSQL, LMS_JOBS_ENGINE=auto, and
    its tables made (`lms db upgrade`). A database without them (a host that made the
    LMS's tables another way) keeps to the jobs table and its workers, with a warning."""
    setting = current_app.config.get("LMS_JOBS_ENGINE", "auto")
    if setting not in ("auto", "procrastinate"):
        return False
    bind = bind if bind is not None else session.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    url = bind.engine.url.render_as_string(hide_password=True)
    if url not in _installed:
        if isinstance(bind, sa.Connection):
            _installed[url] = schema_installed(bind)
        else:
            with bind.connect() as connection:
                _installed[url] = schema_installed(connection)
        if not _installed[url]:
            logger.warning(
                "procrastinate's tables are missing (run `lms db upgrade`): background "
                "jobs run from the jobs table only (`lms worker` on SQLite's loop)."
            )
    return _installed[url]


def sweep_cron(seconds: int) -> str:
    """procrastinate's cron for a sweep every `seconds` (a sixth field counts seconds)."""
    if seconds < 1:
        raise ValueError("LMS_JOBS_SWEEP_SECONDS must be at least 1")
    if seconds < 60:
        return f"* * * * * */{seconds}"
    return f"*/{max(1, seconds // 60)} * * * *"


def procrastinate_app(conninfo: str | None = None, sweep_seconds: int = 60) -> Any:
    """The procrastinate App with the LMS's tasks. Web processes never open it (they defer
    on their own connection); a worker makes it with its database's `conninfo`."""
    global _app
    if _app is None or conninfo is not None:
        import procrastinate

        options = {"conninfo": conninfo} if conninfo else {}
        app = procrastinate.App(connector=procrastinate.PsycopgConnector(**options))

        # A claim on a connection the database cut (a restart) raises before the job ran:
        # try again shortly, on a new connection, rather than wait for the sweep.
        reconnect = procrastinate.RetryStrategy(
            max_attempts=10, wait=1, linear_wait=1, retry_exceptions={sa.exc.OperationalError}
        )

        @app.task(name=RUN_TASK, queue=QUEUE, retry=reconnect)
        def run_job(job_id: int) -> None:
            from lms import jobs

            with _worker_context():
                jobs.run_job(job_id)

        @app.periodic(cron=sweep_cron(sweep_seconds), periodic_id="sweep")
        @app.task(name=SWEEP_TASK, queue=QUEUE)
        def sweep(timestamp: int) -> None:
            from lms import jobs
            from lms.jobs import periodic

            with _worker_context():
                periodic.schedule_due()
                jobs.drain()

        _app = app
    return _app


class _worker_context:  # noqa: N801 (a context manager)
    def __enter__(self) -> None:
        assert _flask_app is not None, "procrastinate tasks run in `lms worker`"
        self.context = _flask_app.app_context()
        self.context.push()

    def __exit__(self, *exc: object) -> None:
        session.remove()
        self.context.pop()


_deferring_app: Any = None


def _deferrer() -> Any:
    """A procrastinate App that only defers, on connections it is handed (never opened).

    Not the worker's App: that one's connector is open (asynchronous), and deferring on a
    synchronous connection through it fails; a worker hands over too (a retry later)."""
    global _deferring_app
    if _deferring_app is None:
        import procrastinate

        _deferring_app = procrastinate.App(connector=procrastinate.PsycopgConnector())
    return _deferring_app


def hand_over(job_id: int, at: datetime, connection: sa.Connection) -> None:
    """Defer procrastinate's job for lms_job `job_id` on `connection` (the session's, so in
    its transaction). A no-op on SQLite or with LMS_JOBS_ENGINE=table."""
    if not uses_procrastinate(connection):
        return
    task = _deferrer().configure_task(
        RUN_TASK,
        queue=QUEUE,
        schedule_at=at,
        connection=connection.connection.driver_connection,
    )
    task.defer(job_id=job_id)


def conninfo(engine: sa.Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def run_worker(flask_app: Flask, concurrency: int = 4) -> None:
    """Run procrastinate's worker for this app until SIGINT/SIGTERM."""
    global _flask_app
    _flask_app = flask_app
    with flask_app.app_context():
        url = conninfo(session.get_bind())  # type: ignore[arg-type]
    app = procrastinate_app(url, int(flask_app.config["LMS_JOBS_SWEEP_SECONDS"]))
    logger.info("procrastinate worker, concurrency %s", concurrency)
    asyncio.run(_supervise(app, concurrency))


#: Seconds between procrastinate worker starts after it stopped by itself.
RESTART_SECONDS = 1.0


async def _supervise(app: Any, concurrency: int) -> None:
    """Run procrastinate's worker until SIGINT/SIGTERM, starting it again whenever it
    stops by itself. It does when the database cuts a connection under it at the wrong
    moment (a restart, a failover): a query of its job loop fails, or one of its side
    tasks (the listener, the scheduler) does, and it stops. The jobs are safe in the
    database either way; this process carries on with new connections."""
    from procrastinate.worker import Worker

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with app.open_async():
        while not stop.is_set():
            worker = Worker(
                app=app, queues=[QUEUE], concurrency=concurrency, install_signal_handlers=False
            )
            running = asyncio.create_task(worker.run())
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stop.is_set():
                worker.stop()
                with contextlib.suppress(Exception):
                    await running
                break
            stopping.cancel()
            error = running.exception()
            logger.warning(
                "procrastinate's worker stopped by itself (%s); starting it again.",
                error or "a side task failed",
            )
            await asyncio.sleep(RESTART_SECONDS)


# -- procrastinate's tables (PostgreSQL only; from the LMS's migrations) --------------------------


def install_schema(connection: sa.Connection) -> None:
    """Create procrastinate's tables and functions, unless they exist."""
    from procrastinate.schema import SchemaManager

    if schema_installed(connection):
        return
    connection.connection.driver_connection.execute(SchemaManager.get_schema())  # type: ignore[union-attr]


def schema_installed(connection: sa.Connection) -> bool:
    return bool(connection.exec_driver_sql("SELECT to_regclass('procrastinate_jobs')").scalar())


DROP_SCHEMA = """
DO $$
DECLARE item record;
BEGIN
  FOR item IN SELECT tablename FROM pg_tables
      WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate\\_%' LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.tablename);
  END LOOP;
  FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%' LOOP
    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.signature);
  END LOOP;
  FOR item IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate\\_%'
        AND t.typtype IN ('e', 'c') LOOP
    EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', item.typname);
  END LOOP;
END $$;
"""


def drop_schema(connection: sa.Connection) -> None:
    connection.connection.driver_connection.execute(DROP_SCHEMA)  # type: ignore[union-attr]
