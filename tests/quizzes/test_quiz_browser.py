"""The attempt page in a real browser: answers save themselves as the learner works, the
page says so, a lost connection is retried, and a reload shows everything again."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import (  # noqa: F401 (the fixture points Playwright at Chromium)
    NEEDS_CHROMIUM,
    SCREENSHOTS,
    WIDTHS,
    browser_type_launch_args,
)
from tests.conftest import PASSWORD, Users
from tests.live import serving
from tests.quizzes.conftest import (
    LEARNER,
    QUIZ_URL,
    RIGHT,
    enrol,
    move_deadline,
    saved_responses,
)

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def site(app: Flask, course: None, users: Users) -> Iterator[str]:
    """The app with the fixture course and an enrolled learner, served on a free port."""
    enrol(app, users, LEARNER)
    with serving(app) as url:
        yield url


def sign_in(page: Page, site: str) -> None:
    page.goto(f"{site}/sign-in")
    page.get_by_label("Email").fill(LEARNER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def check_page(page: Page, name: str) -> None:
    """No accessibility violations, nothing wider than a phone, and screenshots to look at."""
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SCREENSHOTS / f"quiz-{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_answers_save_as_the_learner_goes_and_survive_a_lost_connection(
    page: Page, site: str
) -> None:
    sign_in(page, site)
    page.goto(site + QUIZ_URL)
    check_page(page, "intro")
    page.get_by_role("button", name="Start the quiz").click()

    expect(page.locator("#save-status")).to_have_text("No answers saved yet")
    expect(page.get_by_text("Time left:")).to_be_visible()
    page.get_by_label("The 1960s").check()
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"))
    page.get_by_label("Name it.").fill("ketamine")
    page.get_by_label("Reflect on it.").fill(RIGHT["reflect"])
    expect(page.locator("[data-word-count]")).to_have_text("12")

    page.context.set_offline(True)
    page.get_by_label("How many?").fill("6")
    expect(page.locator("#save-status")).to_have_text("Not saved yet, will retry")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    check_page(page, "attempt")

    page.reload()
    expect(page.get_by_label("The 1960s")).to_be_checked()
    expect(page.get_by_label("Name it.")).to_have_value("ketamine")
    expect(page.get_by_label("How many?")).to_have_value("6")

    page.get_by_role("button", name="Review and submit…").click()
    expect(page.get_by_role("heading", name="Ready to submit?")).to_be_visible()
    check_page(page, "confirm")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name="Awaiting grading")).to_be_visible()
    check_page(page, "review")


def test_when_the_clock_reaches_zero_the_page_hands_in_what_was_typed(
    app: Flask, page: Page, site: str
) -> None:
    app.config["LMS_QUIZ_GRACE_SECONDS"] = 0
    sign_in(page, site)
    page.goto(site + QUIZ_URL)
    page.get_by_role("button", name="Start the quiz").click()
    # The attempt page must have loaded before the reload below: reloading while the
    # click's navigation was still committing failed once in CI ("Not attached to an
    # active page").
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    page.wait_for_load_state()
    attempt_id = int(page.url.rsplit("/", 1)[1])
    move_deadline(app, attempt_id, 4)
    page.reload()
    page.get_by_label("Name it.").fill("ketamine")  # typed, not saved yet: the page saves it
    expect(page.locator("#quiz-time-announcer")).to_have_text(
        "Time is up. Your saved answers are being submitted.", timeout=10_000
    )
    expect(page.get_by_text("Time ran out, so your attempt was submitted")).to_be_visible(
        timeout=10_000
    )
    assert page.url.endswith(f"/attempts/{attempt_id}/review")
    assert saved_responses(app, attempt_id)["name-it"] == "ketamine"


def test_a_busy_server_gets_the_same_answers_again_after_its_retry_after(
    page: Page, site: str
) -> None:
    """The server answers the first autosave 503 with Retry-After: 1 (as lms.errors does
    when the database is busy); the page says so and sends the answers again a second
    later, without the learner touching anything, well before its own 5 s back-off."""
    sent: list[float] = []

    def busy_once(route: Route) -> None:
        sent.append(time.monotonic())
        if len(sent) > 1:
            route.continue_()
            return
        route.fulfill(
            status=503,
            headers={"Retry-After": "1"},
            content_type="application/json",
            body=json.dumps({"status": "busy", "error": "The service is busy, please retry."}),
        )

    # Routed before the attempt page opens: a route added while the click's navigation was
    # still committing was sometimes not applied to that page's requests.
    page.route(re.compile(r"/attempts/\d+/answers$"), busy_once)
    sign_in(page, site)
    page.goto(site + QUIZ_URL)
    page.get_by_role("button", name="Start the quiz").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    # The busy message is on screen for about a second, as long as Playwright's polling
    # interval, so the page records every status it shows rather than the test polling for it.
    page.evaluate(
        """() => {
            const status = document.getElementById("save-status");
            window.statusesShown = [];
            new MutationObserver(() => window.statusesShown.push(status.textContent.trim()))
                .observe(status, {childList: true, characterData: true, subtree: true});
        }"""
    )
    page.get_by_label("The 1960s").check()
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"))
    assert "Not saved yet: The service is busy, please retry. Will retry" in page.evaluate(
        "window.statusesShown"
    )
    assert len(sent) == 2
    assert 0.9 < sent[1] - sent[0] < 4.5, "the retry should follow Retry-After (1 s)"
    page.reload()
    expect(page.get_by_label("The 1960s")).to_be_checked()
