"""An LMS page inside the example host's layout (examples/host_app), in a real Chromium:
the host's stylesheet and script work (no Content-Security-Policy refusal in the
console, with or without the host opting in to the LMS's policy), the LMS's styles apply
under `.lms`, and the page passes axe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page

from examples.host_app import create_app, db
from lms.models import Profession, Profile
from tests.browser.test_accessibility import run_axe, summary
from tests.live import serving
from tests.plugin.conftest import HOST_PASSWORD, LEARNING_COURSES, add_user, cli

pytestmark = pytest.mark.browser


@pytest.fixture(params=[None, "strict"], ids=["host-policy-off", "lms-policy-opted-in"])
def host_server(request: pytest.FixtureRequest, empty_database_url: str) -> Iterator[str]:
    app: Flask = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "LMS_COURSES_PATH": str(LEARNING_COURSES),
            "LMS_CONTENT_SECURITY_POLICY": request.param,
        }
    )
    cli(app, "db", "upgrade")
    cli(app, "lms", "db", "upgrade")
    cli(app, "lms", "courses", "sync")
    user_id = add_user(app, "ana@example.org", "Ana Alves")
    with app.app_context():
        db.session.add(
            Profile(
                user_id=str(user_id),
                email="ana@example.org",
                display_name="Ana Alves",
                profession=Profession.NURSE,
            )
        )
        db.session.commit()
        db.session.remove()
    try:
        with serving(app) as url:
            yield url
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_an_lms_page_in_the_hosts_layout_keeps_the_hosts_styles_and_scripts(
    page: Page, host_server: str
) -> None:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)

    page.goto(f"{host_server}/learn/dashboard")  # the host's sign-in, then back here
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("Password").fill(HOST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{host_server}/learn/dashboard")
    page.goto(f"{host_server}/learn/courses/sp/")

    assert page.get_by_role("heading", level=1).first.inner_text() == "Self-paced basics"
    # The host's script ran and its stylesheet applies ...
    assert page.evaluate("document.documentElement.dataset.hostScript") == "ran"
    assert page.locator("#host-script-status").inner_text() == "Scripts are on."
    host_header = page.locator(".host-header")
    assert host_header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(31, 59, 77)"
    # ... and so does the LMS's, inside its root class.
    lms_header = page.locator(".lms .lms-site-header")
    assert lms_header.evaluate("e => getComputedStyle(e).borderBottomStyle") == "solid"
    # The LMS header leads back to the host.
    assert page.get_by_role("link", name="Back to Example Clinic").get_attribute("href") == "/"
    refused = [m for m in messages if "Content Security Policy" in m or "pageerror" in m]
    assert not refused, refused
    assert not [m for m in messages if m.startswith("error")], (messages, failed)

    results = run_axe(page)
    assert not results.violations_count, summary(results)
