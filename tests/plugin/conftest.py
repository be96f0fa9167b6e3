"""The example host (examples/host_app) on each test database, with both histories
migrated, and helpers to act as its users."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from examples.host_app import create_app, db
from examples.host_app.models import User
from lms.models import Profile
from tests.conftest import post_form

HOST_PASSWORD = "a host password that is long"
LEARNING_COURSES = Path(__file__).parents[1] / "fixtures" / "learning"


def cli(app: Flask, *args: str, input: str | None = None) -> str:
    result = app.test_cli_runner().invoke(args=list(args), input=input)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


@pytest.fixture
def host(empty_database_url: str) -> Iterator[Flask]:
    """The example host with its tables and the LMS's, and the small test courses."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "LMS_COURSES_PATH": str(LEARNING_COURSES),
        }
    )
    cli(app, "db", "upgrade")  # the host's own history (Flask-Migrate)
    cli(app, "lms", "db", "upgrade")  # the LMS's
    cli(app, "lms", "courses", "sync")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def add_user(app: Flask, email: str, name: str, *, user_id: int | None = None) -> int:
    with app.app_context():
        user = User(email=email, full_name=name)
        if user_id is not None:
            user.id = user_id
        user.set_password(HOST_PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user.id


def sign_in(client: FlaskClient, email: str) -> None:
    response = client.post("/auth/login", data={"email": email, "password": HOST_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def start_learning(client: FlaskClient, email: str, profession: str = "nurse") -> None:
    """Sign in at the host, answer the LMS's one question, enrol in the self-paced course."""
    sign_in(client, email)
    join_the_course(client, profession)


def join_the_course(client: FlaskClient, profession: str = "nurse") -> None:
    """A signed-in host user's first visit: the profession, then the self-paced course."""
    done = post_form(
        client,
        "/learn/profile/complete",
        {"profession": profession},
        token_from="/learn/profile/complete",
    )
    assert done.status_code == 302, done.get_data(as_text=True)
    enrolled = post_form(client, "/learn/courses/sp/enrol", {}, token_from="/learn/")
    assert enrolled.status_code == 302, enrolled.get_data(as_text=True)


def profile_by_key(app: Flask, key: str) -> Profile | None:
    with app.app_context():
        return db.session.scalar(sa.select(Profile).where(Profile.user_id == key))


def rows(app: Flask, model: Any) -> list[tuple[Any, ...]]:
    """Every row of a table, as plain tuples (to compare before and after)."""
    with app.app_context():
        table = model.__table__
        return [tuple(row) for row in db.session.execute(sa.select(table).order_by(table.c.id))]


def give_grade(app: Flask, profile_id: int) -> int:
    """A graded attempt at the self-paced course's quiz (the CE record notes it)."""
    from decimal import Decimal

    from lms.database import session
    from lms.models import Attempt, AttemptStatus, Quiz

    with app.app_context():
        quiz = session.scalar(sa.select(Quiz).where(Quiz.slug == "check"))
        assert quiz is not None
        attempt = Attempt(
            quiz_id=quiz.id,
            profile_id=profile_id,
            number=1,
            status=AttemptStatus.GRADED,
            score=Decimal(2),
            max_score=Decimal(3),
            passed=False,
        )
        session.add(attempt)
        session.commit()
        return attempt.id
