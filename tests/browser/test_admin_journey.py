"""An admin creates a cohort, edits its calendar, adds a live session, assigns an
instructor and enrols learners by pasting their emails (each line is reported)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from lms.database import session
from lms.models import Profession, Role
from tests.browser.conftest import LiveServer
from tests.browser.scenarios import person, sign_in, within

pytestmark = pytest.mark.browser

COURSE = "Ketamine and Anxiety: Relational Practice for Therapists"
WEEK_2 = "The experience and the body"
PASTED = """Theo Therapist <theo@example.com>
tara@example.com, nobody@example.com
not-an-address
THEO@example.com
"""


def people(server: LiveServer) -> None:
    with within(server):
        person("ada@example.com", "Ada Admin", Role.ADMIN)
        person("iris@example.com", "Iris Instructor", Role.INSTRUCTOR)
        person("theo@example.com", "Theo Therapist", profession=Profession.THERAPIST)
        person("tara@example.com", "Tara Therapist", profession=Profession.THERAPIST)
        session.commit()


def test_admin_creates_a_cohort_and_fills_it(page: Page, live_server: LiveServer) -> None:
    people(live_server)
    sign_in(page, live_server, "ada@example.com")
    starts = date.today() + timedelta(days=14)

    # Create the cohort.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Teaching").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teaching")
    page.get_by_role("link", name="Create cohort").click()
    page.get_by_label("Course").select_option(label=COURSE)
    page.get_by_label("Name").fill("Winter cohort")
    page.get_by_label("Start date").fill(starts.isoformat())
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_label("Capacity").fill("12")
    page.get_by_label("Open for joining from the catalogue").uncheck()
    page.get_by_label("Invite code").fill("winter-2026")
    live_server.shoot(page, "admin-cohort-new")
    page.get_by_role("button", name="Create cohort").click()

    # The calendar it made: week 2 opens a week after the start; change its due date.
    expect(page.get_by_text("Cohort “Winter cohort” created")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar")
    opens = page.get_by_label(f"{WEEK_2}: opens")
    expect(opens).to_have_value(re.compile(f"^{(starts + timedelta(days=7)).isoformat()}T00:00"))
    due = page.get_by_label(f"{WEEK_2}: due")
    new_due = f"{(starts + timedelta(days=15)).isoformat()}T18:30"
    due.fill(new_due)
    live_server.shoot(page, "admin-cohort-calendar")
    page.get_by_role("button", name="Save calendar").click()
    expect(page.get_by_text("Calendar saved.")).to_be_visible()
    expect(page.get_by_label(f"{WEEK_2}: due")).to_have_value(new_due)

    # A live session in week 1.
    cohort_nav = page.get_by_role("navigation", name="This cohort")
    cohort_nav.get_by_role("link", name="Live sessions").click()
    page.get_by_label("Title").fill("Week 1 live session")
    page.get_by_label("Module").select_option(label="Foundations: from anaesthetic to catalyst")
    page.get_by_label("Date", exact=True).fill((starts + timedelta(days=3)).isoformat())
    page.get_by_label("Start time").fill("18:00")
    page.get_by_label("Duration").fill("90")
    page.get_by_label("Joining link or room").fill("https://meet.example.com/winter")
    page.get_by_role("button", name="Add live session").click()
    expect(page.get_by_text("Live session “Week 1 live session” added.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Week 1 live session"))).to_be_visible()
    live_server.shoot(page, "admin-cohort-sessions")

    # Assign the instructor.
    cohort_nav.get_by_role("link", name="Instructors").click()
    page.get_by_label("Instructor", exact=True).select_option(
        label="Iris Instructor (iris@example.com)"
    )
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Iris Instructor now teaches “Winter cohort”.")).to_be_visible()
    assigned = page.locator("section", has=page.get_by_role("heading", name="Teaching this cohort"))
    expect(assigned).to_contain_text("Iris Instructor")
    live_server.shoot(page, "admin-cohort-instructors")

    # Bulk enrolment: every pasted line is reported.
    cohort_nav.get_by_role("link", name="People").click()
    page.get_by_label("Emails").fill(PASTED)
    page.get_by_role("button", name="Enrol").click()
    report = page.locator(".lms-teach-report")
    expect(report.get_by_role("heading")).to_have_text(
        "Enrolment report: 2 of 5 lines in the cohort"
    )
    rows = report.get_by_role("row")
    expected = [
        ("Theo Therapist <theo@example.com>", "enrolled"),
        ("tara@example.com", "enrolled"),
        ("nobody@example.com", "invited"),
        ("not-an-address", "not an email"),
        ("THEO@example.com", "listed twice"),
    ]
    expect(rows).to_have_count(len(expected) + 1)
    for index, (pasted, outcome) in enumerate(expected, start=1):
        expect(rows.nth(index)).to_contain_text(pasted)
        expect(rows.nth(index)).to_contain_text(outcome)
    learners = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("^Learners"))
    )
    expect(learners.get_by_role("heading")).to_have_text("Learners (2 of 12 places)")
    live_server.shoot(page, "admin-cohort-people")

    # The overview sums it up.
    cohort_nav.get_by_role("link", name="Overview").click()
    facts = page.locator(".lms-cohort-facts")
    expect(facts).to_contain_text("2 / 12")
    expect(facts).to_contain_text("Invite code only")
    expect(facts).to_contain_text("winter-2026")
    expect(facts).to_contain_text("Iris Instructor")
    live_server.shoot(page, "admin-cohort-overview")
