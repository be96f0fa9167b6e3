"""An admin creates a cohort and assigns an instructor; a therapist joins and submits a
reflection; the instructor grades it with the rubric and releases it; the therapist reads
the feedback."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from lms.accounts.service import create_account
from lms.database import session, utcnow
from lms.models import Profession, Role
from tests.browser.conftest import LiveServer
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

COURSE = "Ketamine and Anxiety: Relational Practice for Therapists"
REFLECTION = " ".join(
    ["Preparing a client means building trust, agreeing on intentions and on the setting."] * 20
)


def people(server: LiveServer) -> None:
    with server.app.app_context():
        create_account("admin@example.com", "Avery Admin", PASSWORD, Role.ADMIN)
        create_account("iris@example.com", "Iris Instructor", PASSWORD, Role.INSTRUCTOR)
        create_account(
            "theo@example.com", "Theo Therapist", PASSWORD, profession=Profession.THERAPIST
        )
        session.commit()


def sign_in_as(page: Page, server: LiveServer, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_cohort_from_creation_to_released_feedback(page: Page, live_server: LiveServer) -> None:
    people(live_server)
    url = live_server.url

    # Admin: create the cohort (started yesterday, so week 1 is open) and assign Iris.
    sign_in_as(page, live_server, "admin@example.com")
    page.goto(f"{url}/teach/cohorts/new")
    page.get_by_label("Course").select_option(label=COURSE)
    page.get_by_label("Name").fill("Autumn cohort")
    page.get_by_label("Start date").fill((utcnow() - timedelta(days=1)).strftime("%Y-%m-%d"))
    page.get_by_label("Capacity").fill("20")
    live_server.shoot(page, "cohort-new")
    page.get_by_role("button", name="Create cohort").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar")
    expect(page.get_by_text("Autumn cohort").first).to_be_visible()
    live_server.shoot(page, "cohort-calendar")
    cohort_path = re.search(r"/teach/cohorts/\d+", page.url)
    assert cohort_path, page.url
    page.goto(f"{url}{cohort_path.group(0)}/instructors")
    choice = page.get_by_label("Instructor", exact=True).locator(
        "option", has_text="Iris Instructor"
    )
    page.get_by_label("Instructor", exact=True).select_option(choice.get_attribute("value"))
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Iris Instructor").first).to_be_visible()
    live_server.shoot(page, "cohort-instructors")

    # Therapist: join from the course page and hand in the week 1 reflection.
    sign_in_as(page, live_server, "theo@example.com")
    page.goto(f"{url}/courses/relational-psychedelic-assisted-therapy/")
    page.get_by_role("button", name="Join Autumn cohort").click()
    page.goto(f"{url}/courses/relational-psychedelic-assisted-therapy/quizzes/week-1-reflection")
    # First, the course's CE disclosure, once; then back to the quiz.
    expect(page.get_by_role("heading", level=1)).to_have_text("Before you start: CE disclosure")
    page.get_by_role("button", name="I have read the disclosure: start the course").click()
    page.get_by_role("button", name="Start the quiz").click()
    page.locator("textarea").first.fill(REFLECTION)
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=45_000)
    page.get_by_role("button", name="Review and submit…").click()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_text("Awaiting grading").first).to_be_visible()

    # Instructor: the queue, the rubric, release.
    sign_in_as(page, live_server, "iris@example.com")
    page.goto(f"{url}/teach/grading")
    live_server.shoot(page, "grading-queue")
    page.get_by_role("link", name=re.compile("Theo Therapist|Grade")).first.click()
    expect(page.get_by_text("Preparing a client means building trust").first).to_be_visible()
    for score in page.locator("input[data-criterion-score]").all():
        score.fill(score.get_attribute("max") or "1")
    page.get_by_label("Feedback for the learner").fill("Clear and well grounded in the reading.")
    live_server.shoot(page, "grading-screen")
    page.get_by_role("button", name="Save and release").click()
    expect(page.get_by_text(re.compile("released", re.IGNORECASE)).first).to_be_visible()

    # Therapist: reads the released feedback.
    sign_in_as(page, live_server, "theo@example.com")
    page.goto(f"{url}/dashboard")
    expect(page.get_by_text("Clear and well grounded in the reading.")).to_be_visible()
    page.get_by_role("link", name="See the review").first.click()
    expect(page.get_by_text("Clear and well grounded in the reading.")).to_be_visible()
    live_server.shoot(page, "review-with-feedback")
