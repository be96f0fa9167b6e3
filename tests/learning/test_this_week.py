"""The dashboard's "This week": what is due (and overdue), what opens, the live session with
its joining link and a calendar file, and in a course with nothing dated, what is next."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session, utcnow
from lms.learning.calendar_file import escape, fold
from lms.models import Cohort, Module
from tests.conftest import Users, post_form
from tests.learning.conftest import days_ago, make_cohort, read_module_one


def week(client: FlaskClient) -> list[str]:
    """The entries of "This week", as text."""
    html = client.get("/dashboard").get_data(as_text=True)
    if 'id="week-title"' not in html:
        return []
    section = html[
        html.index('id="week-title"') : html.index("</section>", html.index('id="week-title"'))
    ]
    entries = re.findall(r'<li class="lms-week-entry[^"]*">(.*?)</li>', section, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", entry)).strip() for entry in entries]


def add_live_session(app: Flask, cohort_id: int, starts_at: datetime, where: str) -> int:
    with app.app_context():
        cohort = session.get(Cohort, cohort_id)
        assert cohort is not None
        module = session.scalar(sa.select(Module).where(Module.slug == "week-one"))
        assert module is not None
        from lms.models import LiveSession

        live = LiveSession(
            cohort=cohort,
            module_id=module.id,
            title="Week one circle",
            starts_at=starts_at,
            duration_minutes=90,
            location=where,
        )
        session.add(live)
        session.commit()
        return live.id


def short(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%a %-d %b, %H:%M")


def test_a_cohort_learner_sees_what_is_due_the_live_session_and_what_opens(
    app: Flask, client: FlaskClient, nurse: str
) -> None:
    started = days_ago(2)
    cohort_id, _ = make_cohort(app, starts_on=started)  # Europe/London
    starts_at = (utcnow() + timedelta(days=2)).replace(second=0, microsecond=0)
    live_id = add_live_session(app, cohort_id, starts_at, "https://meet.example.com/circle")
    post_form(client, f"/courses/co/cohorts/{cohort_id}/join", {})
    with app.app_context():
        cohort = session.get(Cohort, cohort_id)
        assert cohort is not None
        lines = {line.module.slug: line for line in cohort.calendar}
        due, opens = lines["week-one"].due_at, lines["week-two"].opens_at
    entries = week(client)
    assert entries == [
        f"{short(starts_at)} Week one circle · 90 minutes Join the session Add to calendar (.ics)",
        f"{short(due)} Week one pre-work · due · Lesson",
        f"{short(due)} Week one check · due · Quiz",
        f"{short(opens)} Week two opens",
    ]
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'href="https://meet.example.com/circle"' in html
    assert f'href="/courses/co/live-sessions/{live_id}.ics" download' in html
    assert short(due).endswith("23:59")  # the end of the week's last day, London time (UTC+0/1)
    assert "Times in UTC." in html

    post_form(client, "/courses/co/lessons/prework/complete", {})
    assert not any("pre-work" in entry for entry in week(client))


def test_overdue_work_comes_first_and_says_so(app: Flask, client: FlaskClient, nurse: str) -> None:
    cohort_id, _ = make_cohort(app, starts_on=days_ago(9))  # week one was due 3 days ago
    post_form(client, f"/courses/co/cohorts/{cohort_id}/join", {})
    post_form(client, "/courses/sp/enrol", {})  # two courses: each entry names its own
    entries = week(client)
    assert "Week one pre-work · due Overdue · Lesson · Cohort basics" in entries[0]
    assert any("Week two pre-work · due · Lesson · Cohort basics" in entry for entry in entries)
    assert all("Overdue" not in entry for entry in entries if "Week two" in entry)
    assert entries[-1] == "Up next Lesson one · Lesson · Self-paced basics"


def test_a_self_paced_learner_sees_what_is_next_and_what_opens(
    app: Flask, client: FlaskClient, nurse: str
) -> None:
    post_form(client, "/courses/sp/enrol", {})
    entries = week(client)
    assert len(entries) == 2
    assert entries[0].endswith("Second module opens")  # in three days
    assert entries[1] == "Up next Lesson one · Lesson"
    read_module_one(client)
    assert week(client)[-1] == "Up next Check · Quiz"


def test_the_calendar_file_is_for_the_learners_of_the_cohort(
    app: Flask, client: FlaskClient, users: Users, nurse: str
) -> None:
    cohort_id, _ = make_cohort(app, starts_on=days_ago(1))
    starts_at = datetime(2030, 5, 6, 17, 0, tzinfo=UTC)
    live_id = add_live_session(app, cohort_id, starts_at, "https://meet.example.com/a,b;c")
    url = f"/courses/co/live-sessions/{live_id}.ics"
    assert client.get(url).status_code == 403  # not enrolled yet
    post_form(client, f"/courses/co/cohorts/{cohort_id}/join", {})
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="live-session-{live_id}.ics"'
    )
    body = response.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert body.endswith("END:VEVENT\r\nEND:VCALENDAR\r\n")
    unfolded = body.replace("\r\n ", "")
    for line in (
        "DTSTART:20300506T170000Z",
        "DTEND:20300506T183000Z",
        "SUMMARY:Week one circle: Cohort basics",
        f"UID:live-session-{live_id}@localhost",
        "LOCATION:https://meet.example.com/a\\,b\\;c",
        "URL:https://meet.example.com/a,b;c",
        "DESCRIPTION:Cohort basics (Spring cohort).\\nJoin: https://meet.example.com/a\\,b\\;c"
        "\\nSession page: http://localhost/courses/co/lessons/live",
    ):
        assert line + "\r\n" in unfolded, line
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))

    # Learners of another cohort of the course get a 404.
    other_id, code = make_cohort(app, name="Autumn cohort")
    users.client = app.test_client()
    users.create("other@example.com")
    users.sign_in("other@example.com")
    post_form(users.client, "/join", {"code": code})
    assert users.client.get(url).status_code == 404
    assert users.client.get("/courses/co/live-sessions/999999.ics").status_code == 404
    assert other_id != cohort_id


def test_calendar_text_is_escaped_and_folded() -> None:
    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    long = "SUMMARY:" + "é" * 60
    folded = fold(long)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == long
