"""Catalogue and enrolment: self-paced one-click enrolment, joining cohorts (open, by
code, seat limits under concurrent joins), leaving and coming back."""

from __future__ import annotations

import threading

from flask import Flask
from flask.testing import FlaskClient

from lms.database import session
from lms.models import EnrolmentStatus, LessonProgress
from tests.conftest import PASSWORD, Users, post_form
from tests.learning.conftest import enrolment_of, make_cohort, profile_of


def test_catalogue_shows_tracks_audience_hours_and_cohort_seats(
    app: Flask, client: FlaskClient, courses: None
) -> None:
    make_cohort(app, capacity=12, name="Autumn cohort")
    html = client.get("/").get_data(as_text=True)
    assert "Self-paced basics" in html and "Cohort basics" in html
    assert "For: Licensed therapists" in html
    assert "Autumn cohort" in html and "12 places left" in html
    assert "CE hours" not in html  # the test courses give no credit (tests/fixtures/ce do)


def test_self_paced_enrolment_is_one_click(app: Flask, client: FlaskClient, nurse: str) -> None:
    page = client.get("/courses/co/").get_data(as_text=True)
    assert "Join a cohort" in page
    response = post_form(client, "/courses/sp/enrol", {})
    assert response.status_code == 302
    page = client.get("/courses/sp/").get_data(as_text=True)
    assert "Your progress" in page and "0% complete" in page
    assert 'role="progressbar"' in page or "<progress" in page
    with app.app_context():
        assert enrolment_of(nurse, "sp").status is EnrolmentStatus.ACTIVE
    # Enrolling twice changes nothing.
    assert post_form(client, "/courses/sp/enrol", {}).status_code == 302


def test_anonymous_visitor_is_asked_to_sign_in_to_enrol(client: FlaskClient, courses: None) -> None:
    assert "Sign in to enrol" in client.get("/courses/sp/").get_data(as_text=True)
    response = post_form(client, "/courses/sp/enrol", {})
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_cohort_course_cannot_be_taken_self_paced(client: FlaskClient, nurse: str) -> None:
    response = post_form(client, "/courses/co/enrol", {})
    assert response.status_code == 409
    assert "join a cohort" in response.get_data(as_text=True)


def test_join_an_open_cohort_and_a_full_one_is_refused(
    app: Flask, client: FlaskClient, users: Users, nurse: str
) -> None:
    cohort_id, _code = make_cohort(app, capacity=1)
    assert post_form(client, f"/courses/co/cohorts/{cohort_id}/join", {}).status_code == 302
    with app.app_context():
        assert enrolment_of(nurse, "co").cohort_id == cohort_id

    other = app.test_client()
    users.client = other
    users.create("theo@example.com")
    users.sign_in("theo@example.com")
    response = post_form(other, f"/courses/co/cohorts/{cohort_id}/join", {})
    assert response.status_code == 409
    assert "is full" in response.get_data(as_text=True)


def test_closed_cohort_is_joined_with_its_invite_code_only(
    app: Flask, client: FlaskClient, nurse: str
) -> None:
    cohort_id, code = make_cohort(app, is_open=False)
    response = post_form(client, f"/courses/co/cohorts/{cohort_id}/join", {})
    assert response.status_code == 409
    assert "closed for joining" in response.get_data(as_text=True)

    wrong = post_form(client, "/join", {"code": "not-a-code"})
    assert wrong.status_code == 400
    assert "That invite code is not right" in wrong.get_data(as_text=True)
    empty = post_form(client, "/join", {"code": ""})
    assert empty.status_code == 400
    assert "Enter the invite code" in empty.get_data(as_text=True)

    response = post_form(client, "/join", {"code": code})
    assert response.status_code == 302
    assert response.headers["Location"] == "/courses/co/"
    with app.app_context():
        assert enrolment_of(nurse, "co").cohort_id == cohort_id


def test_seat_limit_holds_under_concurrent_joins(app: Flask, users: Users, courses: None) -> None:
    capacity, learners = 3, 8
    cohort_id, _ = make_cohort(app, capacity=capacity)
    clients = []
    for n in range(learners):
        users.client = app.test_client()
        users.create(f"learner{n}@example.com")
        users.sign_in(f"learner{n}@example.com")
        clients.append(users.client)
    tokens = [_token(c) for c in clients]
    statuses: list[int] = []
    barrier = threading.Barrier(learners)

    def join(client: FlaskClient, token: str) -> None:
        barrier.wait()
        response = client.post(f"/courses/co/cohorts/{cohort_id}/join", data={"csrf_token": token})
        statuses.append(response.status_code)

    threads = [
        threading.Thread(target=join, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302] * capacity + [409] * (learners - capacity)
    with app.app_context():
        from lms.learning.enrolment import seats_taken
        from tests.learning.conftest import cohort_by_id

        assert seats_taken(cohort_by_id(cohort_id)) == capacity


def _token(client: FlaskClient) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client)


def test_leaving_keeps_progress_and_coming_back_resumes(
    app: Flask, client: FlaskClient, nurse: str
) -> None:
    post_form(client, "/courses/sp/enrol", {})
    post_form(client, "/courses/sp/lessons/lesson-one/complete", {})
    response = post_form(client, "/courses/sp/leave", {})
    assert response.status_code == 302
    assert client.get("/courses/sp/lessons/lesson-one").status_code == 403
    with app.app_context():
        assert enrolment_of(nurse, "sp").status is EnrolmentStatus.WITHDRAWN
        assert session.query(LessonProgress).count() == 1

    post_form(client, "/courses/sp/enrol", {})
    page = client.get("/courses/sp/").get_data(as_text=True)
    assert "Resume: Lesson two" in page or "Lesson two" in page
    with app.app_context():
        assert enrolment_of(nurse, "sp").status is EnrolmentStatus.ACTIVE
        assert profile_of(nurse).id == enrolment_of(nurse, "sp").profile_id


def test_enrol_requires_sign_in_and_a_csrf_token(
    client: FlaskClient, users: Users, courses: None
) -> None:
    users.create("ana@example.com")
    users.sign_in("ana@example.com", PASSWORD)
    assert client.post("/courses/sp/enrol").status_code == 400
