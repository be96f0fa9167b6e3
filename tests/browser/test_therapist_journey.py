"""A therapist joins a cohort with an invite code, finds the week's pre-work and live
session, sees next week's module locked with its date, hands in the week's reflection and,
once her instructor has released the grade, reads the feedback."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from lms.accounts.service import create_account
from lms.cohorts.service import create_cohort
from lms.database import session, utcnow
from lms.models import Attempt, Cohort, Course, LiveSession, Profession, Profile, Quiz, Role
from tests.browser.conftest import LiveServer
from tests.browser.scenarios import (
    REFLECTION,
    acknowledge_disclosure,
    essay_answer,
    grade,
    has_read,
    person,
    within,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

FEEDBACK = "Honest about where your associations come from; bring in the Spravato facts."


def prepare_cohort(server: LiveServer) -> str:
    with server.app.app_context():
        course = session.scalar(
            sa.select(Course).where(Course.slug == "relational-psychedelic-assisted-therapy")
        )
        assert course is not None
        cohort = create_cohort(
            course, "Spring cohort", (utcnow() - timedelta(days=2)).date(), is_open=False
        )
        first_week = cohort.calendar[0]
        cohort.live_sessions.append(
            LiveSession(
                module_id=first_week.module_id,
                title="Week 1 live session",
                starts_at=first_week.opens_at + timedelta(days=3, hours=17),
                duration_minutes=90,
                location="Room 4, Harbour Building",
            )
        )
        account = create_account("theo@example.com", "Theo Therapist", PASSWORD, Role.LEARNER)
        session.flush()
        profile = session.scalar(sa.select(Profile).where(Profile.user_id == str(account.id)))
        assert profile is not None
        profile.profession = Profession.THERAPIST
        session.commit()
        assert cohort.invite_code
        return cohort.invite_code


def sign_in(page: Page, server: LiveServer, email: str) -> None:
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_therapist_joins_a_cohort_and_reaches_the_released_module(
    page: Page, live_server: LiveServer
) -> None:
    code = prepare_cohort(live_server)
    sign_in(page, live_server, "theo@example.com")

    page.goto(f"{live_server.url}/join")
    page.get_by_label("Invite code").fill(code)
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Relational Practice")
    expect(page.get_by_text("0% complete")).to_be_visible()
    expect(page.get_by_text("Week 1 live session").first).to_be_visible()
    live_server.shoot(page, "course-home-cohort")

    page.get_by_role("link", name="From anaesthetic to catalyst").first.click()
    acknowledge_disclosure(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("From anaesthetic to catalyst")
    expect(page.locator(".lms-prose h2").first).to_be_visible()
    live_server.shoot(page, "lesson")

    has_read(live_server, "theo@example.com", page.get_by_role("heading", level=1).inner_text())
    page.get_by_role("button", name="Mark complete and continue").click()
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("From anaesthetic")

    page.goto(f"{live_server.url}/courses/relational-psychedelic-assisted-therapy/")
    week_one_live = page.locator(".lms-outline-item", has_text="live session").first
    week_one_live.get_by_role("link").click()
    expect(page.get_by_role("heading", name="When and where")).to_be_visible()
    expect(page.get_by_text("Room 4, Harbour Building")).to_be_visible()
    live_server.shoot(page, "live-session")
    # Live-session credit comes from attendance: she cannot mark the page complete.
    expect(page.get_by_role("button", name=re.compile("Mark complete"))).to_have_count(0)
    expect(page.get_by_text("Your attendance completes this page")).to_be_visible()

    page.goto(f"{live_server.url}/courses/relational-psychedelic-assisted-therapy/")
    locked = page.locator(".lms-outline-item", has=page.locator(".lms-locked")).first
    # The module says when it opens, once; its items show a padlock named "Locked".
    module = page.locator(".lms-outline-module", has=page.locator(".lms-locked")).first
    expect(module.locator(".lms-outline-dates")).to_contain_text("Opens ")
    expect(locked.get_by_text("Locked:")).to_be_attached()
    locked_title = locked.locator(".lms-locked").inner_text().removeprefix("Locked:").strip()

    with live_server.app.app_context():
        from lms.models import Lesson

        lesson = session.scalar(sa.select(Lesson).where(Lesson.title == locked_title))
        assert lesson is not None
        slug = lesson.slug
    response = page.goto(
        f"{live_server.url}/courses/relational-psychedelic-assisted-therapy/lessons/{slug}"
    )
    assert response is not None
    assert response.status == 403
    expect(page.get_by_text("This opens on")).to_be_visible()
    live_server.shoot(page, "locked-403")

    # The week's reflection: written, autosaved, handed in; it waits for the instructor.
    page.goto(f"{live_server.url}/courses/relational-psychedelic-assisted-therapy/")
    page.locator(".lms-outline-item", has_text="Quiz").get_by_role(
        "link", name=re.compile("^Week 1 reflection")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Week 1 reflection")
    page.get_by_role("button", name="Start the quiz").click()
    essay = page.get_by_role("textbox", name=re.compile("Reflect on the associations"))
    essay.fill(REFLECTION)
    expect(page.locator("[data-word-count]")).to_have_text(str(len(REFLECTION.split())))
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=15_000)
    live_server.shoot(page, "quiz-attempt-essay")
    page.get_by_role("button", name="Review and submit…").click()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name="Awaiting grading").first).to_be_visible()
    page.goto(f"{live_server.url}/dashboard")
    expect(page.get_by_role("heading", name="Latest feedback")).to_have_count(0)

    # Her instructor grades it and releases the grade (set up directly).
    release_reflection(live_server, "theo@example.com", FEEDBACK)

    page.goto(f"{live_server.url}/dashboard")
    expect(page.get_by_role("heading", name="New for you")).to_be_visible()
    expect(page.get_by_text(FEEDBACK)).to_be_visible()
    live_server.shoot(page, "dashboard-feedback")
    page.get_by_role("link", name="See the review").first.click()
    feedback = page.locator(".lms-grader-feedback")
    expect(feedback.get_by_role("heading", name="Your instructor's feedback")).to_be_visible()
    expect(feedback).to_contain_text(FEEDBACK)
    expect(page.get_by_text(re.compile(r"You scored \d+(\.\d+)?%"))).to_be_visible()
    live_server.shoot(page, "quiz-review-feedback")


def release_reflection(server: LiveServer, email: str, feedback: str) -> None:
    with within(server):
        learner = session.scalar(sa.select(Profile).where(Profile.email == email))
        assert learner is not None
        attempt = session.scalar(
            sa.select(Attempt)
            .join(Quiz)
            .where(Attempt.profile_id == learner.id, Quiz.slug == "week-1-reflection")
        )
        assert attempt is not None
        iris = person("iris@example.com", "Iris Instructor", Role.INSTRUCTOR)
        cohort = session.scalar(sa.select(Cohort).where(Cohort.name == "Spring cohort"))
        assert cohort is not None
        cohort.instructors.append(iris)
        grade(essay_answer(attempt), iris, feedback)
        session.commit()
