"""Handing an attempt in: confirmation, scoring, one submission whatever happens, time
running out on the server's clock, and essays graded by an instructor."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session, utcnow
from lms.models import Answer, Attempt, AttemptStatus, Certificate, Enrolment, Grade, GradeStatus
from lms.quizzes import attempt_graded, attempt_submitted
from lms.quizzes.grading import finalise_attempt
from tests.conftest import Users, post_form
from tests.quizzes.conftest import (
    LEARNER,
    QUIZ_URL,
    RIGHT,
    WRONG,
    as_form,
    as_json,
    attempt_row,
    autosave,
    enrol,
    keys,
    move_deadline,
    profile_of,
    saved_responses,
    sign_in,
    start,
    submit,
    text,
)

GRACE = 30  # LMS_QUIZ_GRACE_SECONDS's default


@contextmanager
def recorded(signal: Any) -> Iterator[list[Attempt]]:
    """The attempts a signal was sent for while the block ran."""
    sent: list[Attempt] = []

    def receiver(_sender: Any, **extra: Any) -> None:
        sent.append(extra["attempt"].id)

    with signal.connected_to(receiver):
        yield sent


def answer_and_confirm(
    app: Flask, client: FlaskClient, attempt_id: int, answers: dict[str, Any]
) -> Any:
    """Press "Review and submit" on the attempt page with these answers filled in."""
    data = as_form(keys(app, attempt_id), answers)
    return post_form(client, f"/attempts/{attempt_id}/submit", data)


@pytest.fixture
def auto_graded(sync_quiz: Callable[..., None]) -> None:
    """The quiz without its essay, so submitting gives a final score at once."""
    sync_quiz(essay=False)


def test_submit_asks_for_confirmation_then_scores_the_attempt(
    app: Flask, auto_graded: None, learner: FlaskClient
) -> None:
    attempt_id = start(learner)
    confirm = answer_and_confirm(app, learner, attempt_id, RIGHT)
    assert confirm.status_code == 200
    page = text(confirm)
    assert "Ready to submit?" in page
    assert "You answered 5 of 5 questions." in page
    assert attempt_row(app, attempt_id).status is AttemptStatus.IN_PROGRESS

    response = submit(learner, attempt_id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}/review")
    review = text(learner.get(response.headers["Location"]))
    assert "Your answers are submitted." in review
    assert "Passed" in review and "<strong>100.0%</strong>" in review
    quiz_page = text(learner.get(QUIZ_URL))
    assert "status-passed" in quiz_page
    assert f"/attempts/{attempt_id}/review" in quiz_page
    stored = attempt_row(app, attempt_id)
    assert (stored.status, stored.score, stored.max_score, stored.passed) == (
        AttemptStatus.GRADED,
        Decimal(5),
        Decimal(5),
        True,
    )


@pytest.mark.parametrize(
    ("wrong", "percent", "result"),
    [(set(), "100.0", "Passed"), ({"how-many"}, "80.0", "Passed"),
     ({"how-many", "pick-all"}, "60.0", "Not passed yet"), (set(WRONG), "0.0", "Not passed yet")],
)  # fmt: skip
def test_the_score_counts_right_answers_against_the_pass_mark(
    app: Flask,
    auto_graded: None,
    learner: FlaskClient,
    wrong: set[str],
    percent: str,
    result: str,
) -> None:
    attempt_id = start(learner)
    answers = {slug: WRONG[slug] if slug in wrong else RIGHT[slug] for slug in RIGHT}
    answers.pop("reflect")
    answer_and_confirm(app, learner, attempt_id, answers)
    review = text(learner.get(submit(learner, attempt_id).headers["Location"]))
    assert f"<strong>{percent}%</strong>" in review
    assert f">{result}</h2>" in review
    if result != "Passed":
        assert "You have 2 attempts left." in review


def test_unanswered_questions_are_listed_before_submitting_and_score_nothing(
    app: Flask, auto_graded: None, learner: FlaskClient
) -> None:
    attempt_id = start(learner)
    page = text(answer_and_confirm(app, learner, attempt_id, {"is-true": "true"}))
    assert "You answered 1 of 5 questions." in page
    assert len(re.findall(r"#question-\d\">Question \d</a>", page)) == 4
    review = text(learner.get(submit(learner, attempt_id).headers["Location"]))
    assert "<strong>20.0%</strong>" in review
    assert review.count("No answer") == 4


def test_submitting_twice_records_one_submission(
    app: Flask, auto_graded: None, learner: FlaskClient
) -> None:
    attempt_id = start(learner)
    autosave(learner, attempt_id, as_json(keys(app, attempt_id), RIGHT))
    with recorded(attempt_submitted) as submitted:
        first = submit(learner, attempt_id)
        first_at = attempt_row(app, attempt_id).submitted_at
        second = submit(learner, attempt_id)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert "already submitted" in text(learner.get(second.headers["Location"]))
    assert submitted == [attempt_id]
    assert attempt_row(app, attempt_id).submitted_at == first_at
    # Answers cannot change after submitting either.
    late = autosave(learner, attempt_id, as_json(keys(app, attempt_id), WRONG))
    assert late.status_code == 409
    assert saved_responses(app, attempt_id)["name-it"] == "KETAMINE"


def test_two_tabs_submitting_at_once_record_one_submission(
    app: Flask, auto_graded: None, users: Users
) -> None:
    enrol(app, users, LEARNER)
    tabs = [app.test_client(), app.test_client()]
    for tab in tabs:
        sign_in(tab, LEARNER)
    attempt_id = start(tabs[0])
    autosave(tabs[0], attempt_id, as_json(keys(app, attempt_id), RIGHT))
    barrier = threading.Barrier(2)
    messages: list[str] = []

    def press_submit(tab: FlaskClient) -> None:
        barrier.wait()
        response = submit(tab, attempt_id)
        messages.append(text(tab.get(response.headers["Location"])))

    with recorded(attempt_submitted) as submitted, recorded(attempt_graded) as graded:
        threads = [threading.Thread(target=press_submit, args=(tab,)) for tab in tabs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert submitted == [attempt_id]
    assert graded == [attempt_id]
    assert sorted("already submitted" in page for page in messages) == [False, True]
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Attempt.id))) == 1
        assert session.scalar(sa.select(sa.func.count(Answer.id))) == 5
    assert attempt_row(app, attempt_id).score == Decimal(5)


def test_when_time_runs_out_the_saved_answers_are_submitted(
    app: Flask, auto_graded: None, learner: FlaskClient
) -> None:
    attempt_id = start(learner)
    questions = keys(app, attempt_id)
    autosave(learner, attempt_id, as_json(questions, {"is-true": "true", "how-many": "6"}))
    move_deadline(app, attempt_id, -(GRACE + 5))

    response = learner.get(f"/attempts/{attempt_id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}/review")
    review = text(learner.get(response.headers["Location"]))
    assert "Time ran out, so your attempt was submitted with the answers saved" in review
    assert "<strong>40.0%</strong>" in review
    stored = attempt_row(app, attempt_id)
    assert stored.status is AttemptStatus.GRADED
    assert stored.submitted_at == stored.deadline_at


def test_the_quiz_page_also_closes_an_attempt_whose_time_ran_out(
    app: Flask, auto_graded: None, learner: FlaskClient
) -> None:
    attempt_id = start(learner)
    move_deadline(app, attempt_id, -(GRACE + 5))
    page = text(learner.get(QUIZ_URL))
    assert "Time ran out" in page
    assert "Start attempt 2" in page
    assert attempt_row(app, attempt_id).status is AttemptStatus.GRADED


def test_saving_after_the_deadline_is_refused_and_within_the_grace_period_accepted(
    app: Flask, auto_graded: None, learner: FlaskClient
) -> None:
    attempt_id = start(learner)
    questions = keys(app, attempt_id)
    move_deadline(app, attempt_id, -(GRACE - 10))  # late, but inside the grace period
    assert (
        autosave(learner, attempt_id, as_json(questions, {"name-it": "ketamine"})).status_code
        == 200
    )

    move_deadline(app, attempt_id, -(GRACE + 1))
    refused = autosave(learner, attempt_id, as_json(questions, {"name-it": "changed"}))
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["status"] == "closed"
    assert body["error"].startswith("Time ran out")
    assert body["review_url"].endswith(f"/attempts/{attempt_id}/review")
    assert saved_responses(app, attempt_id)["name-it"] == "ketamine"
    assert attempt_row(app, attempt_id).score == Decimal(1)

    form = post_form(learner, f"/attempts/{attempt_id}/answers", as_form(questions, WRONG))
    assert form.status_code == 302
    assert "can no longer change" in text(learner.get(form.headers["Location"]))


def test_extra_time_lengthens_the_deadline(
    app: Flask, course: None, users: Users, client: FlaskClient
) -> None:
    enrol(app, users, LEARNER, extra_time_percent=50)
    sign_in(client, LEARNER)
    assert "23 minutes" in text(client.get(QUIZ_URL))
    before = utcnow()
    attempt = attempt_row(app, start(client))
    assert attempt.deadline_at is not None
    assert attempt.deadline_at - attempt.started_at == timedelta(minutes=22, seconds=30)
    assert attempt.started_at >= before - timedelta(seconds=1)
    page = text(client.get(f"/attempts/{attempt.id}"))
    assert re.search(r"Time left: <strong data-time-left>2[12] min</strong>", page)
    assert 'aria-live="polite"' in page


def test_an_essay_waits_for_grading_then_a_released_grade_makes_the_score_final(
    app: Flask, learner: FlaskClient, users: Users
) -> None:
    attempt_id = start(learner)
    answer_and_confirm(app, learner, attempt_id, RIGHT)
    with recorded(attempt_graded) as graded:
        review = text(learner.get(submit(learner, attempt_id).headers["Location"]))
    assert "Awaiting grading" in review
    assert graded == []
    assert "status-awaiting_grading" in text(learner.get(QUIZ_URL))
    stored = attempt_row(app, attempt_id)
    assert (stored.status, stored.score, stored.passed) == (
        AttemptStatus.AWAITING_GRADING,
        None,
        None,
    )

    users.create("ines@example.com", role="instructor")
    with app.app_context():
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        essay = next(a for a in attempt.answers if a.question_version.type.value == "essay")
        grade = Grade(
            answer=essay,
            grader_id=profile_of("ines@example.com").id,
            score=Decimal(4),
            feedback="Clear and kind.",
        )
        session.add(grade)
        session.flush()
        assert finalise_attempt(attempt) is False  # a draft grade is not final
        grade.status, grade.released_at = GradeStatus.RELEASED, utcnow()
        with recorded(attempt_graded) as graded:
            assert finalise_attempt(attempt) is True
        session.commit()
        assert graded == [attempt_id]
        assert (attempt.status, attempt.score, attempt.passed) == (
            AttemptStatus.GRADED,
            Decimal(9),
            True,
        )

    review = text(learner.get(f"/attempts/{attempt_id}/review"))
    assert "<strong>90.0%</strong>" in review
    assert "Clear and kind." in review
    assert "status-passed" in text(learner.get(QUIZ_URL))


def test_an_essay_outside_its_word_limits_cannot_be_submitted_yet(
    app: Flask, learner: FlaskClient
) -> None:
    attempt_id = start(learner)
    page = text(answer_and_confirm(app, learner, attempt_id, RIGHT | {"reflect": "Too short."}))
    assert "Before you can submit" in page
    assert "The answer has 2 words; write at least 10." in page
    assert "Submit my answers" not in page
    refused = submit(learner, attempt_id)
    assert refused.status_code == 400
    assert attempt_row(app, attempt_id).status is AttemptStatus.IN_PROGRESS

    # When time runs out, what was saved is handed in all the same.
    move_deadline(app, attempt_id, -(GRACE + 5))
    assert learner.get(f"/attempts/{attempt_id}").status_code == 302
    assert attempt_row(app, attempt_id).status is AttemptStatus.AWAITING_GRADING


def test_passing_the_required_quiz_completes_the_course(
    app: Flask, auto_graded: None, learner: FlaskClient
) -> None:
    attempt_id = start(learner)
    answer_and_confirm(app, learner, attempt_id, RIGHT | {"how-many": "7"})
    submit(learner, attempt_id)
    with app.app_context():
        enrolment = session.scalar(sa.select(Enrolment))
        assert enrolment is not None
        assert enrolment.completed_at is not None
        assert session.scalar(sa.select(Certificate)) is not None
