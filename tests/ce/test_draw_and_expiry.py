"""A summative quiz draws a different paper per attempt on the same blueprint; a course
past its CE expiry takes no new learners."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session, utcnow
from lms.models import Attempt, Course, QuestionVersion, Quiz
from lms.quizzes.attempts import build_layout
from tests.ce.conftest import CRED, acknowledge, finish_course, pass_quiz
from tests.conftest import Users, post_form


def objectives_of(attempt: Attempt) -> Counter[str | None]:
    return Counter(
        session.get(QuestionVersion, item["version_id"]).objective  # type: ignore[union-attr]
        for item in attempt.layout
    )


def test_each_attempt_draws_its_paper_in_the_pools_proportions(
    app: Flask, learner: FlaskClient, clock: Callable[[float], datetime]
) -> None:
    acknowledge(learner)
    with app.app_context():
        course = session.scalar(sa.select(Course).where(Course.slug == "cred"))
        assert course is not None
        course.sequential = False
        session.commit()
    page = learner.get(f"{CRED}/quizzes/final").get_data(as_text=True)
    assert "4 <span" in page and "each attempt draws them from 8" in page
    for _ in range(3):
        pass_quiz(app, learner, "final", right=False)
    with app.app_context():
        attempts = session.scalars(sa.select(Attempt).order_by(Attempt.number)).all()
        assert len(attempts) == 3
        for attempt in attempts:
            assert len(attempt.layout) == 4
            assert objectives_of(attempt) == {"history": 2, "safety": 2}
        quiz = session.scalar(sa.select(Quiz).where(Quiz.slug == "final"))
        assert quiz is not None
        papers = {frozenset(item["version_id"] for item in build_layout(quiz)) for _ in range(30)}
        assert len(papers) > 5  # 36 possible papers: a second attempt is not the same one


def test_an_expired_course_takes_no_new_learners_but_enrolled_ones_may_finish(
    app: Flask, users: Users, learner: FlaskClient, clock: Callable[[float], datetime]
) -> None:
    def expire(finish: bool) -> None:
        with app.app_context():
            course = session.scalar(sa.select(Course).where(Course.slug == "cred"))
            assert course is not None
            yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
            course.ce = (course.ce or {}) | {
                "expiry_date": yesterday,
                "finish_after_expiry": finish,
            }
            session.commit()

    expire(finish=True)
    late = app.test_client()
    users.client = late
    users.create("late@example.com")
    users.sign_in("late@example.com")
    refused = post_form(late, f"{CRED}/enrol", {})
    assert refused.status_code == 409
    assert "was offered for CE credit until" in refused.get_data(as_text=True)
    finish_course(app, learner, clock)  # enrolled before: may finish, and gets credit
    assert "View your certificate" in learner.get(f"{CRED}/").get_data(as_text=True)


def test_when_finishing_after_expiry_is_not_allowed_the_certificate_waits_never(
    app: Flask, learner: FlaskClient, clock: Callable[[float], datetime]
) -> None:
    with app.app_context():
        course = session.scalar(sa.select(Course).where(Course.slug == "cred"))
        assert course is not None
        yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
        course.ce = (course.ce or {}) | {"expiry_date": yesterday, "finish_after_expiry": False}
        session.commit()
    finish_course(app, learner, clock)
    page = learner.get(f"{CRED}/").get_data(as_text=True)
    assert "Course offered for credit" in page and "Credit ended on" in page
    assert "View your certificate" not in page
