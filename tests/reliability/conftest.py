"""Fixtures for the reliability tests: a small course (tests/reliability/course), learners
made in bulk, browser tabs, and checks on what the database holds afterwards.

Every learner here signs in through the sign-in form, like a person, each from an address
of their own (sign-in throttling counts 30 per address; it stays on: switching it off with
RATELIMIT_ENABLED would switch it off for every later app in the process, as the limiter
is shared). The learners' password hash is a cheap one, so thirty sign-ins take a moment.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from lms.database import Base, session, utcnow
from lms.learning.enrolment import enrol_self_paced
from lms.models import (
    Account,
    Answer,
    Attempt,
    AttemptStatus,
    Certificate,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
    Profile,
)
from lms.quizzes.attempts import laid_out_questions
from tests.conftest import PASSWORD, csrf_token, make_test_app, post_form

COURSE_DIR = Path(__file__).parent / "course"
COURSE = "steady"
QUIZ_URL = f"/courses/{COURSE}/quizzes/steady-check"
MAX_ATTEMPTS = 3  # the quiz's `attempts`
FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def new_app(database_url: str, **config: Any) -> Flask:
    """A test app on `database_url` (its tables made on SQLite)."""
    app = make_test_app(database_url, **config)
    if database_url.startswith("sqlite"):
        with app.app_context():
            Base.metadata.create_all(session.get_bind())
    return app


def close_app(app: Flask) -> None:
    with app.app_context():
        session.remove()
        app.extensions["sqlalchemy"].engine.dispose()


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = new_app(database_url)
    yield app
    close_app(app)


@pytest.fixture
def course(app: Flask) -> None:
    sync_course(app)


def sync_course(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["lms", "courses", "sync", str(COURSE_DIR)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def pg_database_url(postgres_url: str) -> str:
    """This run's PostgreSQL database, emptied (the test skips without LMS_TEST_DATABASE_URL)."""
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return postgres_url


@pytest.fixture
def pg_app(pg_database_url: str) -> Iterator[Flask]:
    """The app on PostgreSQL only, with the course loaded."""
    app = new_app(pg_database_url)
    sync_course(app)
    yield app
    close_app(app)


# -- learners and their tabs ---------------------------------------------------------------------


def add_learners(
    app: Flask, count: int, *, lessons_done: int = 0, prefix: str = "learner"
) -> list[str]:
    """Accounts enrolled in the course (with their first `lessons_done` lessons complete)."""
    from lms.accounts.service import create_account

    def fast_hash(account: Account, _password: str) -> None:
        account.password_hash = FAST_HASH

    emails = [f"{prefix}-{n:03d}@example.com" for n in range(1, count + 1)]
    with app.app_context(), patch.object(Account, "set_password", fast_hash):
        course = session.scalars(sa.select(Course).where(Course.slug == COURSE)).one()
        lessons = list(
            session.scalars(
                sa.select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.position)
            )
        )
        for email in emails:
            account = create_account(email, email.split("@")[0], PASSWORD)
            profile = account_profile(account)
            enrol_self_paced(profile, course)
            for lesson in lessons[:lessons_done]:
                session.add(
                    LessonProgress(
                        profile_id=profile.id, lesson_id=lesson.id, completed_at=utcnow()
                    )
                )
        session.commit()
    return emails


def account_profile(account: Account) -> Profile:
    return session.scalars(sa.select(Profile).where(Profile.user_id == str(account.id))).one()


@dataclass
class Tab:
    """A browser tab of a signed-in learner: a client and the page's CSRF token."""

    email: str
    client: FlaskClient
    token: str

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.client.post(path, data={"csrf_token": self.token, **(data or {})}, **kwargs)

    def post_json(self, path: str, body: Any) -> Any:
        return self.client.post(path, json=body, headers={"X-CSRFToken": self.token})

    def start(self) -> Any:
        return self.post(f"{QUIZ_URL}/attempts")

    def confirm(self, attempt_id: int) -> Any:
        return self.post(f"/attempts/{attempt_id}/submit", {"confirm": "yes"})

    def complete(self, lesson_slug: str) -> Any:
        return self.post(f"/courses/{COURSE}/lessons/{lesson_slug}/complete")

    def another_tab(self, app: Flask) -> Tab:
        """A second tab of the same browser: the same session cookie."""
        client = app.test_client()
        cookie = self.client.get_cookie("session")
        assert cookie is not None
        client.set_cookie("session", cookie.value)
        return Tab(self.email, client, self.token)


#: A different client address for every sign-in (10.x.y.z).
_addresses = itertools.count(1)


