"""CE credit in a real browser, on the small credit courses of tests/fixtures/ce.

A nurse who rushes is refused "Mark complete" with the time still needed; the page's
script reports her reading time and she completes at the minimum; the certificate waits
for the course evaluation, then states the credit types and the accreditation statement;
an admin revokes it and the public page says so. A therapist cannot complete a live
session herself; the check-in code her instructor gives during the session completes it.

The reading minimum is a minute here. Rather than wait, the test moves two clocks: the
browser's (Playwright's clock: the page's timers and Date) and the server's reading clock
(`lms.learning.reading.utcnow`), which bounds every report by the time that has passed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, Response, expect

from lms.cohorts.service import create_cohort
from lms.database import session, utcnow
from lms.models import Course, LiveSession, Profession, Role
from tests.browser.conftest import LiveServer, serve
from tests.browser.scenarios import acknowledge_disclosure, person, sign_in, within
from tests.ce.conftest import CE_COURSES

pytestmark = pytest.mark.browser


@pytest.fixture
def ce_server(empty_database_url: str) -> Iterator[LiveServer]:
    with serve(empty_database_url, CE_COURSES) as server:
        yield server


@pytest.fixture
def server_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """`server_clock(s)`: the server's reading clock runs `s` seconds ahead from now on."""

    def ahead(seconds: float) -> None:
        monkeypatch.setattr(
            "lms.learning.reading.utcnow", lambda: utcnow() + timedelta(seconds=seconds)
        )

    return ahead


def report_time(page: Page, run_for_ms: int) -> None:
    """Let the page's script run for a while (fake time) and wait for its report of the
    seconds that passed (not the page's opening report, which claims none)."""
    ping = page.locator("[data-ping-url]").get_attribute("data-ping-url")
    assert ping

    def timed_report(response: Response) -> bool:
        request = response.request
        return (
            response.url.endswith(ping)
            and request.method == "POST"
            and (request.post_data_json or {}).get("seconds", 0) > 0
        )

    with page.expect_response(timed_report) as report:
        page.clock.run_for(run_for_ms)
    assert report.value.ok


def answer_true_and_submit(page: Page) -> None:
    page.get_by_role("button", name="Start the quiz").click()
    questions = page.locator("fieldset")
    for index in range(questions.count()):
        questions.nth(index).get_by_label("True").check()
    expect(page.locator("#save-status")).to_contain_text("Saved", timeout=15_000)
    page.get_by_role("button", name="Review and submit…").click()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", level=2, name="Passed")).to_be_visible()


