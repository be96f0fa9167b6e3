"""PostgreSQL restarting, simulated for this test database only: its connections are
terminated (as a restart does), or refused for a while. The app's pooled connections are
checked before use (`pool_pre_ping`), so the next request after a restart succeeds; a
request caught by the restart itself gets a 503 and keeps nothing.

Nothing here restarts the server: other test runs share it (each run has its own database,
and only that database's connections are touched).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, request_finished

import lms.quizzes.views
from lms.config import normalise_database_url
from lms.database import session
from lms.errors import MESSAGE, RETRY_AFTER
from tests.reliability.conftest import (
    add_learners,
    answers_for,
    as_json,
    attempt_id_of,
    close_app,
    layout,
    new_app,
    sign_in,
    stored_answers,
)


@pytest.fixture
def admin(pg_database_url: str) -> Iterator[sa.Connection]:
    """A connection to the server's `postgres` database, outside the app's pool."""
    server = normalise_database_url(pg_database_url).rsplit("/", 1)[0]
    engine = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def database_name(app: Flask) -> str:
    with app.app_context():
        return str(session.get_bind().url.database)


def terminate_backends(admin: sa.Connection, database: str) -> int:
    """End every connection to `database`, as a restart would; how many were ended."""
    ended = admin.execute(
        sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = :database AND pid <> pg_backend_pid()"
        ),
        {"database": database},
    ).all()
    return len(ended)


@contextmanager
def refusing_connections(admin: sa.Connection, database: str) -> Iterator[None]:
    """The database down: its connections ended and new ones refused, until the block ends."""
    admin.execute(sa.text(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false'))
    try:
        terminate_backends(admin, database)
        yield
    finally:
        admin.execute(sa.text(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true'))


def backend_pids(app: Flask) -> set[int]:
    """The server processes behind the app's pooled connections."""
    with app.app_context():
        return {session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()}


def learner_with_attempt(app: Flask) -> tuple[Any, int, str]:
    [email] = add_learners(app, 1)
    tab = sign_in(app, email)
    attempt_id = attempt_id_of(tab.start())
    return tab, attempt_id, f"/attempts/{attempt_id}/answers"


def test_after_a_restart_the_next_request_succeeds(pg_app: Flask, admin: sa.Connection) -> None:
    tab, attempt_id, save_url = learner_with_attempt(pg_app)
    questions = layout(pg_app, attempt_id)
    before = backend_pids(pg_app)
    assert terminate_backends(admin, database_name(pg_app)) >= 1

    for seed in (1, 2, 3):  # every pooled connection was dead: each is replaced on checkout
        answers = answers_for(questions, seed)
        assert tab.post_json(save_url, as_json(answers)).status_code == 200
        assert stored_answers(pg_app, attempt_id) == answers
    assert tab.client.get(f"/attempts/{attempt_id}").status_code == 200
    assert backend_pids(pg_app).isdisjoint(before)


def test_without_pre_ping_the_first_request_after_a_restart_would_fail(
    pg_app: Flask, pg_database_url: str, admin: sa.Connection
) -> None:
    """Why `pool_pre_ping` is on: a pooled connection is dead after a restart, and without
    the check the request that draws it fails (a 503 thanks to lms.errors, not a 500)."""
    [email] = add_learners(pg_app, 1)
    unchecked = new_app(pg_database_url, PROPAGATE_EXCEPTIONS=False, SQLALCHEMY_ENGINE_OPTIONS={})
    try:
        tab = sign_in(unchecked, email)
        assert tab.client.get("/dashboard").status_code == 200
        terminate_backends(admin, database_name(pg_app))
        assert tab.client.get("/dashboard").status_code == 503
        assert tab.client.get("/dashboard").status_code == 200  # the dead one was discarded
    finally:
        close_app(unchecked)


def test_a_request_caught_by_the_restart_answers_503_and_the_next_one_succeeds(
    pg_app: Flask, admin: sa.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    pg_app.config["PROPAGATE_EXCEPTIONS"] = False
    tab, attempt_id, save_url = learner_with_attempt(pg_app)
    questions = layout(pg_app, attempt_id)
    first, second = answers_for(questions, 1), answers_for(questions, 2)
    assert tab.post_json(save_url, as_json(first)).status_code == 200

    save_answers = lms.quizzes.views.save_answers
    database = database_name(pg_app)

    def restart_then_save(*args: Any, **kwargs: Any) -> Any:
        terminate_backends(admin, database)  # mid-request, its connection already in use
        return save_answers(*args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(lms.quizzes.views, "save_answers", restart_then_save)
        caught = tab.post_json(save_url, as_json(second))
    assert caught.status_code == 503
    assert caught.headers["Retry-After"] == str(RETRY_AFTER)
    assert caught.get_json()["error"] == MESSAGE
    assert stored_answers(pg_app, attempt_id) == first

    assert tab.post_json(save_url, as_json(second)).status_code == 200
    assert stored_answers(pg_app, attempt_id) == second


def test_while_the_database_is_down_pages_answer_503_then_work_again(
    pg_app: Flask, admin: sa.Connection
) -> None:
    pg_app.config["PROPAGATE_EXCEPTIONS"] = False
    tab, attempt_id, save_url = learner_with_attempt(pg_app)
    questions = layout(pg_app, attempt_id)
    answers = answers_for(questions, 3)

    with refusing_connections(admin, database_name(pg_app)):
        page = tab.client.get(f"/attempts/{attempt_id}")  # signed in: the profile is unreadable
        assert page.status_code == 503
        assert page.headers["Retry-After"] == str(RETRY_AFTER)
        assert MESSAGE in page.get_data(as_text=True)
        autosave = tab.post_json(save_url, as_json(answers))
        assert autosave.status_code == 503
        assert autosave.get_json() == {"status": "busy", "error": MESSAGE}
        assert pg_app.test_client().get("/sign-in").status_code == 200  # needs no database

    assert tab.client.get(f"/attempts/{attempt_id}").status_code == 200
    assert tab.post_json(save_url, as_json(answers)).status_code == 200
    assert stored_answers(pg_app, attempt_id) == answers


def test_a_connection_lost_after_the_answer_was_made_does_not_replace_it_with_a_500(
    pg_app: Flask, admin: sa.Connection
) -> None:
    """The restart lands after the view committed and made its response, before the
    request's session is closed: closing it (a ROLLBACK on a dead connection) used to raise
    out of Flask's teardown, so the learner got a 500 for answers that were saved."""
    pg_app.config["PROPAGATE_EXCEPTIONS"] = False
    tab, attempt_id, save_url = learner_with_attempt(pg_app)
    answers = answers_for(layout(pg_app, attempt_id), 4)
    database = database_name(pg_app)

    def restart(_sender: Flask, **_extra: Any) -> None:
        terminate_backends(admin, database)

    with request_finished.connected_to(restart, pg_app):
        saved = tab.post_json(save_url, as_json(answers))
    assert saved.status_code == 200
    assert saved.get_json()["status"] == "saved"
    assert stored_answers(pg_app, attempt_id) == answers
    assert tab.client.get(f"/attempts/{attempt_id}").status_code == 200
