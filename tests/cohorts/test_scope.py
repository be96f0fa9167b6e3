"""Who may use the teaching pages: admins everything; an instructor only their cohorts
(another cohort's every address is a 404, as if it did not exist); learners 403 on every
/teach page; anonymous visitors are sent to sign in. Walks the blueprint's URL rules, so
a new page is checked without being listed here."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session, utcnow
from lms.models import Cohort, Enrolment, EnrolmentStatus, LiveSession
from lms.policies import POLICIES, Audience
from lms.web import lms_url_for
from tests.cohorts.conftest import (
    People,
    cohort_row,
    enrol,
    enrolment_of,
    make_cohort,
    profile_of,
)
from tests.conftest import csrf_token, lms_rules

#: The cohort pages, with who may use them (declared in lms/policies.py).
POLICY = {e: who for e, who in POLICIES.items() if e.startswith("cohorts.")}
#: Pages only admins use; an instructor of the cohort gets 403 there.
ADMIN_ONLY = {endpoint for endpoint, who in POLICY.items() if who is Audience.ADMIN}


@pytest.fixture
def two_cohorts(app: Flask, people: People, admin: FlaskClient) -> dict[str, dict[str, int]]:
    """Cohorts A and B, each with an instructor, a learner and a live session."""
    ids: dict[str, dict[str, int]] = {}
    for key in ("a", "b"):
        people.create(f"teacher-{key}@example.com", role="instructor")
        people.create(f"learner-{key}@example.com")
        cohort_id = make_cohort(
            app, name=f"Cohort {key.upper()}", instructors=(f"teacher-{key}@example.com",)
        )
        assert enrol(admin, cohort_id, f"learner-{key}@example.com").status_code == 200
        with app.app_context():
            live = LiveSession(
                cohort_id=cohort_id,
                title=f"Session {key}",
                starts_at=utcnow() + timedelta(days=1),
                duration_minutes=60,
            )
            session.add(live)
            session.commit()
            ids[key] = {
                "cohort_id": cohort_id,
                "session_id": live.id,
                "enrolment_id": enrolment_of(f"learner-{key}@example.com", cohort_id).id,
                "profile_id": profile_of(f"teacher-{key}@example.com").id,
            }
    return ids


def teaching_urls(app: Flask, ids: dict[str, int]) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) of every teaching page, filled with one cohort's ids."""
    urls = []
    with app.test_request_context():
        for rule in lms_rules(app):
            if not rule.endpoint.startswith("cohorts."):
                continue
            url = lms_url_for(rule.endpoint, **{name: ids[name] for name in rule.arguments})
            for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                urls.append((rule.endpoint, method, url))
    return urls


def url_rule_arguments(app: Flask, endpoint: str) -> set[str]:
    return set(next(r for r in lms_rules(app) if r.endpoint == endpoint).arguments)


def request(client: FlaskClient, method: str, url: str, token: str) -> int:
    if method == "GET":
        return client.get(url).status_code
    return client.post(url, data={"csrf_token": token, "name": "Changed"}).status_code


def test_every_teaching_page_has_a_declared_policy(
    app: Flask, two_cohorts: dict[str, dict[str, int]]
) -> None:
    urls = teaching_urls(app, two_cohorts["a"])
    assert {endpoint for endpoint, _, _ in urls} == set(POLICY)  # a new page needs a policy
    assert all(url.startswith("/teach/") for _, _, url in urls)


def test_an_instructor_gets_404_on_every_page_of_another_cohort(
    app: Flask, people: People, two_cohorts: dict[str, dict[str, int]]
) -> None:
    teacher = people.sign_in("teacher-a2@example.com", role="instructor")
    with app.app_context():
        cohort = cohort_row(two_cohorts["a"]["cohort_id"])
        cohort.instructors.append(profile_of("teacher-a2@example.com"))
        session.commit()
    token = csrf_token(teacher)
    for endpoint, method, url in teaching_urls(app, two_cohorts["b"]):
        cohort_specific = "cohort_id" in url_rule_arguments(app, endpoint)
        if POLICY[endpoint] is Audience.TEACHING:
            expected = 200  # a list of their own cohorts
        elif POLICY[endpoint] is Audience.ADMIN and not cohort_specific:
            expected = 403
        else:
            expected = 404  # another cohort's page: as if it did not exist
        assert request(teacher, method, url, token) == expected, (method, url)

    # Nothing about cohort B changed, and its page never names it.
    with app.app_context():
        b = cohort_row(two_cohorts["b"]["cohort_id"])
        assert b.name == "Cohort B"
        assert [p.email for p in b.instructors] == ["teacher-b@example.com"]
        assert session.get(LiveSession, two_cohorts["b"]["session_id"]) is not None
        enrolment = enrolment_of("learner-b@example.com", b.id)
        assert enrolment.status is EnrolmentStatus.ACTIVE
    page = teacher.get(f"/teach/cohorts/{two_cohorts['b']['cohort_id']}").get_data(as_text=True)
    assert "Cohort B" not in page and "learner-b" not in page

    # Their own cohort: every page opens, except the admins' pages (403).
    for endpoint, method, url in teaching_urls(app, two_cohorts["a"]):
        if method != "GET":
            continue
        expected = 403 if endpoint in ADMIN_ONLY else 200
        assert teacher.get(url).status_code == expected, url


