"""Time zones: sign-up takes the zone the browser's script put in the form (editable, the
site's default without scripts), new cohorts default to the site's zone, and work is due
at the end of a day (23:59) in the cohort's zone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from lms.cohorts.service import create_cohort
from lms.database import session
from lms.models import Course, Profile
from tests.accounts.test_account_signup import GOOD
from tests.conftest import LEARNING_COURSES, Users, app_with_tables, post_form, sign_up


def zone_of(app: Flask, email: str) -> str:
    with app.app_context():
        profile = session.scalar(sa.select(Profile).where(Profile.email == email))
        assert profile is not None
        return profile.timezone


def test_sign_up_keeps_the_zone_from_the_browser(app: Flask, client: FlaskClient) -> None:
    page = client.get("/sign-up").get_data(as_text=True)
    # The list is in the form, marked for the script, the site's default chosen.
    assert 'data-detect-timezone="1"' in page
    assert '<option selected value="UTC">UTC</option>' in page
    assert "timezone.js" in page
    response = sign_up(app, client, GOOD | {"timezone": "America/New_York"})
    assert response.status_code == 302
    assert zone_of(app, "nadia@example.com") == "America/New_York"


def test_sign_up_without_a_zone_takes_the_default(app: Flask, client: FlaskClient) -> None:
    assert sign_up(app, client, GOOD).status_code == 302
    assert zone_of(app, "nadia@example.com") == "UTC"


def test_an_unknown_zone_is_a_field_error(app: Flask, client: FlaskClient) -> None:
    response = post_form(client, "/sign-up", GOOD | {"timezone": "Mars/Olympus_Mons"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Choose your time zone from the list." in page
    assert '<details class="lms-timezone-choice" open>' in page  # the error is visible
    assert "data-detect-timezone" not in page  # what was sent is not replaced by the script


@pytest.fixture
def new_york_app(database_url: str) -> Iterator[Flask]:
    """An instance whose default zone is New York."""
    with app_with_tables(database_url, LMS_DEFAULT_TIMEZONE="America/New_York") as app:
        yield app


def test_the_site_default_zone_applies_to_sign_up_and_new_cohorts(new_york_app: Flask) -> None:
    client = new_york_app.test_client()
    page = client.get("/sign-up").get_data(as_text=True)
    assert '<option selected value="America/New_York">America/New York</option>' in page
    assert sign_up(new_york_app, client, GOOD).status_code == 302
    assert zone_of(new_york_app, "nadia@example.com") == "America/New_York"

    runner: FlaskCliRunner = new_york_app.test_cli_runner()
    assert runner.invoke(args=["lms", "courses", "sync", str(LEARNING_COURSES)]).exit_code == 0
    admin = new_york_app.test_client()
    Users(new_york_app, admin).create("ada@example.com", "admin")
    Users(new_york_app, admin).sign_in("ada@example.com")
    form = admin.get("/teach/cohorts/new").get_data(as_text=True)
    assert '<option selected value="America/New_York">America/New York</option>' in form


def test_work_is_due_at_the_end_of_the_day_in_the_cohort_zone(
    app: Flask, users: Users, client: FlaskClient, courses: None
) -> None:
    with app.app_context():
        course = session.scalar(sa.select(Course).where(Course.slug == "co"))
        assert course is not None
        cohort = create_cohort(course, "Spring", date(2025, 3, 3), timezone="Europe/London")
        session.commit()
        code = cohort.invite_code
    users.create("theo@example.com")
    users.sign_in("theo@example.com")
    with app.app_context():
        profile = session.scalar(sa.select(Profile).where(Profile.email == "theo@example.com"))
        assert profile is not None
        profile.timezone = "Europe/London"
        session.commit()
    post_form(client, "/join", {"code": code})
    page = client.get("/courses/co/").get_data(as_text=True)
    assert "Due Sunday 9 March 2025 at 23:59 (Europe/London)." in page
    assert "Opened Monday 3 March 2025 at 00:00 (Europe/London)." in page
