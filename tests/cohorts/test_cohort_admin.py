"""Admins create and edit cohorts (calendar generated from the start date and the
modules' weeks, in the cohort's time zone) and assign instructors; bad input is a form
with messages, never a 500 or a partial write."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session, utcnow
from lms.models import Cohort, CohortModule, Module
from tests.cohorts.conftest import (
    People,
    cohort_row,
    course_id,
    enrol,
    make_cohort,
    module_id,
    profile_of,
)
from tests.conftest import post_form


def cohort_form(app: Flask, **changes: str) -> dict[str, str]:
    with app.app_context():
        co = course_id("co")
    return {
        "course": str(co),
        "name": "Spring 2025",
        "starts_on": "2025-03-03",
        "timezone": "America/New_York",
        "capacity": "12",
        "is_open": "y",
        "invite_code": "SPRING-25",
    } | changes


def calendar_of(cohort_id: int) -> dict[str, tuple[datetime, datetime | None]]:
    lines = session.scalars(
        sa.select(CohortModule).where(CohortModule.cohort_id == cohort_id)
    ).all()
    return {line.module.slug: (line.opens_at, line.due_at) for line in lines}


def test_admin_creates_a_cohort_and_its_calendar_follows_the_weeks(
    app: Flask, admin: FlaskClient
) -> None:
    page = admin.get("/teach/cohorts/new").get_data(as_text=True)
    assert "Cohort basics" in page and "America/New_York" in page
    response = post_form(admin, "/teach/cohorts/new", cohort_form(app))
    assert response.status_code == 302
    with app.app_context():
        cohort = session.scalars(sa.select(Cohort)).one()
        assert response.headers["Location"] == f"/teach/cohorts/{cohort.id}/calendar"
        assert (cohort.name, cohort.starts_on, cohort.timezone) == (
            "Spring 2025",
            date(2025, 3, 3),
            "America/New_York",
        )
        assert (cohort.capacity, cohort.is_open, cohort.invite_code) == (12, True, "SPRING-25")
        calendar = calendar_of(cohort.id)
    # Week 1 opens at midnight in New York (05:00 UTC, standard time) and is due at the end
    # of its seventh day, Sunday 9 March at 23:59 there: 03:59 UTC, because the clocks went
    # forward that night. Week 2 opens at local midnight (04:00 UTC).
    assert calendar["week-one"] == (
        datetime(2025, 3, 3, 5, 0, tzinfo=UTC),
        datetime(2025, 3, 10, 3, 59, tzinfo=UTC),
    )
    assert calendar["week-two"] == (
        datetime(2025, 3, 10, 4, 0, tzinfo=UTC),
        datetime(2025, 3, 17, 3, 59, tzinfo=UTC),
    )
    # The calendar page shows them in the cohort's zone.
    page = admin.get(f"/teach/cohorts/{cohort.id}/calendar").get_data(as_text=True)
    assert 'value="2025-03-10T00:00"' in page and "America/New_York" in page
    assert 'value="2025-03-09T23:59"' in page
    listing = admin.get("/teach/cohorts").get_data(as_text=True)
    assert "Spring 2025" in listing and "0 / 12" in listing and "Create cohort" in listing


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"capacity": "abc"}, "Enter a whole number of places"),
        ({"capacity": "0"}, "Enter 1 to 10,000 places."),
        ({"capacity": "99999999999999999999999"}, "Enter 1 to 10,000 places."),
        ({"starts_on": "2025-13-45"}, "Enter a date like 2025-03-03."),
        ({"starts_on": ""}, "Enter the start date."),
        ({"starts_on": "9999-12-31"}, "Choose a date between 2000 and 2199."),
        ({"course": "99999"}, "Choose a course from the list."),
        ({"course": "abc"}, "Choose a course from the list."),
        ({"course": ""}, "Choose the course this cohort runs."),
        ({"name": "x" * 5000}, "Use at most 120 characters."),
        ({"name": "   "}, "Enter a name"),
        ({"timezone": "Mars/Olympus_Mons"}, "Choose a time zone from the list."),
        ({"invite_code": "no spaces!"}, "Use letters, digits, - and _ only."),
        ({"invite_code": "x" * 500}, "Use 4 to 32 characters."),
    ],
)
def test_bad_cohort_input_is_a_form_with_messages(
    app: Flask, admin: FlaskClient, changes: dict[str, str], message: str
) -> None:
    response = post_form(admin, "/teach/cohorts/new", cohort_form(app, **changes))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert "Please check" in html  # the summary above the form
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Cohort.id))) == 0


def test_a_taken_invite_code_is_a_field_error(app: Flask, admin: FlaskClient) -> None:
    assert post_form(admin, "/teach/cohorts/new", cohort_form(app)).status_code == 302
    again = post_form(admin, "/teach/cohorts/new", cohort_form(app, name="Other"))
    assert again.status_code == 400
    assert "Another cohort has this invite code" in again.get_data(as_text=True)
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Cohort.id))) == 1


def test_instructors_cannot_create_or_change_settings(
    app: Flask, people: People, admin: FlaskClient
) -> None:
    people.create("teacher@example.com", role="instructor")
    cohort_id = make_cohort(app, instructors=("teacher@example.com",))
    teacher = people.sign_in("teacher2@example.com", role="instructor")
    assert teacher.get("/teach/cohorts/new").status_code == 403
    assert post_form(teacher, "/teach/cohorts/new", cohort_form(app)).status_code == 403
    with app.app_context():
        cohort = cohort_row(cohort_id)
        cohort.instructors.append(profile_of("teacher2@example.com"))
        session.commit()
    response = post_form(teacher, f"/teach/cohorts/{cohort_id}/edit", cohort_form(app))
    assert response.status_code == 403
    assert "Only admins" in response.get_data(as_text=True)
    with app.app_context():
        assert cohort_row(cohort_id).name == "Spring cohort"


def test_changing_the_start_date_offers_to_regenerate_the_calendar(
    app: Flask, admin: FlaskClient
) -> None:
    post_form(admin, "/teach/cohorts/new", cohort_form(app))
    with app.app_context():
        cohort_id = session.scalars(sa.select(Cohort.id)).one()
        before = calendar_of(cohort_id)
    url = f"/teach/cohorts/{cohort_id}/edit"
    assert 'value="SPRING-25"' in admin.get(url).get_data(as_text=True)

    moved = cohort_form(app, starts_on="2025-04-07", name="Spring, moved")
    moved.pop("course")
    response = post_form(admin, url, moved)
    assert response.headers["Location"] == f"/teach/cohorts/{cohort_id}/calendar"
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "the calendar still has its old dates" in page
    with app.app_context():
        assert cohort_row(cohort_id).starts_on == date(2025, 4, 7)
        assert calendar_of(cohort_id) == before  # not regenerated without asking

    response = post_form(admin, url, moved | {"regenerate": "y"})
    assert response.headers["Location"] == f"/teach/cohorts/{cohort_id}"
    with app.app_context():
        assert calendar_of(cohort_id)["week-two"][0] == datetime(2025, 4, 14, 4, tzinfo=UTC)


def test_regenerating_keeps_no_stale_lines(app: Flask, admin: FlaskClient) -> None:
    cohort_id = make_cohort(app)
    with app.app_context():
        module = session.get(Module, module_id("week-two"))
        assert module is not None
        module.retired_at = utcnow()
        session.commit()
        assert set(calendar_of(cohort_id)) == {"week-one", "week-two"}
    response = post_form(admin, f"/teach/cohorts/{cohort_id}/calendar/regenerate", {})
    assert response.status_code == 302
    with app.app_context():
        assert set(calendar_of(cohort_id)) == {"week-one"}
        assert session.scalar(sa.select(sa.func.count(CohortModule.id))) == 1


def test_capacity_cannot_drop_below_the_learners_already_in(
    app: Flask, people: People, admin: FlaskClient
) -> None:
    cohort_id = make_cohort(app)
    for n in range(3):
        people.create(f"l{n}@example.com")
    enrol(admin, cohort_id, "l0@example.com", "l1@example.com", "l2@example.com")
    form = cohort_form(app, capacity="2")
    form.pop("course")
    response = post_form(admin, f"/teach/cohorts/{cohort_id}/edit", form)
    assert response.status_code == 400
    assert "3 learners are already in this cohort" in response.get_data(as_text=True)
    with app.app_context():
        assert cohort_row(cohort_id).capacity == 20


def test_admin_assigns_and_unassigns_instructors(
    app: Flask, people: People, admin: FlaskClient
) -> None:
    cohort_id = make_cohort(app)
    people.create("ivy@example.com", role="instructor", name="Ivy Instructor")
    people.create("lea@example.com", name="Lea Learner")
    url = f"/teach/cohorts/{cohort_id}/instructors"
    page = admin.get(url).get_data(as_text=True)
    assert "Ivy Instructor" in page and "Ada Admin" in page
    assert "Lea Learner" not in page  # learners are not offered
    with app.app_context():
        ivy, lea = profile_of("ivy@example.com").id, profile_of("lea@example.com").id

    refused = post_form(admin, url, {"person": str(lea)})
    assert refused.status_code == 400
    assert "Choose someone from the list" in refused.get_data(as_text=True)
    assert post_form(admin, url, {"person": "not-a-number"}).status_code == 400

    assert post_form(admin, url, {"person": str(ivy)}).status_code == 302
    with app.app_context():
        assert [p.email for p in cohort_row(cohort_id).instructors] == ["ivy@example.com"]
    overview = admin.get(f"/teach/cohorts/{cohort_id}").get_data(as_text=True)
    assert "Ivy Instructor" in overview

    teacher = people.users.client = admin.application.test_client()
    people.users.sign_in("ivy@example.com")
    assert teacher.get(f"/teach/cohorts/{cohort_id}/roster").status_code == 200

    assert post_form(admin, f"{url}/{ivy}/remove", {}).status_code == 302
    with app.app_context():
        assert cohort_row(cohort_id).instructors == []
    assert teacher.get(f"/teach/cohorts/{cohort_id}/roster").status_code == 404
    assert post_form(admin, f"{url}/{ivy}/remove", {}).status_code == 404