def test_a_nurse_earns_credit_only_for_the_work_and_a_revoked_certificate_says_so(
    page: Page, ce_server: LiveServer, server_clock: Callable[[float], None]
) -> None:
    url = ce_server.url
    with within(ce_server):
        person("nora@example.com", "Nora Nurse", profession=Profession.NURSE)
        person("ada@example.com", "Ada Admin", Role.ADMIN)
        session.commit()
    page.clock.install()
    sign_in(page, ce_server, "nora@example.com")
    page.goto(f"{url}/courses/cred/")
    page.get_by_role("button", name="Enrol in this course").click()
    page.get_by_role("link", name=re.compile(r"^Start: ")).click()
    acknowledge_disclosure(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Read me")

    # She rushes: refused, told how long is left.
    page.get_by_role("button", name="Mark complete and continue").click()
    expect(page.get_by_text(re.compile("spend about a minute on this page"))).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Read me")

    # She reads: the page reports her active time twice; the server's clock agrees.
    # (The page's opening report, which claims nothing, lands before the server's clock moves.)
    with page.expect_response(lambda r: r.url.endswith("/read-me/ping")):
        page.goto(f"{url}/courses/cred/lessons/read-me")
    note = page.locator("#reading-minimum")
    expect(note).to_be_visible()
    server_clock(35)
    report_time(page, 31_000)
    server_clock(70)
    report_time(page, 30_000)
    expect(note).to_be_hidden()
    page.get_by_role("button", name="Mark complete and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Practice check")
    answer_true_and_submit(page)
    page.goto(f"{url}/courses/cred/quizzes/final")
    answer_true_and_submit(page)

    # Everything but the evaluation: no certificate yet, and the open gate says so.
    page.goto(f"{url}/courses/cred/")
    gate = page.locator(".lms-gate", has_text="Course evaluation submitted")
    expect(gate).not_to_have_class(re.compile("lms-gate-met"))
    expect(page.get_by_role("link", name="View your certificate")).to_have_count(0)
    gate.get_by_role("link").click()
    page.get_by_role("group", name="I can outline the history.").get_by_role("radio").nth(3).check()
    page.get_by_label("Very relevant").check()
    page.get_by_role("button", name="Submit the evaluation").click()

    page.goto(f"{url}/courses/cred/")
    page.get_by_role("link", name="View your certificate").click()
    expect(page.get_by_text("This certificate is valid")).to_be_visible()
    for fact in (
        "Nursing contact hours",
        "Psychology CE credits",
        "Test Provider is accredited to award nursing contact hours.",
    ):
        expect(page.get_by_text(fact).first).to_be_visible()
    public_url = page.url
    code = public_url.rstrip("/").rsplit("/", 1)[1]

    # An admin revokes it, with a reason; the public page says it is no longer valid.
    sign_in(page, ce_server, "ada@example.com")
    page.goto(f"{url}/admin/certificates/{code}")
    revoke = page.locator("form", has=page.get_by_role("heading", name="Revoke"))
    revoke.get_by_label("Reason").fill("Attendance records were falsified.")
    page.get_by_role("button", name="Revoke this certificate").click()
    page.context.clear_cookies()
    page.goto(public_url)
    expect(page.get_by_text(re.compile("This certificate was revoked on"))).to_be_visible()
    expect(page.get_by_text("This certificate is valid")).to_have_count(0)


def test_a_therapist_completes_a_live_session_only_by_checking_in(
    page: Page, ce_server: LiveServer
) -> None:
    url = ce_server.url
    with within(ce_server):
        ivy = person("ivy@example.com", "Ivy Instructor", Role.INSTRUCTOR)
        person("tess@example.com", "Tess Therapist")
        course = session.scalar(sa.select(Course).where(Course.slug == "cred-co"))
        assert course is not None
        cohort = create_cohort(course, "Live cohort", utcnow().date() - timedelta(days=1))
        live = LiveSession(
            module_id=cohort.calendar[0].module_id,
            title="Week 1 circle",
            starts_at=utcnow() - timedelta(minutes=10),
            duration_minutes=60,
            location="Room 1",
        )
        cohort.live_sessions.append(live)
        cohort.instructors.append(ivy)
        session.commit()
        cohort_id, session_id = cohort.id, live.id

    sign_in(page, ce_server, "tess@example.com")
    page.goto(f"{url}/courses/cred-co/")
    page.get_by_role("button", name="Join Live cohort").click()
    page.goto(f"{url}/courses/cred-co/lessons/live")
    acknowledge_disclosure(page)
    expect(page.get_by_text("Your attendance completes this page")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Mark complete"))).to_have_count(0)
    expect(page.get_by_label("Check-in code")).to_have_count(0)  # no code given yet

    # Her instructor creates the code during the session and reads it out.
    sign_in(page, ce_server, "ivy@example.com")
    page.goto(f"{url}/teach/cohorts/{cohort_id}/sessions/{session_id}/attendance")
    page.get_by_role("button", name="Create a check-in code").click()
    code = page.locator(".lms-check-in-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9-]{4,12}", code), code

    sign_in(page, ce_server, "tess@example.com")
    page.goto(f"{url}/courses/cred-co/lessons/live")
    page.get_by_label("Check-in code").fill("WRONG1")
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_text(re.compile("not this session's check-in code"))).to_be_visible()
    page.get_by_label("Check-in code").fill(code.lower())
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_text(re.compile("Your attendance is recorded: present"))).to_be_visible()
    page.goto(f"{url}/courses/cred-co/")
    live_item = page.locator(".lms-outline-item", has_text="Live session")
    expect(live_item.locator(".lms-status-complete")).to_have_count(1)
