"""Fixtures for quiz tests: the fixture course's quiz (as written, or edited), an enrolled
learner who has read the lessons, and helpers to act on an attempt over HTTP."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from lms.database import session, utcnow
from lms.models import (
    Attempt,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
    Profile,
)
from lms.quizzes.attempts import laid_out_questions
from tests.conftest import PASSWORD, Users, csrf_token, post_form

GOOD = Path(__file__).parents[1] / "fixtures" / "courses" / "good"
QUIZ_URL = "/courses/good-course/quizzes/basics-check"
LEARNER = "ana@example.com"

#: What the fixture quiz's questions expect, by slug (see check.quiz.yml).
RIGHT = {
    "first-used": ["The 1960s"],
    "pick-all": ["A", "B"],
    "is-true": "true",
    "name-it": "  KETAMINE  ",
    "how-many": "6.0",
    "reflect": "I would listen closely, explain each step and keep the room calm.",
}
WRONG = {
    "first-used": ["The 1990s"],
    "pick-all": ["A"],
    "is-true": "false",
    "name-it": "propofol",
    "how-many": "7",
    "reflect": "No.",
}


def edit_quiz(course_dir: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = course_dir / "01-basics" / "check.quiz.yml"
    quiz = yaml.safe_load(path.read_text())
    change(quiz)
    path.write_text(yaml.safe_dump(quiz, sort_keys=False, allow_unicode=True))


def without_essay(quiz: dict[str, Any]) -> None:
    quiz["questions"] = [q for q in quiz["questions"] if q["type"] != "essay"]


def sync_course(runner: FlaskCliRunner, course_dir: Path, **edits: Any) -> None:
    """Copy the fixture course to `course_dir`, edit its quiz, and sync it.

    `essay=False` drops the essay question; other keyword arguments replace top-level keys
    of the quiz file (None removes the key). Syncing again updates the quiz in place.
    """
    essay = edits.pop("essay", True)
    shutil.rmtree(course_dir, ignore_errors=True)
    shutil.copytree(GOOD, course_dir)

    def change(quiz: dict[str, Any]) -> None:
        if not essay:
            without_essay(quiz)
        for key, value in edits.items():
            if value is None:
                quiz.pop(key, None)
            else:
                quiz[key] = value

    edit_quiz(course_dir, change)
    result = runner.invoke(args=["lms", "courses", "sync", str(course_dir)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def course(runner: FlaskCliRunner, tmp_path: Path) -> None:
    """The fixture course, loaded as written."""
    sync_course(runner, tmp_path / "good")


@pytest.fixture
def sync_quiz(runner: FlaskCliRunner, tmp_path: Path, course: None) -> Callable[..., None]:
    """Revise the loaded quiz: `sync_quiz(essay=False, attempts=2, ...)`."""

    def sync(**edits: Any) -> None:
        sync_course(runner, tmp_path / "good", **edits)

    return sync


def profile_of(email: str) -> Profile:
    profile = session.scalar(sa.select(Profile).where(Profile.email == email))
    assert profile is not None
    return profile


def enrol(app: Flask, users: Users, email: str, extra_time_percent: int = 0) -> None:
    """An account enrolled in the course, with its lessons read (the quiz comes after them)."""
    users.create(email)
    with app.app_context():
        profile = profile_of(email)
        course = session.scalar(sa.select(Course).where(Course.slug == "good-course"))
        assert course is not None
        session.add(
            Enrolment(profile=profile, course=course, extra_time_percent=extra_time_percent)
        )
        for lesson in session.scalars(sa.select(Lesson).where(Lesson.course_id == course.id)):
            session.add(
                LessonProgress(profile_id=profile.id, lesson_id=lesson.id, completed_at=utcnow())
            )
        session.commit()


def sign_in(client: FlaskClient, email: str) -> None:
    response = post_form(client, "/sign-in", {"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def learner(app: Flask, users: Users, client: FlaskClient, course: None) -> FlaskClient:
    """The signed-in learner's browser, enrolled in the course with its lessons read."""
    enrol(app, users, LEARNER)
    sign_in(client, LEARNER)
    return client


# -- acting on an attempt ------------------------------------------------------------------------


def start(client: FlaskClient) -> int:
    """Press Start (or Resume) on the quiz page; returns the attempt's id."""
    response = post_form(client, f"{QUIZ_URL}/attempts", {})
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(r"/attempts/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


@dataclass
class Key:
    """How the page names a question: its key, form field and its choices' values (the
    attempt's opaque names, never ids)."""

    key: str
    type: str
    choices: dict[str, str]

    @property
    def field(self) -> str:
        return f"q{self.key}"


def keys(app: Flask, attempt_id: int) -> dict[str, Key]:
    """The attempt's questions by slug, with the names its page gives them."""
    with app.app_context():
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        found = {}
        for question in laid_out_questions(attempt):
            texts = {c.id: c.text for c in question.version.choices}
            found[question.version.question.slug] = Key(
                question.key,
                question.version.type.value,
                {texts[choice_id]: token for token, choice_id in question.choices.items()},
            )
        return found


def as_form(questions: dict[str, Key], answers: dict[str, Any]) -> dict[str, Any]:
    """Answers by slug as the attempt page's form posts them (for questions it has)."""
    data: dict[str, Any] = {}
    for slug, value in answers.items():
        if slug not in questions:
            continue
        question = questions[slug]
        if question.choices:
            data[question.field] = [question.choices[text] for text in value]
        else:
            data[question.field] = value
    return data


def as_json(questions: dict[str, Key], answers: dict[str, Any]) -> dict[str, Any]:
    """Answers by slug as the page's script sends them (for questions it has)."""
    data: dict[str, Any] = {}
    for slug, value in answers.items():
        if slug not in questions:
            continue
        question = questions[slug]
        if question.type == "single":
            data[question.key] = question.choices[value[0]]
        elif question.type == "multiple":
            data[question.key] = [question.choices[text] for text in value]
        elif question.type == "true_false":
            data[question.key] = value == "true"
        else:
            data[question.key] = value
    return {"answers": data}


def autosave(client: FlaskClient, attempt_id: int, body: Any) -> Any:
    """What quiz.js does: POST JSON with the page's CSRF token in a header."""
    token = csrf_token(client)
    return client.post(f"/attempts/{attempt_id}/answers", json=body, headers={"X-CSRFToken": token})


def save_form(client: FlaskClient, attempt_id: int, data: dict[str, Any]) -> Any:
    return post_form(client, f"/attempts/{attempt_id}/answers", data)


def submit(client: FlaskClient, attempt_id: int) -> Any:
    """Confirm the submission (the last step of Submit)."""
    return post_form(client, f"/attempts/{attempt_id}/submit", {"confirm": "yes"})


def move_deadline(app: Flask, attempt_id: int, seconds_from_now: float) -> None:
    """Put an attempt's deadline this far from now (negative: in the past)."""
    with app.app_context():
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        attempt.deadline_at = utcnow() + timedelta(seconds=seconds_from_now)
        session.commit()


def attempt_row(app: Flask, attempt_id: int) -> Attempt:
    """The attempt as stored (detached, loaded columns only)."""
    with app.app_context():
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        session.expunge(attempt)
        return attempt


def saved_responses(app: Flask, attempt_id: int) -> dict[str, Any]:
    """Saved responses by question slug."""
    with app.app_context():
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        return {a.question_version.question.slug: a.response for a in attempt.answers}


def text(response: Any) -> str:
    return response.get_data(as_text=True)
