"""What a learner sees of their week and their grades, in a real browser:

- "This week" on the dashboard: the week's work with its due dates, the live session with
  its joining link and a calendar file that downloads, and the work's links;
- the rubric of a graded reflection (each criterion, its description, the points given),
  only once the instructor released the grade; the learner's record shows it to staff;
- time zones: sign-up takes the browser's zone (and can be changed), UTC without scripts,
  and dates are then shown in that zone.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from lms.cohorts.service import create_cohort
from lms.database import session, utcnow
from lms.models import Answer, LiveSession, Profession, Profile, Role
from tests.browser.conftest import LiveServer
from tests.browser.scenarios import (
    RELATIONAL,
    course,
    essay_answer,
    grade,
    join,
    person,
    quiz,
    read,
    sign_in,
    take,
    within,
)
from tests.browser.test_accessibility import Audit
from tests.conftest import confirm_link

pytestmark = pytest.mark.browser

CIRCLE = "https://meet.example.com/spring-circle"


def theo_in_week_one(server: LiveServer) -> dict[str, int]:
    """Theo, in a cohort that started yesterday, has read the first lesson and handed in
    the week 1 reflection; a live session is in two days. Iris teaches the cohort."""
    with within(server):
        iris = person("iris@example.com", "Iris Instructor", Role.INSTRUCTOR)
        relational = course(RELATIONAL)
        cohort = create_cohort(
            relational, "Spring cohort", (utcnow() - timedelta(days=1)).date(), instructors=[iris]
        )
        week_one = relational.modules[0]
        cohort.live_sessions.append(
            LiveSession(
                module_id=week_one.id,
                title="Week 1 circle",
                starts_at=(utcnow() + timedelta(days=2)).replace(second=0, microsecond=0),
                duration_minutes=90,
                location=CIRCLE,
            )
        )
        theo = person("theo@example.com", "Theo Therapist", profession=Profession.THERAPIST)
        enrolment = join(theo, cohort)
        read(theo, week_one.lessons[:1])
        attempt = take(theo, enrolment, quiz(RELATIONAL, "week-1-reflection"))
        session.commit()
        return {
            "attempt": attempt.id,
            "answer": essay_answer(attempt).id,
            "enrolment": enrolment.id,
            "live": cohort.live_sessions[0].id,
        }


def test_this_week_lists_the_work_the_live_session_and_its_calendar_file(
    page: Page, live_server: LiveServer
) -> None:
    ids = theo_in_week_one(live_server)
    sign_in(page, live_server, "theo@example.com")
    page.goto(f"{live_server.url}/dashboard")
    week = page.get_by_role("region", name="This week")
    expect(week).to_be_visible()
    entries = week.locator(".lms-week-entry")
    # The live session first (soonest), then the week's work due at 23:59, then week 2.
    expect(entries.first).to_contain_text("Week 1 circle")
    expect(week.get_by_role("link", name="Join the session: Week 1 circle")).to_have_attribute(
        "href", CIRCLE
    )
    due = week.locator(".lms-week-due")
    expect(due.first.locator(".lms-week-when")).to_contain_text("23:59")
    expect(due.get_by_text("Week 1 knowledge check")).to_be_visible()
    expect(week.locator(".lms-week-opens")).to_contain_text("opens")
    # Handed in (awaiting grading) and read items are not listed as work to do.
    expect(week.get_by_text("Week 1 reflection", exact=False)).to_have_count(0)
    live_server.shoot(page, "dashboard-this-week")
    Audit(page, live_server).check("dashboard with this week")

    with page.expect_download() as download_info:
        week.get_by_role("link", name="Add to calendar (.ics): Week 1 circle").click()
    download = download_info.value
    assert download.suggested_filename == f"live-session-{ids['live']}.ics"
    calendar = Path(download.path()).read_bytes().decode("utf-8")
    assert calendar.startswith("BEGIN:VCALENDAR\r\n")
    assert "SUMMARY:Week 1 circle: Ketamine and Anxiety: Relational Practice for Therapists" in (
        calendar.replace("\r\n ", "")
    )
    assert f"URL:{CIRCLE}\r\n" in calendar

    due.get_by_role("link", name="Week 1 knowledge check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Week 1 knowledge check")


def grade_as_iris(server: LiveServer, answer_id: int, action: str) -> None:
    with within(server):
        iris = session.scalar(sa.select(Profile).where(Profile.email == "iris@example.com"))
        answer = session.get(Answer, answer_id)
        assert iris is not None and answer is not None
        grade(answer, iris, "Careful and honest.", action=action, fraction=Decimal("0.7"))
        session.commit()


def test_the_rubric_appears_once_the_grade_is_released(page: Page, live_server: LiveServer) -> None:
    ids = theo_in_week_one(live_server)
    grade_as_iris(live_server, ids["answer"], "draft")
    sign_in(page, live_server, "theo@example.com")
    review = f"{live_server.url}/attempts/{ids['attempt']}/review"
    page.goto(review)
    expect(page.get_by_role("heading", name="Awaiting grading").first).to_be_visible()
    expect(page.get_by_role("region", name="Rubric scores")).to_have_count(0)

    grade_as_iris(live_server, ids["answer"], "release")
    page.goto(review)
    rubric = page.get_by_role("region", name="Rubric scores")
    expect(rubric).to_be_visible()
    lines = rubric.locator(".lms-rubric-line")
    expect(lines).to_have_count(4)
    expect(lines.first).to_contain_text("Self-awareness")
    expect(lines.first.locator(".lms-rubric-score")).to_have_text("2 of 3 points")
    expect(lines.first.locator(".lms-rubric-description")).to_contain_text("associations")
    live_server.shoot(page, "review-rubric")
    Audit(page, live_server).check("review with the rubric")

    # The instructor sees the same on the learner's record.
    sign_in(page, live_server, "iris@example.com")
    page.goto(f"{live_server.url}/teach/learners/{ids['enrolment']}")
    record = page.get_by_role("region", name="Rubric scores")
    expect(record.locator(".lms-rubric-line").first).to_contain_text("2 of 3 points")


def sign_up(page: Page, server: LiveServer, email: str) -> None:
    page.goto(f"{server.url}/sign-up")
    page.get_by_label("Name").fill("Nina Newyork")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Confirm password").fill("a long enough password")
    page.get_by_label("Profession").select_option("nurse")


def confirm(page: Page, server: LiveServer, email: str) -> None:
    """Sign-up mails a link (kept in the outbox here): open it and create the account."""
    expect(page.get_by_role("heading", level=1, name="Check your email")).to_be_visible()
    page.goto(f"{server.url}{confirm_link(server.app, email)}")
    page.get_by_role("button", name="Create my account").click()


def test_sign_up_takes_the_browser_time_zone(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(timezone_id="America/New_York")
    page = context.new_page()
    sign_up(page, live_server, "nina@example.com")
    summary = page.locator(".lms-timezone-choice summary")
    expect(summary).to_contain_text("Time zone: America/New York")
    page.get_by_role("button", name="Create account").click()
    confirm(page, live_server, "nina@example.com")
    expect(page.get_by_text("Your account is ready.")).to_be_visible()
    page.goto(f"{live_server.url}/profile")
    expect(page.get_by_label("Time zone")).to_have_value("America/New_York")
    context.close()

    # The detected zone can be changed before signing up.
    context = browser.new_context(timezone_id="America/New_York")
    page = context.new_page()
    sign_up(page, live_server, "nils@example.com")
    summary = page.locator(".lms-timezone-choice summary")
    summary.click()
    page.get_by_label("Time zone").select_option("Europe/London")
    expect(summary).to_contain_text("Time zone: Europe/London")
    Audit(page, live_server).check("sign up (time zone open)")
    page.get_by_role("button", name="Create account").click()
    confirm(page, live_server, "nils@example.com")
    page.goto(f"{live_server.url}/profile")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/London")
    context.close()


def test_without_scripts_sign_up_keeps_utc(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(timezone_id="Asia/Tokyo", java_script_enabled=False)
    page = context.new_page()
    sign_up(page, live_server, "noscript@example.com")
    expect(page.locator(".lms-timezone-choice summary")).to_contain_text("Time zone: UTC")
    page.get_by_role("button", name="Create account").click()
    confirm(page, live_server, "noscript@example.com")
    page.goto(f"{live_server.url}/profile")
    expect(page.get_by_label("Time zone")).to_have_value("UTC")
    context.close()


def test_dates_show_in_the_learner_zone(browser: Browser, live_server: LiveServer) -> None:
    """A New York learner in a London cohort: the week's work is due at 23:59 London time,
    which is 18:00 or 19:00 in New York, and the page says so."""
    with within(live_server):
        relational = course(RELATIONAL)
        cohort = create_cohort(
            relational, "London cohort", (utcnow() - timedelta(days=1)).date(),
            timezone="Europe/London",
        )  # fmt: skip
        nina = person("nina@example.com", "Nina Newyork", profession=Profession.THERAPIST)
        nina.timezone = "America/New_York"
        join(nina, cohort)
        session.commit()
    context = browser.new_context(timezone_id="America/New_York")
    page = context.new_page()
    sign_in(page, live_server, "nina@example.com")
    page.goto(f"{live_server.url}/courses/{RELATIONAL}/")
    dates = page.locator(".lms-outline-dates").first
    expect(dates).to_contain_text(
        re.compile(r"Due \w+ \d+ \w+ \d{4} at 1[89]:59 \(America/New_York\)")
    )
    context.close()
