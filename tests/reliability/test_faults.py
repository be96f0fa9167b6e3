"""Requests that die midway keep nothing.

A submit that dies after its first write (the conditional UPDATE that claims the attempt)
leaves the attempt open with its answers, unscored; the learner's retry submits it once,
and a further retry records nothing twice. A lesson completion that dies after its first
write leaves no progress row behind."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
import sqlalchemy.exc
from flask import Flask

import lms.learning.views
import lms.quizzes.attempts
import lms.quizzes.views
from lms.database import session
from lms.errors import MESSAGE
from lms.models import Answer, Attempt, AttemptStatus, Grade, LessonProgress
from lms.quizzes import attempt_submitted
from tests.reliability.conftest import (
    add_learners,
    answers_for,
    as_json,
    attempt_id_of,
    attempts_of,
    duplicates,
    layout,
    recorded,
    sign_in,
    stored_answers,
)


class SimulatedCrashError(RuntimeError):
    """The simulated crash."""


def crash(*_args: Any, **_kwargs: Any) -> Any:
    raise SimulatedCrashError("the process died here")


def database_busy(*_args: Any, **_kwargs: Any) -> Any:
    raise sqlalchemy.exc.OperationalError(
        "UPDATE lms_enrolment ...", {}, sqlite3.OperationalError("database is locked")
    )


@contextmanager
def failing_receiver(_monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with attempt_submitted.connected_to(crash):
        yield


def patched(target: Any, name: str, replacement: Callable[..., Any]) -> Any:
    @contextmanager
    def fault(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        with monkeypatch.context() as patch:
            patch.setattr(target, name, replacement)
            yield

    return fault


#: Where the submit dies, after `submit_attempt`'s UPDATE ... WHERE status = 'in_progress'.
FAULTS = {
    "while scoring": (patched(lms.quizzes.attempts, "score_submission", crash), 500),
    "in a submitted-signal receiver": (failing_receiver, 500),
    "while checking course completion": (
        patched(lms.quizzes.views, "update_completion", crash),
        500,
    ),
    "database busy before the commit": (
        patched(lms.quizzes.views, "update_completion", database_busy),
        503,
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_submit_that_dies_midway_keeps_nothing_and_a_retry_submits_once(
    app: Flask, course: None, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a 500 page
    [email] = add_learners(app, 1)
    tab = sign_in(app, email)
    attempt_id = attempt_id_of(tab.start())
    answers = answers_for(layout(app, attempt_id), 7)
    assert tab.post_json(f"/attempts/{attempt_id}/answers", as_json(answers)).status_code == 200

    inject, status = FAULTS[fault]
    with inject(monkeypatch):
        died = tab.confirm(attempt_id)
    assert died.status_code == status
    if status == 503:
        assert MESSAGE in died.get_data(as_text=True)
    # Nothing of the failed submit was kept.
    [attempt] = attempts_of(app, email)
    assert attempt.id == attempt_id
    assert attempt.status is AttemptStatus.IN_PROGRESS
    assert (attempt.submitted_at, attempt.score, attempt.passed) == (None, None, None)
    assert stored_answers(app, attempt_id) == answers
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Grade.id))) == 0
        scores = session.scalars(sa.select(Answer.score).where(Answer.attempt_id == attempt_id))
        assert set(scores) == {None}

    # The learner presses Submit again: it goes through, once.
    with recorded(attempt_submitted) as submitted:
        retried = tab.confirm(attempt_id)
        again = tab.confirm(attempt_id)
    assert retried.status_code == again.status_code == 302
    assert "already submitted" in tab.client.get(again.headers["Location"]).get_data(as_text=True)
    assert submitted == [attempt_id]
    [attempt] = attempts_of(app, email)
    assert attempt.status is AttemptStatus.GRADED
    assert attempt.submitted_at is not None and attempt.score is not None
    assert stored_answers(app, attempt_id) == answers
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Attempt.id))) == 1
    assert set(duplicates(app).values()) == {0}


def test_a_lesson_completion_that_dies_midway_leaves_no_progress_row(
    app: Flask, course: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Marking complete creates the progress row, then checks course completion; a crash
    in between must take the new row with it (on SQLite too, where a savepoint that opens
    the transaction is committed by its RELEASE)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    [email] = add_learners(app, 1)
    tab = sign_in(app, email)
    with monkeypatch.context() as patch:
        patch.setattr(lms.learning.views, "update_completion", crash)
        assert tab.complete("lesson-one").status_code == 500
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(LessonProgress.id))) == 0
    assert tab.complete("lesson-one").status_code == 302
    with app.app_context():
        progress = session.scalars(sa.select(LessonProgress)).one()
        assert progress.completed_at is not None
