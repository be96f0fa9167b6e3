"""An instructor works through her grading queue: opens an essay, scores it with the
rubric, saves a draft, releases it, then changes the released grade with a reason (the
history shows it); she looks at the roster and the gradebook and downloads both CSV
exports."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lms.cohorts.service import create_cohort
from lms.database import session, utcnow
from lms.models import Profession, Role
from tests.browser.conftest import LiveServer
from tests.browser.scenarios import (
    RELATIONAL,
    course,
    join,
    lessons,
    person,
    quiz,
    read,
    sign_in,
    take,
    within,
)

pytestmark = pytest.mark.browser

COHORT = "Autumn cohort"
FIRST = "Clear about where your associations come from."
REGRADED = "Clear about your associations, and you used the history accurately."


def cohort_with_work_to_grade(server: LiveServer) -> int:
    """Iris teaches a cohort (in week 2) of three therapists; Theo and Tara have handed in
    the week 1 reflection, Tom the week 1 knowledge check. Returns the cohort id."""
    with within(server):
        iris = person("iris@example.com", "Iris Instructor", Role.INSTRUCTOR)
        relational = course(RELATIONAL)
        cohort = create_cohort(
            relational,
            COHORT,
            (utcnow() - timedelta(days=9)).date(),
            capacity=20,
            instructors=[iris],
        )
        week_one = relational.modules[0]
        for email, name in [
            ("theo@example.com", "Theo Therapist"),
            ("tara@example.com", "Tara Therapist"),
            ("tom@example.com", "Tom Therapist"),
        ]:
            learner = person(email, name, profession=Profession.THERAPIST)
            enrolment = join(learner, cohort)
            read(
                learner,
                [lesson for lesson in lessons(relational) if lesson.module_id == week_one.id],
            )
            if email == "tom@example.com":
                take(learner, enrolment, quiz(RELATIONAL, "week-1-check"))
            else:
                take(learner, enrolment, quiz(RELATIONAL, "week-1-reflection"))
        session.commit()
        return cohort.id


def test_instructor_grades_releases_regrades_and_exports(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    url = live_server.url
    cohort_id = cohort_with_work_to_grade(live_server)
    sign_in(page, live_server, "iris@example.com")

    # The dashboard points at the queue.
    page.goto(f"{url}/dashboard")
    page.get_by_role("link", name="2 answers waiting for grading").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grading queue")
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(3)  # header + 2
    live_server.shoot(page, "instructor-grading-queue")

    # The grading screen: the essay, the rubric, a draft.
    page.get_by_role("link", name="Grade Theo Therapist's answer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Theo Therapist")
    expect(page.locator(".lms-essay-text")).to_contain_text("My first association with ketamine")
    scores = page.locator("input[data-criterion-score]")
    expect(scores).to_have_count(4)
    for score in scores.all():
        score.fill("2")
    expect(page.locator("#grade-total")).to_have_text("8")
    page.get_by_label("Feedback for the learner").fill(FIRST)
    live_server.shoot(page, "instructor-grading-screen")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved. The learner sees nothing")).to_be_visible()
    expect(page.locator(".lms-grading-side .lms-status", has_text="Draft")).to_be_visible()

    # Release the draft.
    page.get_by_role("button", name="Release the saved draft (8 / 10) to the learner").click()
    expect(page.get_by_text("Released: the learner can now see")).to_be_visible()
    expect(page.locator(".lms-grading-side .lms-status", has_text="Released")).to_be_visible()

    # Regrade: a reason is required, asked for next to the field and in a summary.
    reason = page.get_by_label("Why are you changing a released grade?")
    expect(reason).to_be_visible()
    scores.first.fill("3")
    page.get_by_label("Feedback for the learner").fill(REGRADED)
    page.get_by_role("button", name="Save the change").click()
    summary = page.locator(".lms-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link")).to_have_attribute("href", "#reason")
    expect(page.locator("#reason-error")).to_be_visible()
    expect(page.get_by_label("Why are you changing a released grade?")).to_have_attribute(
        "aria-invalid", "true"
    )
    summary.get_by_role("link").click()
    expect(page.get_by_label("Why are you changing a released grade?")).to_be_focused()
    page.keyboard.type("Second reading: the history is used accurately.")
    page.get_by_role("button", name="Save the change").click()
    expect(page.get_by_text("Grade changed. The learner sees the new grade")).to_be_visible()
    history = page.locator("section", has=page.get_by_role("heading", name="History"))
    expect(history).to_contain_text("8 → 9")
    expect(history).to_contain_text("Second reading: the history is used accurately.")
    live_server.shoot(page, "instructor-grading-regraded")

    # The queue now holds Tara's answer only.
    page.get_by_role("link", name="Grading queue").click()
    expect(page.get_by_role("link", name="Grade Tara Therapist's answer")).to_be_visible()
    expect(page.get_by_role("link", name="Grade Theo Therapist's answer")).to_have_count(0)

    # Roster.
    page.goto(f"{url}/teach/cohorts")
    page.get_by_role("link", name=COHORT).click()
    page.get_by_role("navigation", name="This cohort").get_by_role("link", name="Roster").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Roster")
    roster = page.get_by_role("table")
    for name in ("Theo Therapist", "Tara Therapist", "Tom Therapist"):
        expect(roster.get_by_role("link", name=name)).to_be_visible()
    live_server.shoot(page, "instructor-roster")

    # Gradebook and its exports.
    page.goto(f"{url}/teach/cohorts/{cohort_id}/gradebook")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Gradebook: {COHORT}")
    theo = page.get_by_role("row", name=re.compile("Theo Therapist"))
    expect(theo).to_contain_text("90")  # 9 of 10 on the reflection, released
    live_server.shoot(page, "instructor-gradebook")
    for link, first_cell in [
        ("Download gradebook (CSV)", "Learner,Email,Profession"),
        ("Download progress (CSV)", "Learner,Email"),
    ]:
        with page.expect_download() as info:
            page.get_by_role("link", name=link).click()
        download = info.value
        assert download.suggested_filename.endswith(".csv"), download.suggested_filename
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        lines = saved.read_text(encoding="utf-8-sig").splitlines()
        assert lines[0].startswith(first_cell), lines[0]
        assert len(lines) == 4, lines  # the header and three learners
        assert any(line.startswith("Theo Therapist,theo@example.com") for line in lines)

    # A learner's record and a quiz's statistics, from the gradebook.
    theo.get_by_role("link", name="Theo Therapist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Theo Therapist")
    expect(page.get_by_text(REGRADED)).to_be_visible()
    live_server.shoot(page, "instructor-learner-record")
    page.go_back()
    page.get_by_role("columnheader").get_by_role(
        "link", name=re.compile("knowledge check")
    ).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Question statistics")
    live_server.shoot(page, "instructor-statistics")
