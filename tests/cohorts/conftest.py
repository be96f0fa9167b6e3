"""Fixtures for the teaching pages: the small test courses, an admin, instructors and
learners each with their own signed-in client, and cohorts to manage."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.security import generate_password_hash

from lms.cohorts.service import create_cohort
from lms.database import session, utcnow
from lms.models import Cohort, Course, Enrolment, Lesson, LessonProgress, Module, Profile
from tests.conftest import Users, post_form

LEARNING = Path(__file__).parents[1] / "fixtures" / "learning"


@pytest.fixture
def courses(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["lms", "courses", "sync", str(LEARNING)])
    assert result.exit_code == 0, result.output


@dataclass
class People:
    """Accounts of each role, each signed in on its own test client."""

    app: Flask
    users: Users

    def sign_in(self, email: str, role: str = "learner", name: str = "") -> FlaskClient:
        self.users.client = self.app.test_client()
        self.users.create(email, role=role, name=name)
        response = self.users.sign_in(email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return self.users.client

    def create(self, email: str, role: str = "learner", name: str = "") -> None:
        self.users.create(email, role=role, name=name)


@pytest.fixture
def people(app: Flask, users: Users, courses: None) -> People:
    return People(app, users)


@pytest.fixture
def fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap password hashes, for tests that create many accounts that never sign in."""
    import lms.models.accounts

    cheap = partial(generate_password_hash, method="pbkdf2:sha256:1000")
    monkeypatch.setattr(lms.models.accounts, "generate_password_hash", cheap)


@pytest.fixture
def admin(people: People) -> FlaskClient:
    return people.sign_in("admin@example.com", role="admin", name="Ada Admin")


def profile_of(email: str) -> Profile:
    profile = session.scalar(sa.select(Profile).where(Profile.email == email))
    assert profile is not None, email
    return profile


def course_id(slug: str) -> int:
    course = session.scalar(sa.select(Course).where(Course.slug == slug))
    assert course is not None
    return course.id


def module_id(slug: str) -> int:
    module = session.scalar(sa.select(Module).where(Module.slug == slug))
    assert module is not None
    return module.id


def make_cohort(
    app: Flask,
    *,
    name: str = "Spring cohort",
    course: str = "co",
    starts_on: date | None = None,
    timezone: str = "Europe/London",
    capacity: int | None = 20,
    instructors: tuple[str, ...] = (),
) -> int:
    """A cohort (calendar generated) taught by the given instructors' emails; its id."""
    with app.app_context():
        course_row = session.scalar(sa.select(Course).where(Course.slug == course))
        assert course_row is not None
        cohort = create_cohort(
            course_row,
            name,
            starts_on or utcnow().date(),
            timezone=timezone,
            capacity=capacity,
            instructors=[profile_of(email) for email in instructors],
        )
        session.commit()
        return cohort.id


def cohort_row(cohort_id: int) -> Cohort:
    cohort = session.get(Cohort, cohort_id)
    assert cohort is not None
    return cohort


def enrol(client: FlaskClient, cohort_id: int, *emails: str) -> Any:
    """Bulk-enrol through the People page, as staff do."""
    return post_form(client, f"/teach/cohorts/{cohort_id}/people", {"emails": "\n".join(emails)})


def enrolment_of(email: str, cohort_id: int) -> Enrolment:
    enrolment = session.scalar(
        sa.select(Enrolment).where(
            Enrolment.profile_id == profile_of(email).id, Enrolment.cohort_id == cohort_id
        )
    )
    assert enrolment is not None
    return enrolment


def complete_lessons(app: Flask, email: str, *slugs: str, done: bool = True) -> None:
    """Record lesson progress directly (completed, or only opened)."""
    with app.app_context():
        profile = profile_of(email)
        for slug in slugs:
            lesson = session.scalar(sa.select(Lesson).where(Lesson.slug == slug))
            assert lesson is not None
            session.add(
                LessonProgress(
                    profile_id=profile.id,
                    lesson_id=lesson.id,
                    completed_at=utcnow() if done else None,
                )
            )
        session.commit()


def days_ago(days: int) -> date:
    return (utcnow() - timedelta(days=days)).date()


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs inside the block."""
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