def sign_in(app: Flask, email: str) -> Tab:
    client = app.test_client()
    n = next(_addresses)
    client.environ_base["REMOTE_ADDR"] = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
    response = post_form(client, "/sign-in", {"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return Tab(email, client, csrf_token(client))


@contextmanager
def recorded(signal: Any) -> Iterator[list[int]]:
    """The ids of the attempts `signal` was sent for while the block ran."""
    sent: list[int] = []

    def receiver(_sender: Any, **extra: Any) -> None:
        sent.append(extra["attempt"].id)

    with signal.connected_to(receiver):
        yield sent


def attempt_id_of(response: Any) -> int:
    assert response.status_code == 302, (response.status_code, response.get_data(as_text=True))
    match = re.search(r"/attempts/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def together(actions: list[Callable[[], Any]], timeout: float = 60) -> list[Any]:
    """Run the actions in threads released at the same moment; their results, in order.

    An exception in any thread is raised here (after every thread has finished).
    """
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)
    errors: list[BaseException] = []

    def run(index: int, action: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = action()
        except BaseException as error:  # reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    if errors:
        raise errors[0]
    return results


# -- answers -------------------------------------------------------------------------------------


@dataclass
class Question:
    version_id: int
    type: str
    choice_ids: list[int]
    #: The page's names: the question's key and each choice's value (opaque, per attempt).
    key: str
    choice_names: dict[int, str]


def layout(app: Flask, attempt_id: int) -> list[Question]:
    """The attempt's questions as laid out (read from the database)."""
    with app.app_context():
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        return [
            Question(
                q.version.id,
                q.version.type.value,
                list(q.choice_ids),
                q.key,
                {choice_id: token for token, choice_id in q.choices.items()},
            )
            for q in laid_out_questions(attempt)
        ]


class Answers(dict[int, Any]):
    """Answers in the shape the database stores them (compare with `stored_answers`),
    knowing how the attempt's page names them (for `as_json` and `as_form`)."""

    def __init__(self, questions: list[Question]) -> None:
        super().__init__()
        self.questions = {q.version_id: q for q in questions}

    def on_the_page(self) -> list[tuple[Question, Any]]:
        """(question, the value the page sends) for each answer."""
        sent = []
        for version_id, value in self.items():
            question = self.questions[version_id]
            if question.type == "single":
                value = question.choice_names[value]
            elif question.type == "multiple":
                value = [question.choice_names[choice_id] for choice_id in value]
            sent.append((question, value))
        return sent


def answers_for(questions: list[Question], seed: int) -> Answers:
    """Answers, different for every seed, in the shape the database stores them."""
    answers = Answers(questions)
    for q in questions:
        if q.type == "single":
            answers[q.version_id] = q.choice_ids[seed % len(q.choice_ids)]
        elif q.type == "multiple":
            picked = {q.choice_ids[seed % len(q.choice_ids)], q.choice_ids[(seed // 2) % 2]}
            answers[q.version_id] = sorted(picked)
        elif q.type == "true_false":
            answers[q.version_id] = seed % 2 == 0
        elif q.type == "short_answer":
            answers[q.version_id] = f"answer-{seed}"
        elif q.type == "numeric":
            answers[q.version_id] = seed
    return answers


def as_json(answers: Answers) -> dict[str, Any]:
    """The autosave body quiz.js sends."""
    return {"answers": {question.key: value for question, value in answers.on_the_page()}}


def as_form(answers: Answers) -> dict[str, Any]:
    """The attempt page's form fields."""
    form: dict[str, Any] = {}
    for question, value in answers.on_the_page():
        field = f"q{question.key}"
        if isinstance(value, bool):
            form[field] = "true" if value else "false"
        elif isinstance(value, list):
            form[field] = list(value)
        else:
            form[field] = str(value)
    return form


def stored_answers(app: Flask, attempt_id: int) -> dict[int, Any]:
    with app.app_context():
        return {
            answer.question_version_id: answer.response
            for answer in session.scalars(sa.select(Answer).where(Answer.attempt_id == attempt_id))
        }


def attempts_of(app: Flask, email: str) -> list[Attempt]:
    """The learner's attempts, detached, oldest first."""
    with app.app_context():
        rows = list(
            session.scalars(
                sa.select(Attempt)
                .join(Profile, Attempt.profile_id == Profile.id)
                .where(Profile.email == email)
                .order_by(Attempt.number)
            )
        )
        for row in rows:
            session.expunge(row)
        return rows


# -- what must never be there twice --------------------------------------------------------------

#: (what, table, the columns that must be unique together, an optional row filter)
UNIQUE_GROUPS: list[tuple[str, Any, list[str], Any]] = [
    ("attempts per learner, quiz and number", Attempt, ["quiz_id", "profile_id", "number"], None),
    (
        "open attempts per learner and quiz",
        Attempt,
        ["quiz_id", "profile_id"],
        Attempt.status == AttemptStatus.IN_PROGRESS,
    ),
    ("answers per attempt and question", Answer, ["attempt_id", "question_version_id"], None),
    ("lesson progress per learner and lesson", LessonProgress, ["profile_id", "lesson_id"], None),
    ("enrolments per learner and course", Enrolment, ["profile_id", "course_id"], None),
    ("certificates per enrolment", Certificate, ["enrolment_id"], None),
]


def duplicates(app: Flask) -> dict[str, int]:
    """How many groups hold more than one row, for each rule of UNIQUE_GROUPS (all 0)."""
    found = {}
    with app.app_context():
        for what, model, columns, where in UNIQUE_GROUPS:
            cols = [getattr(model, c) for c in columns]
            query = sa.select(*cols).group_by(*cols).having(sa.func.count() > 1)
            if where is not None:
                query = query.where(where)
            found[what] = len(session.execute(query).all())
    return found
