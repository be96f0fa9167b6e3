"""Counts read as English: "1 question", "1 attempt left", "15 minutes"."""

from __future__ import annotations

import re
from collections.abc import Callable

import yaml
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import post_form
from tests.quizzes.conftest import GOOD, QUIZ_URL, start, submit, text


def first_question() -> dict[str, object]:
    quiz = yaml.safe_load((GOOD / "01-basics" / "check.quiz.yml").read_text())
    return quiz["questions"][0]


def test_one_question_and_one_attempt_are_singular(
    app: Flask, sync_quiz: Callable[..., None], learner: FlaskClient
) -> None:
    sync_quiz(questions=[first_question()], attempts=1, time_limit_minutes=1)
    quiz_page = text(learner.get(QUIZ_URL))
    assert re.search(r"<dd>\s*1 minute\s", quiz_page), quiz_page
    attempt_id = start(learner)
    confirm = text(post_form(learner, f"/attempts/{attempt_id}/submit", {}))
    assert "You answered 0 of 1 question." in confirm
    assert "1 questions" not in confirm
    assert "Time left: about 0 minutes." in confirm or "Time left: about 1 minute." in confirm
    submit(learner, attempt_id)
    quiz_page = text(learner.get(QUIZ_URL))
    assert "You have used your one attempt at this quiz." in quiz_page
    assert ">Failed</span>" in quiz_page  # no attempt left: now it has failed


def test_two_questions_are_plural(app: Flask, sync_quiz: Callable[..., None],
                                  learner: FlaskClient) -> None:  # fmt: skip
    sync_quiz(essay=False)
    attempt_id = start(learner)
    confirm = text(post_form(learner, f"/attempts/{attempt_id}/submit", {}))
    assert "You answered 0 of 5 questions." in confirm
