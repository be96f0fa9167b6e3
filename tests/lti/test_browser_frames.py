"""Launches inside the platform's frame, in Chromium: the test platform's course page
(localhost) frames the LMS (127.0.0.1, another site).

- Over HTTPS (a self-signed certificate the browser is told to accept), with the
  platform's storage: the state and nonce go through postMessage, the launched session's
  SameSite=None; Secure; Partitioned cookie works in the frame, and the learner reads the
  course there.
- Over HTTP a cross-site frame keeps no cookie at all (SameSite=None needs Secure): with no
  platform storage, the frame offers the new window, where the learner lands signed in;
  and an answer to the tool's storage reads from another origin is ignored.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from lms.database import session
from lms.models import LtiUser
from tests.browser.conftest import (  # noqa: F401  (Debian's Chromium)
    NEEDS_CHROMIUM,
    browser_type_launch_args,
)
from tests.lti.conftest import LiveLMS, registered_platform
from tests.lti.platform import LEARNER, Link, Person, RunningPlatform

pytestmark = [
    pytest.mark.browser,
    NEEDS_CHROMIUM,
    # Once, on SQLite: what frames do is the same on both (tests/lti/test_frames.py runs
    # the storage check and its refusals on both databases).
    pytest.mark.parametrize("empty_database_url", ["sqlite"], indirect=True),
]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "ignore_https_errors": True}  # the test certificate


def add_course(lms: LiveLMS, platform: RunningPlatform) -> None:
    platform.state.people["ana"] = Person("ana-sub", LEARNER, "Ana Platform", "ana@school.example")
    platform.state.links["course"] = Link("Self-paced basics", "c-1", lms.url + "/courses/sp/")


def launched_users(lms: LiveLMS) -> int:
    with lms.app.app_context():
        count = session.scalar(sa.select(sa.func.count()).select_from(LtiUser))
        session.remove()
    return int(count or 0)


def test_launch_in_the_frame_with_platform_storage(page: Page, https_lms_server: LiveLMS) -> None:
    lms = https_lms_server
    with registered_platform(lms) as platform:
        add_course(lms, platform)
        page.goto(f"{platform.url}/course-frame?user=ana&link=course&storage=1")
        frame = page.frame_locator('iframe[name="tool"]')
        expect(frame.get_by_role("heading", name="Self-paced basics", level=1)).to_be_visible()
        expect(frame.get_by_role("link", name="Ana Platform")).to_be_visible()
        frame.get_by_role("link", name="Start: Lesson one").click()
        expect(frame.get_by_role("heading", name="Lesson one", level=1)).to_be_visible()
        # The state and nonce went through the platform's storage, from the tool's origin.
        log = page.evaluate("window.platformLog")
        for entry in (
            "lti.put_data lti_state_",
            "lti.get_data lti_state_",
            "lti.get_data lti_nonce_",
        ):
            assert any(line.startswith(entry) for line in log), log
        assert not any(line.startswith("ignored") for line in log), log
        cookie = next(c for c in page.context.cookies(lms.url) if c["name"] == "session")
        assert cookie["sameSite"] == "None" and cookie["secure"]


def test_frame_without_cookies_opens_a_new_window(
    page: Page, lms_server: LiveLMS, platform: RunningPlatform
) -> None:
    add_course(lms_server, platform)
    page.goto(f"{platform.url}/course-frame?user=ana&link=course")  # no platform storage
    frame = page.frame_locator('iframe[name="tool"]')
    button = frame.get_by_role("link", name="Open the course in a new window")
    expect(button).to_be_visible()
    assert launched_users(lms_server) == 0
    with page.context.expect_page() as opened:
        button.click()
    window = opened.value
    expect(window).to_have_url(lms_server.url + "/courses/sp/")
    expect(window.get_by_role("heading", name="Self-paced basics", level=1)).to_be_visible()
    expect(window.get_by_role("link", name="Ana Platform")).to_be_visible()


def test_storage_answer_from_another_origin_is_ignored(
    page: Page, lms_server: LiveLMS, platform: RunningPlatform
) -> None:
    """An impostor frame (127.0.0.1, not the platform's localhost) answers the tool's reads
    with the very state and nonce expected: the tool ignores it, signs no one in, and
    offers the new window."""
    add_course(lms_server, platform)
    page.goto(f"{platform.url}/course-frame?user=ana&link=course&storage=1&impostor=1")
    frame = page.frame_locator('iframe[name="tool"]')
    expect(frame.get_by_role("link", name="Open the course in a new window")).to_be_visible()
    assert launched_users(lms_server) == 0
