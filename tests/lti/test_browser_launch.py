"""A launch in Chromium: from the platform's course page, the link opens the LMS in a new
window, signed in (the state cookie and the cross-site form post as a browser does them)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (  # noqa: F401  (Debian's Chromium)
    NEEDS_CHROMIUM,
    browser_type_launch_args,
)
from tests.lti.conftest import LiveLMS
from tests.lti.platform import LEARNER, Link, Person, RunningPlatform

pytestmark = [
    pytest.mark.browser,
    NEEDS_CHROMIUM,
]


def test_link_opens_the_lms_in_a_new_window(
    page: Page, lms_server: LiveLMS, platform: RunningPlatform
) -> None:
    platform.state.people["ana"] = Person("ana-sub", LEARNER, "Ana Platform", "ana@school.example")
    platform.state.links["course"] = Link(
        "Self-paced basics", "c-1", lms_server.url + "/courses/sp/"
    )
    page.goto(f"{platform.url}/course?user=ana")
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Self-paced basics").click()
    lms = opened.value
    lms.wait_for_load_state()
    expect(lms).to_have_url(lms_server.url + "/courses/sp/")
    expect(lms.get_by_role("heading", name="Self-paced basics", level=1)).to_be_visible()
    # Signed in and enrolled: her name in the header, her progress on the course page.
    expect(lms.get_by_role("link", name="Ana Platform")).to_be_visible()
    expect(lms.get_by_role("region", name="Your progress")).to_be_visible()
    lms.get_by_role("link", name="Start: Lesson one").click()
    expect(lms.get_by_role("heading", name="Lesson one", level=1)).to_be_visible()
