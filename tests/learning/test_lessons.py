"""Lessons and release rules: locked by cohort date, by order and by drip schedule, with
a clear 403 page that never shows the content; completion and reading time."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session, utcnow
from lms.models import EnrolmentOverride, LessonProgress, Module
from tests.conftest import csrf_token, post_form
from tests.learning.conftest import days_ago, enrolment_of, make_cohort, profile_of


def test_cohort_module_opens_on_its_calendar_date(
    app: Flask, client: FlaskClient, nurse: str
) -> None:
    cohort_id, _ = make_cohort(app, starts_on=days_ago(2))
    post_form(client, f"/courses/co/cohorts/{cohort_id}/join", {})

    week_one = client.get("/courses/co/lessons/prework")
    assert week_one.status_code == 200
    assert "Read this before the live session." in week_one.get_data(as_text=True)

    locked = client.get("/courses/co/lessons/later")
    html = locked.get_data(as_text=True)
    assert locked.status_code == 403
    assert "The secret text of week two." not in html
    opens = (days_ago(2) + timedelta(days=7)).strftime("%A %-d %B %Y")
    assert f"This opens on {opens} at 00:00 (UTC)" in html  # midnight London, shown in UTC

    # The learner's own time zone is used for the date.
    with app.app_context():
        profile_of(nurse).timezone = "Europe/London"
        session.commit()
    html = client.get("/courses/co/lessons/later").get_data(as_text=True)
    assert f"This opens on {opens} at 00:00 (Europe/London)" in html
    outline = client.get("/courses/co/").get_data(as_text=True)
    assert "The secret text of week two." not in outline
    # A padlock drawn inline (no emoji font needed), named for screen readers.
    assert "🔒" not in outline
    assert '<svg class="lms-icon"' in outline
    assert '<span class="lms-visually-hidden">Locked: </span>' in outline


def test_an_instructor_override_opens_a_module_early_for_one_learner(
    app: Flask, client: FlaskClient, nurse: str
) -> None:
    cohort_id, _ = make_cohort(app, starts_on=days_ago(1))
    post_form(client, f"/courses/co/cohorts/{cohort_id}/join", {})
    assert client.get("/courses/co/lessons/later").status_code == 403
    with app.app_context():
        module = session.scalar(sa.select(Module).where(Module.slug == "week-two"))
        assert module is not None
        session.add(
            EnrolmentOverride(
                enrolment_id=enrolment_of(nurse, "co").id,
                module_id=module.id,
                opens_at=enrolment_of(nurse, "co").enrolled_at - timedelta(minutes=1),
            )
        )
        session.commit()
    assert client.get("/courses/co/lessons/later").status_code == 200


def test_complete_in_order_opens_a_lesson_when_the_previous_is_complete(
    app: Flask, client: FlaskClient, nurse: str
) -> None:
    post_form(client, "/courses/sp/enrol", {})
    locked = client.get("/courses/sp/lessons/lesson-two")
    assert locked.status_code == 403
    assert "This opens when you have finished “Lesson one”." in locked.get_data(as_text=True)
    assert "The text of lesson two." not in locked.get_data(as_text=True)

    response = post_form(client, "/courses/sp/lessons/lesson-one/complete", {})
    assert response.headers["Location"] == "/courses/sp/lessons/lesson-two"
    assert client.get("/courses/sp/lessons/lesson-two").status_code == 200
    # Completion is idempotent: a second POST keeps the first completion time.
    with app.app_context():
        first = session.scalars(sa.select(LessonProgress.completed_at)).one()
    post_form(client, "/courses/sp/lessons/lesson-one/complete", {})
    with app.app_context():
        assert session.scalars(sa.select(LessonProgress.completed_at)).one() == first


def test_self_paced_module_opens_days_after_enrolment(
    app: Flask, client: FlaskClient, nurse: str
) -> None:
    post_form(client, "/courses/sp/enrol", {})
    for slug in ("lesson-one", "lesson-two"):
        post_form(client, f"/courses/sp/lessons/{slug}/complete", {})
    _hand_in_quiz(app, nurse)
    locked = client.get("/courses/sp/lessons/lesson-three")
    assert locked.status_code == 403
    assert "This opens on" in locked.get_data(as_text=True)
    with app.app_context():
        enrolment = enrolment_of(nurse, "sp")
        enrolment.enrolled_at -= timedelta(days=3, minutes=1)
        session.commit()
    assert client.get("/courses/sp/lessons/lesson-three").status_code == 200


def _hand_in_quiz(app: Flask, email: str, passed: bool = True, number: int = 1) -> None:
    """A graded attempt at the `check` quiz, as if the learner had taken it."""
    from decimal import Decimal

    from lms.models import Attempt, AttemptStatus, Quiz

    with app.app_context():
        quiz = session.scalar(sa.select(Quiz).where(Quiz.slug == "check"))
        assert quiz is not None
        session.add(
            Attempt(
                quiz_id=quiz.id,
                profile_id=profile_of(email).id,
                number=number,
                status=AttemptStatus.GRADED,
                score=Decimal(2 if passed else 0),
                max_score=Decimal(2),
                passed=passed,
            )
        )
        session.commit()


def test_not_enrolled_learner_gets_403_and_unknown_lesson_404(
    client: FlaskClient, nurse: str
) -> None:
    response = client.get("/courses/sp/lessons/lesson-one")
    assert response.status_code == 403
    assert "You are not enrolled in this course" in response.get_data(as_text=True)
    post_form(client, "/courses/sp/enrol", {})
    assert client.get("/courses/sp/lessons/no-such-lesson").status_code == 404
    assert client.get("/courses/nope/lessons/lesson-one").status_code == 404


def test_reading_time_is_measured_on_the_server_and_capped(
    app: Flask, client: FlaskClient, nurse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    post_form(client, "/courses/sp/enrol", {})
    page = client.get("/courses/sp/lessons/lesson-one").get_data(as_text=True)
    assert "lesson.js" in page and "<script>" not in page
    view = re.search(r'data-view="([^"]+)"', page)
    assert view
    token = csrf_token(client)
    url = "/courses/sp/lessons/lesson-one/ping"

    def report(seconds: object, after: int = 0, **extra: object) -> Any:
        later = utcnow() + timedelta(seconds=after)
        monkeypatch.setattr("lms.learning.reading.utcnow", lambda: later)
        return client.post(
            url, json={"view": view.group(1), "seconds": seconds} | extra,
            headers={"X-CSRFToken": token},
        )  # fmt: skip

    assert report(0).json["active_seconds"] == 0
    # The page claims 25 seconds, 20 have passed on the server's clock: 20 count.
    assert report(25, after=20).json["active_seconds"] == 20
    # A replay straight away adds nothing: no time has passed since the last credit.
    assert report(25, after=20).json["active_seconds"] == 20
    # A tab left open overnight claims hours: one report is capped.
    cap = app.config["LMS_PING_MAX_SECONDS"]
    assert report(3000, after=8 * 3600).json["active_seconds"] == 20 + cap
    assert report(-1).status_code == 400 and report("10").status_code == 400
    assert report(10, view="forged").status_code == 400
    assert client.post(url, json={"view": view.group(1), "seconds": 5}).status_code == 400


def test_live_session_page_shows_the_cohorts_session(
    app: Flask, client: FlaskClient, nurse: str
) -> None:
    from lms.models import LiveSession
    from tests.learning.conftest import cohort_by_id

    cohort_id, _ = make_cohort(app, starts_on=days_ago(1))
    with app.app_context():
        cohort = cohort_by_id(cohort_id)
        module = session.scalar(sa.select(Module).where(Module.slug == "week-one"))
        assert module is not None
        cohort.live_sessions.append(
            LiveSession(
                module_id=module.id,
                title="Week one circle",
                starts_at=cohort.calendar[0].opens_at + timedelta(days=2, hours=18),
                duration_minutes=90,
                location="https://meet.example/room-1",
            )
        )
        session.commit()
    post_form(client, f"/courses/co/cohorts/{cohort_id}/join", {})
    html = client.get("/courses/co/lessons/live").get_data(as_text=True)
    assert "Week one circle" in html and "90 minutes" in html
    assert "https://meet.example/room-1" in html
    assert "Week one circle" in client.get("/courses/co/").get_data(as_text=True)
