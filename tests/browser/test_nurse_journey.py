"""A new nurse signs up, enrols in the self-paced course, reads lessons, takes a knowledge
check (answers autosaved and still there after a reload), submits, reads the review and
sees her progress on the dashboard; another finishes the course, downloads her certificate
and anyone can verify it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.conftest import LiveServer
from tests.browser.scenarios import (
    ESSENTIALS,
    acknowledge_disclosure,
    answer_right,
    has_read,
    nurse_before_the_final,
    sign_in,
)
from tests.conftest import confirm_link

pytestmark = pytest.mark.browser

COURSE = "Ketamine and Anxiety: Role, Scope and the Client's Experience"


def sign_up(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/sign-up")
    page.get_by_label("Name").fill("Nadia Nurse")
    page.get_by_label("Email").fill("nadia@example.com")
    page.get_by_label("Password", exact=True).fill("a good long password")
    page.get_by_label("Confirm password").fill("a good long password")
    page.get_by_label("Profession").select_option("nurse")
    page.get_by_label("Licence type").fill("RN")
    page.get_by_label("Licence number").fill("12345")
    server.shoot(page, "sign-up")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1, name="Check your email")).to_be_visible()
    # The link mailed to her (kept in the outbox here): its page, then its button.
    link = confirm_link(server.app, "nadia@example.com")
    page.goto(f"{server.url}{link}")
    page.get_by_role("button", name="Create my account").click()


def test_new_nurse_from_sign_up_to_dashboard(page: Page, live_server: LiveServer) -> None:
    sign_up(page, live_server)
    expect(page.get_by_role("heading", level=1, name="Courses")).to_be_visible()
    live_server.shoot(page, "catalogue")

    page.get_by_role("link", name=COURSE).click()
    live_server.shoot(page, "course-before-enrolling")
    page.get_by_role("button", name="Enrol in this course").click()
    expect(page.get_by_text("You are enrolled")).to_be_visible()

    page.get_by_role("link", name=re.compile(r"^Start: ")).click()
    acknowledge_disclosure(page)
    first_lesson = page.get_by_role("heading", level=1).inner_text()
    expect(page.locator(".lms-prose")).not_to_be_empty()
    has_read(live_server, "nadia@example.com", first_lesson)
    page.get_by_role("button", name="Mark complete and continue").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text(first_lesson)
    has_read(live_server, "nadia@example.com", page.get_by_role("heading", level=1).inner_text())
    page.get_by_role("button", name="Mark complete and continue").click()

    # The module's knowledge check.
    expect(page.get_by_role("heading", level=1)).to_contain_text("check", ignore_case=True)
    live_server.shoot(page, "quiz-intro")
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.locator("#save-status")).to_be_visible()  # the attempt page, not the intro
    first = page.locator("fieldset").first.locator("input[type=radio], input[type=checkbox]")
    if first.count():
        first.first.check()
        checked = first.first.get_attribute("value")
    else:  # a typed answer first
        page.locator("form input[type=text]").first.fill("6")
        checked = None
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=15_000)
    live_server.shoot(page, "quiz-attempt")

    page.reload()
    if checked is not None:
        restored = page.locator(f"fieldset input[value='{checked}']").first
        expect(restored).to_be_checked()
    else:
        expect(page.locator("form input[type=text]").first).to_have_value("6")

    page.get_by_role("button", name="Review and submit…").click()
    live_server.shoot(page, "quiz-confirm")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_text(re.compile(r"\d+(\.\d+)?%"))).not_to_have_count(0)
    live_server.shoot(page, "quiz-review")

    page.goto(f"{live_server.url}/dashboard")
    expect(page.get_by_role("heading", name="My learning")).to_be_visible()
    progress = page.locator("progress").first
    assert int(progress.get_attribute("value") or 0) > 0
    live_server.shoot(page, "dashboard")


def test_nurse_finishes_the_course_and_her_certificate_verifies(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    """Everything but the last lesson and the final assessment is done (set up in the
    database); she reads the last lesson, passes the final, downloads the certificate and
    anyone can verify it."""
    url = live_server.url
    nurse_before_the_final(live_server, "nell@example.com", "Nell Nurse")
    sign_in(page, live_server, "nell@example.com")

    page.goto(f"{url}/dashboard")
    expect(page.get_by_text("Next:")).to_contain_text("Course wrap-up")
    page.goto(f"{url}/courses/{ESSENTIALS}/")
    resume = page.get_by_role("link", name=re.compile(r"^Resume: "))
    expect(resume).to_contain_text("wrap-up")
    live_server.shoot(page, "course-home-nearly-done")
    has_read(live_server, "nell@example.com", "Course wrap-up")
    resume.click()

    # The last lesson: the outline marks it as the current page.
    current = page.locator(".lms-course-nav a[aria-current='page']")
    expect(current).to_have_text(page.get_by_role("heading", level=1).inner_text())
    live_server.shoot(page, "lesson-last")
    page.get_by_role("button", name="Mark complete and continue").click()

    # The final assessment: timed, shuffled; she knows every answer.
    expect(page.get_by_role("heading", level=1)).to_have_text("Final assessment")
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.get_by_text("Time left:")).to_be_visible()
    answer_right(page, live_server)
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=15_000)
    page.get_by_role("button", name="Review and submit…").click()
    expect(page.get_by_text("You answered 20 of 20 questions")).to_be_visible()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", level=2, name="Passed")).to_be_visible()
    live_server.shoot(page, "quiz-review-passed")

    # The course evaluation: the certificate waits for it. She answers every question.
    page.goto(f"{url}/courses/{ESSENTIALS}/evaluations/course-evaluation")
    expect(page.get_by_role("heading", level=1)).to_have_text("Course evaluation")
    for question in page.locator("fieldset.lms-question-fieldset").all():
        question.locator("input[type=radio]").first.check()
    page.get_by_label("Any other comments on the course?").fill("Clear and practical.")
    page.get_by_role("button", name="Submit the evaluation").click()
    expect(page.get_by_text("Thank you: your evaluation is submitted.")).to_be_visible()

    # The course is complete: the certificate, its PDF and its public page.
    page.goto(f"{url}/courses/{ESSENTIALS}/")
    expect(page.get_by_text("100% complete")).to_be_visible()
    page.get_by_role("link", name="View your certificate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nell Nurse")
    expect(page.get_by_text("This certificate is valid")).to_be_visible()
    live_server.shoot(page, "certificate")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    pdf = tmp_path / "certificate.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = "\n".join(sheet.extract_text() for sheet in PdfReader(pdf).pages)
    assert "Nell Nurse" in text
    assert COURSE.split(":")[0] in text
    verify_url = re.search(r"https?://\S+/certificates/[\w-]+", text)
    assert verify_url, text

    # Anyone (signed out) can check it at the address printed on the PDF.
    page.context.clear_cookies()
    page.goto(verify_url.group(0))
    expect(page.get_by_text("This certificate is valid")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nell Nurse")
    expect(page.get_by_role("link", name="Download PDF")).to_have_count(0)
    live_server.shoot(page, "certificate-public")
