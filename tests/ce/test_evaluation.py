"""The course evaluation: answered once, stored apart from identity; staff read totals and
comments without names, and only counts while fewer than five have answered."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session
from lms.models import EvaluationResponse, EvaluationSubmission
from tests.ce.conftest import ANSWERS, CRED, EVALUATION, acknowledge, evaluate
from tests.conftest import Users, post_form


def reach_the_evaluation(app: Flask) -> None:
    """The evaluation sits after the final; for these tests it is open at once."""
    with app.app_context():
        from lms.models import Course

        course = session.scalar(sa.select(Course).where(Course.slug == "cred"))
        assert course is not None
        course.sequential = False
        session.commit()


def test_an_evaluation_is_answered_once_and_kept_without_the_learners_name(
    app: Flask, learner: FlaskClient
) -> None:
    reach_the_evaluation(app)
    acknowledge(learner)
    page = learner.get(EVALUATION).get_data(as_text=True)
    assert "Your answers are stored without your name" in page
    assert "Strongly agree" in page and "Very relevant" in page
    assert evaluate(learner).status_code == 302
    again = evaluate(learner, ANSWERS | {"q-comments": "Changed my mind."})
    assert "You submitted this evaluation" in again.get_data(as_text=True)
    with app.app_context():
        [response] = session.scalars(sa.select(EvaluationResponse)).all()
        assert response.answers == {
            "outcome-history": 4,
            "relevance": "Very relevant",
            "comments": "Useful.",
        }
        columns = set(EvaluationResponse.__table__.columns.keys())
        assert not columns & {"profile_id", "enrolment_id", "submitted_at"}
        assert session.scalar(sa.select(sa.func.count(EvaluationSubmission.id))) == 1
    assert "You submitted this evaluation" in learner.get(EVALUATION).get_data(as_text=True)


def test_missing_and_malformed_answers_are_refused_with_a_message(
    app: Flask, learner: FlaskClient
) -> None:
    reach_the_evaluation(app)
    acknowledge(learner)
    for answers, message in [
        ({"q-relevance": "Very relevant"}, "Answer this question (it is required)."),
        (ANSWERS | {"q-outcome-history": "6"}, "Choose one point of the scale."),
        (ANSWERS | {"q-relevance": "<script>"}, "Choose one of the listed options."),
        (ANSWERS | {"q-comments": "x" * 5001}, "the most is 5,000"),
    ]:
        refused = evaluate(learner, answers)
        assert refused.status_code == 400
        assert message in refused.get_data(as_text=True)
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(EvaluationResponse.id))) == 0
    # Optional questions may be left out.
    optional = {k: v for k, v in ANSWERS.items() if k != "q-comments"}
    assert evaluate(learner, optional).status_code == 302


def test_staff_see_totals_without_names_only_from_five_responses(
    app: Flask, users: Users, learner: FlaskClient
) -> None:
    reach_the_evaluation(app)
    clients = [learner]
    for number in range(4):
        other = app.test_client()
        users.client = other
        users.create(f"l{number}@example.com")
        users.sign_in(f"l{number}@example.com")
        post_form(other, f"{CRED}/enrol", {})
        clients.append(other)
    admin = app.test_client()
    users.client = admin
    users.create("ada@example.com", role="admin")
    users.sign_in("ada@example.com")
    results = "/teach/courses/cred/evaluations/evaluation"
    for count, client in enumerate(clients, start=1):
        acknowledge(client)
        evaluate(client, ANSWERS | {"q-comments": f"Comment {count}"})
        page = admin.get(results).get_data(as_text=True)
        assert f"{count} response" in page
        if count < 5:
            assert "Results appear once at least 5 learners have answered" in page
            assert "Comment 1" not in page
    assert "Comment 1" in page and "Comment 5" in page
    assert "mean 4.0" in page
    assert "Nora" not in page and "l0@example.com" not in page
    # An instructor who does not teach the course sees nothing.
    outsider = app.test_client()
    users.client = outsider
    users.create("ian@example.com", role="instructor")
    users.sign_in("ian@example.com")
    assert outsider.get(results).status_code == 404
    assert learner.get(results).status_code == 403
