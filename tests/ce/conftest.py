"""Fixtures for CE credit: two small credit-bearing courses (tests/fixtures/ce), learners
in them, and a way to move the server's clock for reading time."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from lms.database import session, utcnow
from lms.models import CEEvent, Course, Enrolment, Profile
from tests.conftest import Users, csrf_token, post_form

CE_COURSES = Path(__file__).parents[1] / "fixtures" / "ce"
CRED = "/courses/cred"
LESSON = f"{CRED}/lessons/read-me"


@pytest.fixture
def ce_courses(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["lms", "courses", "sync", str(CE_COURSES)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], datetime]:
    """`clock(seconds)`: the server's reading-time clock runs `seconds` ahead of now."""

    def ahead(seconds: float) -> datetime:
        later = utcnow() + timedelta(seconds=seconds)
        monkeypatch.setattr("lms.learning.reading.utcnow", lambda: later)
        return later

    return ahead


@pytest.fixture
def learner(users: Users, client: FlaskClient, ce_courses: None) -> FlaskClient:
    """A nurse enrolled in the self-paced credit course, not yet past the disclosure."""
    users.create("nora@example.com", name="Nora Nurse")
    users.sign_in("nora@example.com")
    assert post_form(client, f"{CRED}/enrol", {}).status_code == 302
    return client


def acknowledge(client: FlaskClient, course: str = CRED) -> None:
    response = post_form(client, f"{course}/disclosure", {}, token_from=f"{course}/disclosure")
    assert response.status_code == 302, response.get_data(as_text=True)


def view_token(client: FlaskClient, url: str = LESSON) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    match = re.search(r'data-view="([^"]+)"', page.get_data(as_text=True))
    assert match, "no view token on the lesson page"
    return match.group(1)


def beacon(client: FlaskClient, token: str, seconds: Any, url: str = LESSON) -> Any:
    return client.post(
        f"{url}/ping",
        json={"view": token, "seconds": seconds},
        headers={"X-CSRFToken": csrf_token(client, CRED + "/")},
    )


def profile_of(email: str) -> Profile:
    profile = session.scalar(sa.select(Profile).where(Profile.email == email))
    assert profile is not None
    return profile


def enrolment_of(email: str, slug: str = "cred") -> Enrolment:
    enrolment = session.scalar(
        sa.select(Enrolment)
        .join(Course)
        .where(Enrolment.profile_id == profile_of(email).id, Course.slug == slug)
    )
    assert enrolment is not None
    return enrolment


def events(kind: str | None = None) -> list[CEEvent]:
    query = sa.select(CEEvent).order_by(CEEvent.id)
    if kind is not None:
        query = query.where(CEEvent.kind == kind)
    return list(session.scalars(query))


# -- the whole course, as a learner takes it --------------------------------------------------


def read_lesson(client: FlaskClient, clock: Callable[[float], datetime], url: str = LESSON) -> None:
    """Open the lesson, spend its minimum on it (the server's clock moves on), complete."""
    token = view_token(client, url)
    clock(125)
    response = post_form(client, f"{url}/complete", {"view": token}, token_from=CRED + "/")
    assert response.status_code == 302, response.get_data(as_text=True)


def pass_quiz(app: Flask, client: FlaskClient, quiz: str, *, right: bool = True) -> int:
    """Start the quiz, answer every (true/false) question, submit: the attempt's id."""
    from lms.models import Attempt
    from lms.quizzes.attempts import laid_out_questions

    started = post_form(client, f"{CRED}/quizzes/{quiz}/attempts", {}, token_from=CRED + "/")
    assert started.status_code == 302, started.get_data(as_text=True)
    attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        keys = [question.key for question in laid_out_questions(attempt)]
    answers = dict.fromkeys(keys, "true" if right else "false")
    saved = client.post(
        f"/attempts/{attempt_id}/answers",
        json={"answers": answers},
        headers={"X-CSRFToken": csrf_token(client, CRED + "/")},
    )
    assert saved.status_code == 200, saved.get_data(as_text=True)
    done = post_form(client, f"/attempts/{attempt_id}/submit", {"confirm": "yes"},
                     token_from=CRED + "/")  # fmt: skip
    assert done.status_code == 302, done.get_data(as_text=True)
    return attempt_id


EVALUATION = f"{CRED}/evaluations/evaluation"
ANSWERS = {"q-outcome-history": "4", "q-relevance": "Very relevant", "q-comments": "Useful."}


def evaluate(client: FlaskClient, answers: dict[str, str] | None = None) -> Any:
    return post_form(client, EVALUATION, answers or ANSWERS, token_from=CRED + "/")


def finish_course(
    app: Flask, client: FlaskClient, clock: Callable[[float], datetime], *, evaluation: bool = True
) -> None:
    acknowledge(client)
    read_lesson(client, clock)
    pass_quiz(app, client, "practice")
    pass_quiz(app, client, "final")
    if evaluation:
        assert evaluate(client).status_code == 302
