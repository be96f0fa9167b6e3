"""Launches the LMS refuses: each with a 4xx page that says what is wrong, logged, and
with no one signed in and nothing made (no profile, no enrolment)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from lms.database import session
from lms.models import Account, Enrolment, LtiUser, Profile
from tests.lti.conftest import Browser, LiveLMS
from tests.lti.platform import LEARNER, Link, Person, RunningPlatform, rsa_pem_pair

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def drop(name: str) -> Callable[[dict[str, Any]], None]:
    return lambda message: message.pop(name, None)


def put(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda message: message.__setitem__(name, value)


@pytest.fixture
def ready(lms_server: LiveLMS, platform: RunningPlatform) -> RunningPlatform:
    platform.state.people["ana"] = Person("ana-sub", LEARNER, "Ana", "ana@school.example")
    platform.state.links["course"] = Link("link-1", "course-101", lms_server.url + "/courses/sp/")
    return platform


def assert_nothing_made(lms: LiveLMS, browser: Browser) -> None:
    with lms.app.app_context():
        for model in (LtiUser, Profile, Account, Enrolment):
            assert session.scalar(sa.select(sa.func.count()).select_from(model)) == 0, model
        session.remove()
    dashboard = browser.get("/dashboard", allow_redirects=False)
    assert dashboard.status_code == 302 and "/sign-in" in dashboard.headers["Location"]


CASES = {
    "wrong signature": (None, "Signature verification failed"),
    "unknown issuer": (put("iss", "https://stranger.example"), "not a platform registered"),
    "unknown deployment": (
        put(CLAIM + "deployment_id", "deployment-9"),
        'The deployment ID "deployment-9" is not recognised',
    ),
    "wrong aud": (put("aud", "someone-else"), "not a platform registered"),
    "aud among others, azp not ours": (
        lambda m: m.update(aud=["lms-tool-1", "other"], azp="other"),
        "azp is not this tool's client id",
    ),
    "no sub": (drop("sub"), "Must have a user (sub)"),
    "no roles": (drop(CLAIM + "roles"), "Missing Roles Claim"),
    "wrong version": (put(CLAIM + "version", "1.1"), "Incorrect version, expected 1.3.0"),
    "no message type": (drop(CLAIM + "message_type"), "Invalid message type"),
    "no resource link": (drop(CLAIM + "resource_link"), "Missing Resource Link Id"),
    "no deployment id": (drop(CLAIM + "deployment_id"), '"deployment_id" field is not set'),
    "no context": (drop(CLAIM + "context"), "no course context"),
    "no target": (drop(CLAIM + "target_link_uri"), "does not say what to open"),
    "target elsewhere": (
        put(CLAIM + "target_link_uri", "https://evil.example/courses/sp/"),
        "is not an address of this site",
    ),
    "target not content": (
        lambda m: m.__setitem__(
            CLAIM + "target_link_uri",
            m[CLAIM + "target_link_uri"].replace("/courses/sp/", "/dashboard"),
        ),
        "is not a course, module, lesson or quiz",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_id_token_is_refused(
    case: str, lms_server: LiveLMS, ready: RunningPlatform, caplog: pytest.LogCaptureFixture
) -> None:
    mutate, message = CASES[case]
    if case == "wrong signature":
        ready.state.signing_key = rsa_pem_pair()[0]
    ready.state.mutate = mutate
    browser = Browser(lms_server)
    with caplog.at_level(logging.WARNING, logger="lms.lti"):
        response = browser.post_launch(browser.launch_form(ready, "ana", "course"))
    assert 400 <= response.status_code < 500, response.text[:500]
    assert "This LTI launch was refused" in response.text
    assert message in response.text.replace("&#34;", '"').replace("&#39;", "'")
    assert "LTI request refused" in caplog.text
    assert_nothing_made(lms_server, browser)


def test_expired_token_is_refused(lms_server: LiveLMS, ready: RunningPlatform) -> None:
    ready.state.expiration = -120
    browser = Browser(lms_server)
    response = browser.post_launch(browser.launch_form(ready, "ana", "course"))
    assert response.status_code == 400
    assert "Signature has expired" in response.text
    assert_nothing_made(lms_server, browser)


def test_tampered_state_is_refused(lms_server: LiveLMS, ready: RunningPlatform) -> None:
    browser = Browser(lms_server)
    form = browser.launch_form(ready, "ana", "course")
    response = browser.post_launch(form, state=form["state"] + "x")
    assert response.status_code == 400
    assert "its state is not one this site gave at the login step" in response.text
    # A launch posted by another browser (or a frame that keeps no cookie) is not signed
    # in either: it is offered the new window, where the login begins again.
    other = Browser(lms_server)
    response = other.post_launch(form)
    assert response.status_code == 200
    assert "Open the course in a new window" in response.text
    assert "lti1p3_new_window=1" in response.text
    assert_nothing_made(lms_server, other)


def test_replayed_launch_is_refused(lms_server: LiveLMS, ready: RunningPlatform) -> None:
    browser = Browser(lms_server)
    form = browser.launch_form(ready, "ana", "course")
    assert browser.post_launch(form).status_code == 302
    again = Browser(lms_server)
    again.http.cookies.update(browser.http.cookies)  # even with the stolen state cookie
    again.http.cookies.pop("session", None)
    response = again.post_launch(form)
    assert response.status_code == 400
    assert "nonce was already used" in response.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "has no state"),
        ({"state": "state-1"}, "it has no id_token"),
        ({"state": "state-1", "id_token": "not-a-jwt"}, "JWT must contain 3 parts"),
    ],
)
def test_malformed_launch_post(
    lms_server: LiveLMS, platform: RunningPlatform, data: dict[str, str], message: str
) -> None:
    browser = Browser(lms_server)
    browser.http.cookies.set("lti1p3-state-1", "state-1")
    response = browser.http.post(lms_server.url + "/lti/launch", data=data, timeout=30)
    assert response.status_code == 400
    assert message in response.text
    assert_nothing_made(lms_server, browser)


def test_login_from_an_unknown_platform(lms_server: LiveLMS, platform: RunningPlatform) -> None:
    browser = Browser(lms_server)
    response = browser.get(
        "/lti/login",
        params={"iss": "https://stranger.example", "login_hint": "x"},
        allow_redirects=False,
    )
    assert response.status_code == 400
    assert "Could not find registration details" in response.text
    response = browser.get("/lti/login", allow_redirects=False)
    assert response.status_code == 400
    assert "Could not find issuer" in response.text
