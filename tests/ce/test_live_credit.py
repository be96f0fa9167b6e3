"""Live-session credit only from attendance: the learner cannot mark the page complete;
the instructor's register or the check-in code given during the session completes it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.cohorts.service import create_cohort
from lms.database import session, utcnow
from lms.models import Attendance, CheckInFailure, Course, LiveSession, Profile
from tests.ce.conftest import acknowledge, events
from tests.conftest import Users, post_form

COURSE = "/courses/cred-co"
LIVE = f"{COURSE}/lessons/live"


@dataclass
class Cohort:
    id: int
    session_id: int
    code: str | None


def make(app: Flask, starts_in: timedelta, code: str | None = "K7PQ4X") -> Cohort:
    with app.app_context():
        course = session.scalar(sa.select(Course).where(Course.slug == "cred-co"))
        assert course is not None
        cohort = create_cohort(course, "Live cohort", utcnow().date() - timedelta(days=1))
        live = LiveSession(
            module_id=cohort.calendar[0].module_id,
            title="Week 1 circle",
            starts_at=utcnow() + starts_in,
            duration_minutes=60,
            location="Room 1",
            check_in_code=code,
            make_up="Watch the recording and write a 300-word summary for your instructor.",
        )
        cohort.live_sessions.append(live)
        teacher = session.scalar(sa.select(Profile).where(Profile.email == "ivy@example.com"))
        if teacher is not None:
            cohort.instructors.append(teacher)
        session.commit()
        return Cohort(cohort.id, live.id, code)


@pytest.fixture
def therapist(app: Flask, users: Users, client: FlaskClient, ce_courses: None) -> FlaskClient:
    users.create("ivy@example.com", role="instructor")
    users.create("tess@example.com", name="Tess Therapist")
    users.sign_in("tess@example.com")
    return client


def join(client: FlaskClient, cohort: Cohort) -> None:
    assert post_form(client, f"{COURSE}/cohorts/{cohort.id}/join", {}).status_code == 302
    acknowledge(client, COURSE)


def live_status(client: FlaskClient) -> str:
    """The live session's status in the course outline."""
    page = client.get(f"{COURSE}/").get_data(as_text=True)
    match = re.search(r'lms-item-title"[^>]*>Live session<.*?lms-status-(\w+)', page, re.S)
    assert match, "the outline has no live session"
    return match.group(1)


def test_a_therapist_cannot_complete_a_live_session_herself(
    app: Flask, therapist: FlaskClient
) -> None:
    cohort = make(app, starts_in=timedelta(days=2))
    join(therapist, cohort)
    refused = post_form(therapist, f"{LIVE}/complete", {}, token_from=f"{COURSE}/")
    assert refused.status_code == 409
    assert "A live session is completed by attending it" in refused.get_data(as_text=True)
    assert live_status(therapist) != "complete"
    page = therapist.get(LIVE).get_data(as_text=True)
    assert "Mark complete" not in page and "Your attendance completes this page" in page


def test_the_instructors_register_completes_it_and_each_change_is_recorded(
    app: Flask, users: Users, therapist: FlaskClient
) -> None:
    cohort = make(app, starts_in=-timedelta(hours=3))
    join(therapist, cohort)
    instructor = app.test_client()
    users.client = instructor
    users.sign_in("ivy@example.com")
    with app.app_context():
        tess = session.scalar(sa.select(Profile).where(Profile.email == "tess@example.com"))
        assert tess is not None
        mark = f"mark_{tess.id}"
    url = f"/teach/cohorts/{cohort.id}/sessions/{cohort.session_id}/attendance"
    assert post_form(instructor, url, {mark: "absent"}, token_from=url).status_code == 302
    page = therapist.get(LIVE).get_data(as_text=True)
    assert "You were recorded as absent" in page and "Watch the recording" in page
    assert live_status(therapist) != "complete"
    post_form(instructor, url, {mark: "absent"}, token_from=url)  # unchanged: no entry
    post_form(instructor, url, {mark: "made_up"}, token_from=url)
    assert live_status(therapist) == "complete"
    with app.app_context():
        changes = [(e.before["status"], e.after["status"]) for e in events("attendance")]
        assert changes == [(None, "absent"), ("absent", "made_up")]
        assert {e.actor_id for e in events("attendance")} == {
            session.scalar(sa.select(Profile.id).where(Profile.email == "ivy@example.com"))
        }


