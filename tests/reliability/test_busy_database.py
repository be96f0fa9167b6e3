"""A busy or unreachable database: the user gets a 503 "please retry" (page or JSON) with
Retry-After, nothing of the request is kept, and the next request works once the
database answers again. Other database errors are still 500s."""

from __future__ import annotations

import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import psycopg.errors
import pytest
import sqlalchemy as sa
import sqlalchemy.exc
from flask import Flask
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy

from lms import LMS
from lms.database import Base, session
from lms.errors import MESSAGE, RETRY_AFTER, is_busy
from lms.models import LessonProgress
from tests.conftest import make_test_app
from tests.reliability.conftest import (
    add_learners,
    answers_for,
    as_form,
    as_json,
    attempt_id_of,
    close_app,
    layout,
    new_app,
    sign_in,
    stored_answers,
)

#: How long a writer of the "busy" app waits for a lock before giving up (seconds).
SHORT_WAIT = 0.1


@dataclass
class Busy:
    app: Flask  # the same database, writers give up after SHORT_WAIT
    database_url: str

    @contextmanager
    def writers_blocked(self) -> Iterator[None]:
        """Hold the database's write lock (SQLite) or lock every LMS table against writes
        (PostgreSQL; reads go on) from another connection until the block ends."""
        if self.database_url.startswith("sqlite"):
            holder = sqlite3.connect(self.database_url.removeprefix("sqlite:///"), timeout=0)
            holder.isolation_level = None
            holder.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            return
        engine = sa.create_engine(self.database_url)
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        try:
            with engine.connect() as connection, connection.begin() as transaction:
                connection.execute(sa.text(f"LOCK TABLE {tables} IN EXCLUSIVE MODE"))
                yield
                transaction.rollback()
        finally:
            engine.dispose()


@pytest.fixture
def busy(app: Flask, database_url: str, course: None) -> Iterator[Busy]:
    if database_url.startswith("sqlite"):
        connect_args: dict[str, object] = {"timeout": SHORT_WAIT}
    else:
        connect_args = {"options": f"-c lock_timeout={int(SHORT_WAIT * 1000)}"}
    busy_app = new_app(
        database_url,
        PROPAGATE_EXCEPTIONS=False,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "connect_args": connect_args},
    )
    yield Busy(busy_app, database_url)
    close_app(busy_app)


def test_a_configured_sqlite_busy_timeout_is_kept(tmp_path: Path) -> None:
    """`connect_args={"timeout": ...}` sets SQLite's busy timeout; the LMS's own pragmas
    must not replace it with their default (5 s)."""
    configured = new_app(
        f"sqlite:///{tmp_path / 'timeout.sqlite3'}",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 0.25}},
    )
    default = new_app(f"sqlite:///{tmp_path / 'default.sqlite3'}")
    try:
        for app, expected in ((configured, 250), (default, 5000)):
            with app.app_context():
                assert session.execute(sa.text("PRAGMA busy_timeout")).scalar() == expected
                assert session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        close_app(configured)
        close_app(default)


def test_a_write_that_cannot_get_the_lock_answers_503_and_keeps_nothing(
    app: Flask, busy: Busy
) -> None:
    [email] = add_learners(app, 1)
    tab = sign_in(busy.app, email)
    attempt_id = attempt_id_of(tab.start())
    save_url = f"/attempts/{attempt_id}/answers"
    questions = layout(app, attempt_id)
    first, second = answers_for(questions, 1), answers_for(questions, 2)
    assert tab.post_json(save_url, as_json(first)).status_code == 200

    with busy.writers_blocked():
        began = time.perf_counter()
        autosave = tab.post_json(save_url, as_json(second))
        waited = time.perf_counter() - began
        assert autosave.status_code == 503
        assert autosave.headers["Retry-After"] == str(RETRY_AFTER)
        assert autosave.get_json() == {"status": "busy", "error": MESSAGE}
        assert waited < 2, f"waited {waited:.1f} s: the configured timeout was not used"

        form = tab.post(save_url, as_form(second))
        assert form.status_code == 503
        assert form.headers["Retry-After"] == str(RETRY_AFTER)
        assert form.mimetype == "text/html"
        assert MESSAGE in form.get_data(as_text=True)
        assert form.headers["Content-Security-Policy"]  # still an LMS response

        completed = tab.complete("lesson-one")
        assert completed.status_code == 503
        assert MESSAGE in completed.get_data(as_text=True)

        # Readers are not held up by the writer.
        assert tab.client.get(f"/attempts/{attempt_id}").status_code == 200

    assert stored_answers(app, attempt_id) == first
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(LessonProgress.id))) == 0

    # Once the lock is free, the same requests go through.
    assert tab.post_json(save_url, as_json(second)).status_code == 200
    assert stored_answers(app, attempt_id) == second
    assert tab.complete("lesson-one").status_code == 302
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(LessonProgress.id))) == 1


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def unreachable_url() -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/lms?connect_timeout=2"


