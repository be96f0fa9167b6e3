"""Fixtures: an app on each test database, clients, and helpers to act as users.

Every test that uses `app` runs on SQLite, and again on PostgreSQL when
LMS_TEST_DATABASE_URL is set (CI sets it).
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

import lms.models  # noqa: F401
from bench.databases import fresh_database
from lms import create_app
from lms.database import Base, session
from lms.jobs.engine import install_schema

POSTGRES_URL = os.environ.get("LMS_TEST_DATABASE_URL")
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
PASSWORD = "correct horse battery"
#: Two small courses (self-paced and cohort) that the learner and instructor tests use.
LEARNING_COURSES = Path(__file__).parent / "fixtures" / "learning"


def lms_table_names() -> list[str]:
    return [table.name for table in Base.metadata.sorted_tables]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database of this test run's own, with the LMS tables (made once).

    Its own database, so that several test runs on one server never meet.
    """
    if not POSTGRES_URL:
        pytest.skip("LMS_TEST_DATABASE_URL is not set")
    with new_postgres_database() as url:
        engine = sa.create_engine(url)
        Base.metadata.create_all(engine)
        with engine.begin() as connection:  # the job engine's tables (as the migrations do)
            install_schema(connection)
        engine.dispose()
        yield url


@dataclass(frozen=True)
class LMSRule:
    """A URL rule of the LMS, its endpoint named relative to the LMS (`catalogue.index`)."""

    endpoint: str
    rule: str
    methods: frozenset[str]
    arguments: frozenset[str]


def lms_rules(app: Flask) -> list[LMSRule]:
    """Every URL rule the LMS added to `app` (all under its one namespace)."""
    prefix = app.extensions["lms"].name + "."
    return [
        LMSRule(
            rule.endpoint.removeprefix(prefix),
            rule.rule,
            frozenset(rule.methods or ()),
            frozenset(rule.arguments),
        )
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(prefix)
    ]


@contextmanager
def new_postgres_database() -> Iterator[str]:
    """Create an empty database next to LMS_TEST_DATABASE_URL's, and drop it afterwards."""
    assert POSTGRES_URL
    with fresh_database("postgresql", Path(), POSTGRES_URL, "lms_test") as url:
        yield url


@pytest.fixture(autouse=True)
def lms_loggers_enabled() -> None:
    """Keep the LMS's loggers on for every test. A host app's Alembic env.py, run in this
    process by an earlier test, calls `logging.config.fileConfig`, which disables every
    logger that existed then; log assertions of later tests would then see nothing."""
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if (name == "lms" or name.startswith("lms.")) and isinstance(logger, logging.Logger):
            logger.disabled = False


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lms.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        tables = ", ".join([*lms_table_names(), "procrastinate_jobs"])
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture(params=DATABASES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    with new_postgres_database() as url:
        yield url


@functools.cache
def shared_badges_key_file() -> str:
    """An Open Badges signing key for this test run (made once, removed at exit), so that
    test apps sign badges with their certificates and never use a key in the instance
    folder."""
    from lms.badges.keystore import init_key

    folder = Path(tempfile.mkdtemp(prefix="lms-test-badges-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    init_key(folder / "badges-key.pem")
    return str(folder / "badges-key.pem")


#: The test apps' secret key (seeded autosave bodies name questions with a key from it).
TEST_SECRET_KEY = "test-secret"


def make_test_app(database_url: str, **config: Any) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "LMS_BADGES_KEY_FILE": shared_badges_key_file(),
        }
        | config
    )


@contextmanager
def app_with_tables(database_url: str, **config: Any) -> Iterator[Flask]:
    """A test app on `database_url` (its tables made on SQLite; PostgreSQL's exist)."""
    app = make_test_app(database_url, **config)
    with app.app_context():
        if database_url.startswith("sqlite"):
            Base.metadata.create_all(session.get_bind())
    yield app
    with app.app_context():
        session.remove()
        app.extensions["sqlalchemy"].engine.dispose()


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    with app_with_tables(database_url) as app:
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token a page gives this client (every LMS page carries one)."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(
    client: FlaskClient, path: str, data: dict[str, Any], *, token_from: str = "/", **kwargs: Any
) -> Any:
    """POST a form as a browser would: with the CSRF token of the current session
    (taken from the LMS page `token_from`)."""
    token = csrf_token(client, token_from)
    return client.post(path, data={"csrf_token": token, **data}, **kwargs)


class Users:
    """Create accounts and sign in as them."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app, self.client = app, client

    def create(self, email: str, role: str = "learner", name: str = "") -> int:
        from lms.accounts.service import create_account
        from lms.models import Role

        with self.app.app_context():
            account = create_account(
                email, name or email.split("@")[0].title(), PASSWORD, Role(role)
            )
            session.commit()
            return account.id

    def sign_in(self, email: str, password: str = PASSWORD) -> Any:
        return post_form(self.client, "/sign-in", {"email": email, "password": password})


def confirm_link(app: Flask, email: str) -> str:
    """The path of the last sign-up link mailed to `email` (from the outbox)."""
    from lms.models import OutboxMessage

    with app.app_context():
        body = session.scalar(
            sa.select(OutboxMessage.body)
            .where(OutboxMessage.to_address == email.strip().lower())
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )
    match = re.search(r"https?://[^/\s]+(/\S*sign-up/confirm/\S+)", body or "")
    assert match, body
    return match.group(1)


def sign_up(app: Flask, client: FlaskClient, data: dict[str, Any], path: str = "/sign-up") -> Any:
    """Sign up as a person does: the form, then the mailed link and its button. Returns
    the button's response (a redirect, signed in)."""
    asked = post_form(client, path, data)
    assert asked.status_code == 200, asked.get_data(as_text=True)
    assert "Check your email" in asked.get_data(as_text=True)
    link = confirm_link(app, data["email"])
    return post_form(client, link, {}, token_from=link)


@pytest.fixture
def users(app: Flask, client: FlaskClient) -> Users:
    return Users(app, client)


@pytest.fixture
def courses(app: Flask, runner: FlaskCliRunner) -> None:
    """The small test courses (tests/fixtures/learning), synced as an author would."""
    result = runner.invoke(args=["lms", "courses", "sync", str(LEARNING_COURSES)])
    assert result.exit_code == 0, result.output


def count_queries(
    app: Flask, client: FlaskClient, url: str, *, warm_up: bool = True, **request: Any
) -> int:
    """How many SQL statements one GET of `url` runs (for query budgets: counts, not time);
    `request`: other arguments of the request (`method="POST"`, `json=...`, `headers=...`).

    Counted on a second GET unless `warm_up` is False: the first one of a process also
    loads the course's structure into the per-process cache (lms.learning.structure).
    """
    if warm_up:
        first = client.open(url, **request)
        assert first.status_code == 200, (url, first.status_code)
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.open(url, **request)
        assert response.status_code == 200, (url, response.status_code)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def run_jobs(app: Flask, now: Any = None) -> int:
    """Run every due background job, as a worker would (see lms.jobs); returns how many."""
    from lms.jobs import drain

    with app.app_context():
        try:
            return drain(now)
        finally:
            session.remove()
