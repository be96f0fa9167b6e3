"""A nurse's certificate page with its Open Badge, in a real browser: the verdict, the
download (a signed credential that verifies), an employer checking the file, and every
page axe-clean at every width."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lms.credentials.resolvers import controller_document_resolver
from lms.credentials.verify import verify_credential
from tests.browser.conftest import LiveServer
from tests.browser.scenarios import sign_in
from tests.browser.test_accessibility import Audit, build_world

pytestmark = pytest.mark.browser


@pytest.fixture
def lms_base_url_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A base URL for the app that `live_server` then makes (test apps have a key)."""
    monkeypatch.setenv("LMS_BASE_URL", "http://127.0.0.1")


def test_the_holder_sees_and_downloads_the_badge(
    lms_base_url_env: None, page: Page, live_server: LiveServer
) -> None:
    world = build_world(live_server)
    sign_in(page, live_server, "nell@example.com")
    page.goto(f"{live_server.url}/certificates/{world.certificate}")
    expect(page.get_by_role("heading", name="Open Badge")).to_be_visible()
    expect(page.get_by_text("Its Open Badge credential verifies")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download Open Badge (JSON)").click()
    assert download.value.suggested_filename == f"open-badge-{world.certificate}.json"
    credential = json.loads(Path(download.value.path()).read_text("utf-8"))
    issuer = json.loads(page.request.get(f"{live_server.url}/badges/issuer").text())
    assert verify_credential(credential, controller_document_resolver(issuer)).ok
    live_server.shoot(page, "certificate-with-badge")

    audit = Audit(page, live_server)
    audit.visit("certificate with its badge (holder)", f"/certificates/{world.certificate}")
    audit.visit("check a badge", "/badges/verify")

    def checked(page: Page) -> None:
        page.goto(f"{live_server.url}/badges/verify")
        page.get_by_label("The badge file").set_input_files(download.value.path())
        page.get_by_label("The holder's email address (optional)").fill("nell@example.com")
        page.get_by_role("button", name="Check the badge").click()
        expect(page.get_by_role("heading", level=1, name="This badge verifies")).to_be_visible()
        expect(page.get_by_text("It names the email address you gave.")).to_be_visible()

    audit.visit("a badge checked", checked)
    live_server.shoot(page, "badge-checked")
    audit.assert_clean()