def test_the_cohort_list_shows_only_the_instructors_own_cohorts(
    app: Flask, people: People, two_cohorts: dict[str, dict[str, int]]
) -> None:
    teacher = people.sign_in("teacher-a3@example.com", role="instructor")
    assert "not assigned to any cohort" in teacher.get("/teach/cohorts").get_data(as_text=True)
    with app.app_context():
        cohort = cohort_row(two_cohorts["a"]["cohort_id"])
        cohort.instructors.append(profile_of("teacher-a3@example.com"))
        session.commit()
    page = teacher.get("/teach/cohorts").get_data(as_text=True)
    assert "Cohort A" in page and "Cohort B" not in page
    assert "Create cohort" not in page
    assert 'href="/teach/cohorts"' in teacher.get("/").get_data(as_text=True)  # nav link


def test_a_learner_gets_403_on_every_teaching_page(
    app: Flask, people: People, two_cohorts: dict[str, dict[str, int]]
) -> None:
    learner = people.sign_in("learner-c@example.com")
    token = csrf_token(learner)
    for ids in (two_cohorts["a"], dict.fromkeys(two_cohorts["a"], 999999)):
        for _endpoint, method, url in teaching_urls(app, ids):
            assert request(learner, method, url, token) == 403, (method, url)
    assert "Teaching" not in learner.get("/").get_data(as_text=True)
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Cohort.id))) == 2


def test_anonymous_visitors_are_sent_to_sign_in(
    app: Flask, client: FlaskClient, two_cohorts: dict[str, dict[str, int]]
) -> None:
    anonymous = app.test_client()
    token = csrf_token(anonymous)
    for _endpoint, method, url in teaching_urls(app, two_cohorts["a"]):
        if method == "GET":
            response = anonymous.get(url)
        else:
            response = anonymous.post(url, data={"csrf_token": token})
        assert response.status_code == 302, url
        assert "/sign-in" in response.headers["Location"]


def test_an_admin_opens_every_page_and_absurd_ids_are_404(
    app: Flask, admin: FlaskClient, two_cohorts: dict[str, dict[str, int]]
) -> None:
    for _endpoint, method, url in teaching_urls(app, two_cohorts["b"]):
        if method == "GET":
            assert admin.get(url).status_code == 200, url
    for number in (0, 999_999, 2**31, 10**30):
        assert admin.get(f"/teach/cohorts/{number}/roster").status_code == 404
        assert admin.get(f"/teach/cohorts/1/sessions/{number}/attendance").status_code == 404
        assert admin.get(f"/teach/cohorts/1/people/{number}").status_code == 404


def test_post_without_csrf_token_is_refused(
    app: Flask, admin: FlaskClient, two_cohorts: dict[str, dict[str, int]]
) -> None:
    for _endpoint, method, url in teaching_urls(app, two_cohorts["a"]):
        if method == "POST":
            assert admin.post(url, data={"name": "x"}).status_code == 400, url


NASTY = ["", "x" * 70_000, "-1", "9" * 40, "a\x00b", "<script>alert(1)</script>", "2025-02-30"]


def valid_posts(app: Flask, ids: dict[str, int]) -> dict[str, dict[str, str]]:
    """A valid form for each teaching page that takes one."""
    with app.app_context():
        cohort = cohort_row(ids["cohort_id"])
        enrolment = session.get(Enrolment, ids["enrolment_id"])
        assert enrolment is not None
        lines = {line.module_id: line for line in cohort.calendar}
        learner, course = enrolment.profile_id, cohort.course_id
    settings = {
        "name": "Cohort A",
        "starts_on": "2025-03-03",
        "timezone": "UTC",
        "capacity": "10",
        "is_open": "y",
        "invite_code": "CODE-A",
    }
    dates = {f"opens_{m}": "2025-03-03T00:00" for m in lines} | {
        f"due_{m}": "2025-03-20T00:00" for m in lines
    }
    live = {
        "title": "Circle",
        "module": "",
        "day": "2025-03-05",
        "start": "18:00",
        "duration_minutes": "60",
        "location": "Room 1",
    }
    base = f"/teach/cohorts/{ids['cohort_id']}"
    return {
        "/teach/cohorts/new": settings | {"course": str(course), "invite_code": "CODE-NEW"},
        f"{base}/edit": settings,
        f"{base}/calendar": dates,
        f"{base}/sessions": live,
        f"{base}/sessions/{ids['session_id']}": live,
        f"{base}/sessions/{ids['session_id']}/attendance": {f"mark_{learner}": "present"},
        f"{base}/instructors": {"person": str(ids["profile_id"])},
        f"{base}/people": {"emails": "learner-a@example.com"},
        f"{base}/people/{ids['enrolment_id']}": dates | {"extra_time_percent": "10"},
    }


def test_hostile_input_never_causes_a_server_error(
    app: Flask, admin: FlaskClient, two_cohorts: dict[str, dict[str, int]]
) -> None:
    """Each field of each form, one at a time, gets each hostile value: 4xx or a redirect."""
    token = csrf_token(admin)
    posts = valid_posts(app, two_cohorts["a"])
    form_pages = {
        url for _, method, url in teaching_urls(app, two_cohorts["a"]) if method == "POST"
    }
    # Buttons without fields: nothing to fuzz.
    buttons = ("/remove", "/delete", "/regenerate", "/check-in-code")
    assert form_pages - set(posts) == {url for url in form_pages if url.endswith(buttons)}
    for url, valid in posts.items():
        for field in valid:
            for value in NASTY:
                data = valid | {field: value, "csrf_token": token}
                response = admin.post(url, data=data)
                assert response.status_code < 500, (url, field, value[:20])
