"""The in-process worker: a thread that runs due jobs from `lms_job`.

`lms run` and `lms demo` start one, so the standalone app needs nothing else. Under
gunicorn, run `lms worker` beside it (on PostgreSQL that is procrastinate's worker; on
SQLite this loop in the foreground). Several workers at once are safe: each job is
claimed by one of them.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from lms.database import session
from lms.jobs import drain, wake_up
from lms.jobs.periodic import schedule_due

logger = logging.getLogger("lms.jobs")


def run_once(app: Flask) -> int:
    """Schedule due periodic jobs and run every due job; returns how many ran."""
    with app.app_context():
        try:
            schedule_due()
            return drain()
        except Exception:  # never let the loop die (a database restart, say)
            logger.exception("The job worker hit an error; it carries on.")
            session.rollback()
            return 0
        finally:
            session.remove()


def work(app: Flask, stop: threading.Event) -> None:
    """Run jobs until `stop` is set, waking when a commit enqueued one (or every poll)."""
    poll = float(app.config["LMS_JOBS_POLL_SECONDS"])
    while not stop.is_set():
        if run_once(app) == 0:
            wake_up.wait(poll)
            wake_up.clear()


class WorkerThread:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=work, args=(app, self.stop), name="lms-jobs", daemon=True
        )

    def start(self) -> WorkerThread:
        self.thread.start()
        logger.info("Background jobs run in this process (thread %s).", self.thread.name)
        return self

    def close(self, timeout: float = 10) -> None:
        self.stop.set()
        wake_up.set()
        self.thread.join(timeout)


def start_in_process(app: Flask) -> WorkerThread:
    """Start the worker thread for `app` (from `lms run` and `lms demo`)."""
    return WorkerThread(app).start()