def test_the_check_in_code_records_attendance_during_the_session_only(
    app: Flask, therapist: FlaskClient
) -> None:
    cohort = make(app, starts_in=-timedelta(minutes=10))
    join(therapist, cohort)
    assert "Check-in code" in therapist.get(LIVE).get_data(as_text=True)
    wrong = post_form(therapist, f"{LIVE}/check-in", {"code": "WRONG1"}, token_from=LIVE)
    assert wrong.status_code == 400
    assert "not this session&#39;s check-in code" in wrong.get_data(as_text=True)
    right = post_form(therapist, f"{LIVE}/check-in", {"code": " k7pq-4x "}, token_from=LIVE)
    assert right.status_code == 302
    again = post_form(therapist, f"{LIVE}/check-in", {"code": "K7PQ4X"}, token_from=LIVE)
    assert again.status_code in (302, 400)  # the form is gone; a replay changes nothing
    assert live_status(therapist) == "complete"
    with app.app_context():
        [attendance] = session.scalars(sa.select(Attendance)).all()
        assert (attendance.status.value, attendance.method) == ("present", "check-in")
        [entry] = events("attendance")
        assert entry.after == {"status": "present", "method": "check-in"}


@pytest.mark.parametrize(
    ("starts_in", "reason"),
    [(timedelta(hours=3), "Check-in is open from"), (-timedelta(hours=3), "Check-in is open from")],
)
def test_a_code_outside_the_sessions_window_is_refused(
    app: Flask, therapist: FlaskClient, starts_in: timedelta, reason: str
) -> None:
    cohort = make(app, starts_in=starts_in)
    join(therapist, cohort)
    refused = post_form(therapist, f"{LIVE}/check-in", {"code": cohort.code}, token_from=LIVE)
    assert refused.status_code == 400 and reason in refused.get_data(as_text=True)
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Attendance.id))) == 0


def test_guessing_codes_is_throttled(app: Flask, therapist: FlaskClient) -> None:
    cohort = make(app, starts_in=-timedelta(minutes=5))
    join(therapist, cohort)
    for guess in range(5):
        response = post_form(
            therapist, f"{LIVE}/check-in", {"code": f"AAAA{guess:02d}"}, token_from=LIVE
        )
        assert "not this session" in response.get_data(as_text=True)
    blocked = post_form(therapist, f"{LIVE}/check-in", {"code": cohort.code}, token_from=LIVE)
    assert blocked.status_code == 400
    assert "Too many wrong codes" in blocked.get_data(as_text=True)
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(CheckInFailure.id))) == 5
        assert session.scalar(sa.select(sa.func.count(Attendance.id))) == 0


def test_the_instructor_creates_the_code_once(
    app: Flask, users: Users, therapist: FlaskClient
) -> None:
    cohort = make(app, starts_in=timedelta(minutes=30), code=None)
    instructor = app.test_client()
    users.client = instructor
    users.sign_in("ivy@example.com")
    url = f"/teach/cohorts/{cohort.id}/sessions/{cohort.session_id}"
    page = instructor.get(f"{url}/attendance").get_data(as_text=True)
    assert "Create a check-in code" in page
    for _ in range(2):
        assert (
            post_form(
                instructor, f"{url}/check-in-code", {}, token_from=f"{url}/attendance"
            ).status_code
            == 302
        )
    page = instructor.get(f"{url}/attendance").get_data(as_text=True)
    code = re.search(r'lms-check-in-code"><code>(\w+)</code>', page)
    assert code and len(code.group(1)) == 6
    with app.app_context():
        live = session.get(LiveSession, cohort.session_id)
        assert live is not None and live.check_in_code == code.group(1)
