"""The calendar (edited in the cohort's zone, stored in UTC, saved all or nothing) and
live sessions (add, edit, delete; times in the cohort's zone)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session
from lms.models import AttendanceStatus, CohortModule, LiveSession
from tests.cohorts.conftest import People, enrol, make_cohort, module_id, profile_of
from tests.conftest import post_form

NEW_YORK = "America/New_York"


@pytest.fixture
def cohort_id(app: Flask, admin: FlaskClient) -> int:
    return make_cohort(app, starts_on=date(2025, 3, 3), timezone=NEW_YORK)


def lines(cohort_id: int) -> dict[int, tuple[datetime, datetime | None]]:
    return {
        line.module_id: (line.opens_at, line.due_at)
        for line in session.scalars(
            sa.select(CohortModule).where(CohortModule.cohort_id == cohort_id)
        )
    }


def calendar_data(app: Flask, **values: str) -> dict[str, str]:
    with app.app_context():
        one, two = module_id("week-one"), module_id("week-two")
    data = {
        f"opens_{one}": "2025-03-03T00:00",
        f"due_{one}": "2025-03-10T00:00",
        f"opens_{two}": "2025-03-10T00:00",
        f"due_{two}": "2025-03-17T00:00",
    }
    for key, value in values.items():
        kind, week = key.split("_")
        data[f"{kind}_{one if week == 'one' else two}"] = value
    return data


def test_calendar_is_edited_in_the_cohorts_zone_and_stored_in_utc(
    app: Flask, admin: FlaskClient, cohort_id: int
) -> None:
    url = f"/teach/cohorts/{cohort_id}/calendar"
    page = admin.get(url).get_data(as_text=True)
    assert '<th scope="row">Week one</th>' in page
    assert 'value="2025-03-03T00:00"' in page and NEW_YORK in page
    data = calendar_data(app, opens_one="2025-03-02T09:00", due_one="2025-03-09T23:59", due_two="")
    response = post_form(admin, url, data)
    assert response.status_code == 302
    with app.app_context():
        saved = lines(cohort_id)
        one, two = module_id("week-one"), module_id("week-two")
    assert saved[one] == (
        datetime(2025, 3, 2, 14, 0, tzinfo=UTC),  # 09:00 EST
        datetime(2025, 3, 10, 3, 59, tzinfo=UTC),  # 23:59 EDT
    )
    assert saved[two] == (datetime(2025, 3, 10, 4, 0, tzinfo=UTC), None)  # no due date
    page = admin.get(url).get_data(as_text=True)
    assert "Calendar saved." in page and 'value="2025-03-09T23:59"' in page


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"due_two": "2025-03-09T00:00"}, "The due date must be after the module opens."),
        ({"due_two": "2025-03-10T00:00"}, "The due date must be after the module opens."),
        ({"opens_two": "next tuesday"}, "Enter a date and time like 2025-03-03 18:30."),
        ({"opens_two": ""}, "Enter when it opens."),
        ({"opens_two": "2025-03-09T02:30"}, "does not exist in America/New_York"),
        ({"opens_two": "9999-12-31T23:59"}, "Choose a date between 2000 and 2199."),
        ({"due_two": "0001-01-01T00:00"}, "Choose a date between 2000 and 2199."),
    ],
)
def test_a_bad_line_saves_nothing_and_says_why(
    app: Flask, admin: FlaskClient, cohort_id: int, values: dict[str, str], message: str
) -> None:
    with app.app_context():
        before = lines(cohort_id)
    # The first line's change is valid, but the bad second line stops the whole save.
    data = calendar_data(app, opens_one="2025-03-01T08:00", **values)
    response = post_form(admin, f"/teach/cohorts/{cohort_id}/calendar", data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and "Please check" in html
    with app.app_context():
        assert lines(cohort_id) == before


def test_a_module_without_a_line_is_flagged_and_saving_adds_it(
    app: Flask, admin: FlaskClient, cohort_id: int
) -> None:
    with app.app_context():
        line = session.scalar(
            sa.select(CohortModule).where(CohortModule.module_id == module_id("week-two"))
        )
        session.delete(line)
        session.commit()
    page = admin.get(f"/teach/cohorts/{cohort_id}/calendar").get_data(as_text=True)
    assert "has no dates yet (Week two)" in page
    response = post_form(admin, f"/teach/cohorts/{cohort_id}/calendar", calendar_data(app))
    assert response.status_code == 302
    with app.app_context():
        assert len(lines(cohort_id)) == 2


def session_data(app: Flask, **changes: str) -> dict[str, str]:
    with app.app_context():
        week_one = module_id("week-one")
    return {
        "title": "Week one circle",
        "module": str(week_one),
        "day": "2025-03-05",
        "start": "18:30",
        "duration_minutes": "90",
        "location": "https://meet.example/abc",
    } | changes


def test_live_sessions_are_added_edited_and_deleted(
    app: Flask, admin: FlaskClient, cohort_id: int
) -> None:
    url = f"/teach/cohorts/{cohort_id}/sessions"
    assert post_form(admin, url, session_data(app)).status_code == 302
    with app.app_context():
        live = session.scalars(sa.select(LiveSession)).one()
        assert live.starts_at == datetime(2025, 3, 5, 23, 30, tzinfo=UTC)  # 18:30 EST
        assert (live.duration_minutes, live.module_id) == (90, module_id("week-one"))
        live_id = live.id
    page = admin.get(url).get_data(as_text=True)
    assert "Week one circle" in page and "Wed 5 Mar 2025, 18:30" in page
    assert '<a href="https://meet.example/abc"' in page

    edit_url = f"{url}/{live_id}"
    assert 'value="18:30"' in admin.get(edit_url).get_data(as_text=True)
    changed = session_data(app, start="09:15", day="2025-03-12", module="", location="Room 4")
    assert post_form(admin, edit_url, changed).status_code == 302
    with app.app_context():
        live = session.get(LiveSession, live_id)
        assert live is not None
        assert live.starts_at == datetime(2025, 3, 12, 13, 15, tzinfo=UTC)  # 09:15 EDT
        assert (live.module_id, live.location) == (None, "Room 4")

    assert post_form(admin, f"{edit_url}/delete", {}).status_code == 302
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(LiveSession.id))) == 0
    assert admin.get(edit_url).status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"duration_minutes": "0"}, "Enter 1 to 600 minutes."),
        ({"duration_minutes": "601"}, "Enter 1 to 600 minutes."),
        ({"duration_minutes": "abc"}, "Enter a whole number of minutes"),
        ({"title": ""}, "Enter a title."),
        ({"title": "t" * 201}, "Use at most 200 characters."),
        ({"start": "25:00"}, "Enter a time like 18:30."),
        ({"start": "02:30", "day": "2025-03-09"}, "does not exist in America/New_York"),
        ({"day": "05/03/2025"}, "Enter a date like 2025-03-03."),
        ({"module": "123456"}, "Choose a module from the list."),
        ({"location": "l" * 501}, "Use at most 500 characters."),
    ],
)
def test_bad_live_session_input_is_a_form_with_messages(
    app: Flask, admin: FlaskClient, cohort_id: int, changes: dict[str, str], message: str
) -> None:
    response = post_form(
        admin, f"/teach/cohorts/{cohort_id}/sessions", session_data(app, **changes)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(LiveSession.id))) == 0


def test_a_module_of_another_course_is_refused(
    app: Flask, admin: FlaskClient, cohort_id: int
) -> None:
    with app.app_context():
        other = module_id("first")  # a module of the self-paced course
    response = post_form(
        admin, f"/teach/cohorts/{cohort_id}/sessions", session_data(app, module=str(other))
    )
    assert response.status_code == 400
    assert "Choose a module from the list." in response.get_data(as_text=True)


def test_a_link_that_is_not_http_is_shown_as_text(
    app: Flask, admin: FlaskClient, cohort_id: int
) -> None:
    location = "javascript:alert(1)"
    url = f"/teach/cohorts/{cohort_id}/sessions"
    post_form(admin, url, session_data(app, location=location, title="<b>Bold</b>"))
    html = admin.get(url).get_data(as_text=True)
    assert 'href="javascript:' not in html and "javascript:alert(1)" in html
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt;" in html


def test_a_session_with_attendance_cannot_be_deleted(
    app: Flask, people: People, admin: FlaskClient, cohort_id: int
) -> None:
    people.create("lee@example.com")
    enrol(admin, cohort_id, "lee@example.com")
    post_form(admin, f"/teach/cohorts/{cohort_id}/sessions", session_data(app))
    with app.app_context():
        live_id = session.scalars(sa.select(LiveSession.id)).one()
        learner = profile_of("lee@example.com").id
    base = f"/teach/cohorts/{cohort_id}/sessions/{live_id}"
    post_form(admin, f"{base}/attendance", {f"mark_{learner}": AttendanceStatus.PRESENT.value})
    response = post_form(admin, f"{base}/delete", {})
    assert response.status_code == 409
    assert "Attendance has been taken" in response.get_data(as_text=True)
    with app.app_context():
        assert session.get(LiveSession, live_id) is not None