def test_an_unreachable_database_answers_503_with_a_page_or_json() -> None:
    app = make_test_app(unreachable_url(), PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    page = client.get("/")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == str(RETRY_AFTER)
    html = page.get_data(as_text=True)
    assert MESSAGE in html
    assert '<html lang="en">' in html and "/static/lms/lms.css" in html
    api = client.get("/courses/any/", headers={"Accept": "application/json"})
    assert api.status_code == 503
    assert api.headers["Retry-After"] == str(RETRY_AFTER)
    assert api.get_json() == {"status": "busy", "error": MESSAGE}
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()


def test_in_a_host_app_lms_pages_answer_503_and_host_routes_are_left_alone() -> None:
    host = Flask("host")
    host.config.update(
        SECRET_KEY="host-secret",
        SQLALCHEMY_DATABASE_URI=unreachable_url(),
        PROPAGATE_EXCEPTIONS=False,
        LMS_BASE_URL="http://localhost",
    )
    db = SQLAlchemy(host)
    LoginManager(host).user_loader(lambda _user_id: None)

    @host.get("/host")
    def host_page() -> str:
        db.session.execute(sa.text("SELECT 1"))
        return "host"

    LMS(host, url_prefix="/learn")
    client = host.test_client()
    lms_page = client.get("/learn/")
    assert lms_page.status_code == 503
    assert MESSAGE in lms_page.get_data(as_text=True)
    host_page_response = client.get("/host")
    assert host_page_response.status_code == 500  # the host's own error handling
    with host.app_context():
        db.engine.dispose()


BUSY_OR_NOT = {
    "sqlite: database is locked": (sqlite3.OperationalError("database is locked"), True),
    "sqlite: table is locked": (sqlite3.OperationalError("database table is locked"), True),
    "sqlite: no such table": (sqlite3.OperationalError("no such table: lms_course"), False),
    "pg: connection refused": (psycopg.OperationalError("connection failed: refused"), True),
    "pg: admin shutdown": (psycopg.errors.AdminShutdown("terminating connection"), True),
    "pg: starting up": (psycopg.errors.CannotConnectNow("the database is starting up"), True),
    "pg: too many clients": (psycopg.errors.TooManyConnections("too many clients"), True),
    "pg: lock timeout": (psycopg.errors.LockNotAvailable("lock timeout"), True),
    "pg: statement timeout": (psycopg.errors.QueryCanceled("statement timeout"), True),
    "pg: serialisation": (psycopg.errors.SerializationFailure("could not serialize"), True),
    "pg: deadlock": (psycopg.errors.DeadlockDetected("deadlock detected"), True),
    "pg: program limit": (psycopg.errors.ProgramLimitExceeded("index row too big"), False),
}


@pytest.mark.parametrize("case", list(BUSY_OR_NOT))
def test_which_operational_errors_mean_busy(case: str) -> None:
    original, busy = BUSY_OR_NOT[case]
    assert is_busy(sqlalchemy.exc.OperationalError("SELECT 1", {}, original)) is busy


def test_a_pool_timeout_means_busy_and_an_integrity_error_does_not() -> None:
    assert is_busy(sqlalchemy.exc.TimeoutError("QueuePool limit of size 5 reached"))
    assert not is_busy(sqlalchemy.exc.IntegrityError("INSERT", {}, sqlite3.IntegrityError("x")))


def test_other_database_errors_are_not_hidden_as_busy(tmp_path: Path) -> None:
    """A missing table (a deployment without `lms db upgrade`) is a 500, not "retry"."""
    app = make_test_app(f"sqlite:///{tmp_path / 'no-tables.sqlite3'}", PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    response = client.get("/")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(sqlalchemy.exc.OperationalError, match="no such table"):
        client.get("/")
    close_app(app)
