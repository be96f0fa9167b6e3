"""Launches inside the platform's frame, without a browser: who may frame the pages, the
cookies over HTTPS (the Flask test client on an https base URL; the live servers are plain
HTTP), and the LTI Platform Storage check with its refusals (a `requests` session stands
in for the frame, the values it posts for those the platform's page kept)."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from werkzeug.test import TestResponse

from lms.security import CONTENT_SECURITY_POLICY, merge_policies, with_frame_ancestors
from tests.lti.conftest import Browser, LiveLMS
from tests.lti.platform import LEARNER, Link, Person, RunningPlatform
from tests.lti.test_refusals import assert_nothing_made


@pytest.fixture
def ready(lms_server: LiveLMS, platform: RunningPlatform) -> RunningPlatform:
    platform.state.people["ana"] = Person("ana-sub", LEARNER, "Ana Frame", "ana@school.example")
    platform.state.links["course"] = Link("link-1", "course-101", lms_server.url + "/courses/sp/")
    return platform


def frame_ancestors(response: Any) -> list[str]:
    policy = response.headers.get("Content-Security-Policy", "")
    for part in policy.split(";"):
        words = part.split()
        if words and words[0] == "frame-ancestors":
            return words[1:]
    return []


def set_cookie(response: TestResponse, name: str) -> str:
    found = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(name)]
    assert len(found) == 1, response.headers.getlist("Set-Cookie")
    return found[0]


def test_launched_session_is_frameable_with_https_cookies(
    lms_server: LiveLMS, ready: RunningPlatform
) -> None:
    """Over HTTPS the launch cookies are SameSite=None; Secure; Partitioned, and the launched
    session's pages may be framed by the platform only; other pages and sessions not."""
    client = lms_server.app.test_client()
    base = "https://" + urlsplit(lms_server.url).netloc
    start = requests.get(
        f"{ready.url}/start",
        params={"user": "ana", "link": "course"},
        allow_redirects=False,
        timeout=30,
    )
    login = client.get(start.headers["Location"], base_url=base)
    assert login.status_code == 302
    state_cookie = set_cookie(login, "lti1p3-state-")
    for attribute in ("Secure", "SameSite=None", "Partitioned", "HttpOnly"):
        assert attribute in state_cookie
    assert frame_ancestors(login) == ["'self'", ready.url]
    assert "X-Frame-Options" not in login.headers

    form_page = requests.get(login.headers["Location"], timeout=30).text
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form_page))
    launch = client.post("/lti/launch", base_url=base, data=fields)
    assert launch.status_code == 302, launch.text
    session_cookie = set_cookie(launch, "session=")
    for attribute in ("Secure", "SameSite=None", "Partitioned", "HttpOnly"):
        assert attribute in session_cookie
    course = client.get(launch.headers["Location"], base_url=base)
    assert course.status_code == 200
    assert "Ana Frame" in course.text
    assert frame_ancestors(course) == ["'self'", ready.url]
    assert "X-Frame-Options" not in course.headers

    # Anyone else's pages: not frameable, and the site's own session stays SameSite=Lax.
    other = lms_server.app.test_client().get("/sign-in", base_url=base)
    assert frame_ancestors(other) == ["'self'"]
    assert other.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "SameSite=Lax" in set_cookie(other, "session=")


def test_over_http_the_cookies_stay_lax(lms_server: LiveLMS, ready: RunningPlatform) -> None:
    browser = Browser(lms_server)
    response = browser.post_launch(browser.launch_form(ready, "ana", "course"))
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "Secure" not in cookie and "Partitioned" not in cookie
    assert frame_ancestors(response) == ["'self'", ready.url]  # framing works on HTTP too


def test_deployer_adds_frame_origins(lms_server: LiveLMS, ready: RunningPlatform) -> None:
    lms_server.app.config["LMS_LTI_FRAME_ANCESTORS"] = [
        "https://school.instructure.com",
        "https://*.moodle.example",
        "bad; script-src *",
    ]
    browser = Browser(lms_server)
    response = browser.post_launch(browser.launch_form(ready, "ana", "course"))
    assert frame_ancestors(response) == [
        "'self'",
        ready.url,
        "https://school.instructure.com",
        "https://*.moodle.example",
    ]


# -- LTI Platform Storage -------------------------------------------------------------------------


class StorageLaunch:
    """A launch from a platform that offers its storage, up to the check page."""

    def __init__(self, lms: LiveLMS, platform: RunningPlatform, *, cookies: bool = False) -> None:
        self.lms = lms
        self.browser = Browser(lms)
        http = self.browser.http
        login = http.get(
            f"{platform.url}/start",
            params={"user": "ana", "link": "course", "storage": "1"},
            timeout=30,
        )
        assert login.status_code == 200, login.text[:1000]
        page = re.search(r'<a id="lms-lti-storage-login" href="([^"]+)"([^>]*)>', login.text)
        assert page, login.text[:2000]
        data = dict(re.findall(r'data-(\w+)="([^"]*)"', page.group(2)))
        assert data["target"] == "_parent"
        assert data["origin"] == platform.url  # messages go to the platform only
        self.state, self.nonce = data["state"], data["nonce"]
        if not cookies:  # the frame keeps no cookie: the platform's storage has them
            http.cookies.clear()
        auth = http.get(html.unescape(page.group(1)), timeout=30).text
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', auth))
        assert fields["state"] == self.state
        check = http.post(f"{lms.url}/lti/launch", data=fields, timeout=30)
        assert check.status_code == 200, check.text[:2000]
        assert f'data-state-key="lti_state_{self.state}"' in check.text
        assert f'data-nonce-key="lti_nonce_{self.nonce}"' in check.text
        assert frame_ancestors(check) == ["'self'", platform.url]
        token = re.search(r'name="check" value="([^"]+)"', check.text)
        assert token
        self.token = token.group(1)

    def finish(self, origin: str | None = "own", **fields: str) -> requests.Response:
        headers = {"Origin": self.lms.url if origin == "own" else origin} if origin else {}
        data = {"check": self.token, "storage": "platform"} | fields
        return self.browser.http.post(
            f"{self.lms.url}/lti/launch/check",
            data=data,
            headers=headers,
            allow_redirects=False,
            timeout=30,
        )


def test_platform_storage_launch(lms_server: LiveLMS, ready: RunningPlatform) -> None:
    launch = StorageLaunch(lms_server, ready)
    response = launch.finish(state=launch.state, nonce=launch.nonce)
    assert response.status_code == 302, response.text[:2000]
    assert response.headers["Location"] == "/courses/sp/"
    assert "Ana Frame" in launch.browser.get("/courses/sp/").text
    # The check is used once.
    again = launch.finish(state=launch.state, nonce=launch.nonce)
    assert again.status_code == 400
    assert "its check was already used or has expired" in again.text


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"state": "state-forged", "nonce": "n"}, 400, "does not match this launch"),
        ({"state": "", "nonce": ""}, 400, "does not match this launch"),  # not in the storage
        ({"origin": "http://evil.example"}, 403, "did not come from this site"),
        ({"origin": None}, 403, "did not come from this site"),
    ],
    ids=["forged", "missing", "other-site", "no-origin"],
)
def test_platform_storage_refusals(
    lms_server: LiveLMS,
    ready: RunningPlatform,
    fields: dict[str, Any],
    status: int,
    message: str,
) -> None:
    launch = StorageLaunch(lms_server, ready)
    fields = dict(fields)
    origin = fields.pop("origin", "own")
    if origin != "own":  # right values, posted by another site (or without an Origin)
        fields = {"state": launch.state, "nonce": launch.nonce}
    response = launch.finish(origin, **fields)
    assert response.status_code == status
    assert message in response.text
    assert_nothing_made(lms_server, launch.browser)


def test_no_storage_answer_but_a_state_cookie(lms_server: LiveLMS, ready: RunningPlatform) -> None:
    """The platform's page did not answer, but this browser kept the state cookie."""
    launch = StorageLaunch(lms_server, ready, cookies=True)
    response = launch.finish(storage="unavailable")
    assert response.status_code == 302, response.text[:2000]
    assert "Ana Frame" in launch.browser.get("/courses/sp/").text


def test_no_storage_and_no_cookie_offers_a_new_window(
    lms_server: LiveLMS, ready: RunningPlatform
) -> None:
    launch = StorageLaunch(lms_server, ready)
    response = launch.finish(storage="unavailable")
    assert response.status_code == 200
    assert "Open the course in a new window" in response.text
    link = re.search(r'href="([^"]+)" target="_blank"', response.text)
    assert link and "lti1p3_new_window=1" in link.group(1)
    assert "lti_storage_target" not in link.group(1)
    assert_nothing_made(lms_server, launch.browser)
    # The new window begins the login again, and with its cookie the launch goes through.
    page = launch.browser.http.get(lms_server.url + html.unescape(link.group(1)), timeout=30)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page.text))
    done = launch.browser.http.post(f"{lms_server.url}/lti/launch", data=fields, timeout=30)
    assert done.status_code == 200 and "Ana Frame" in done.text


def test_frame_ancestors_in_the_policy_and_its_merge_with_a_host_policy() -> None:
    policy = with_frame_ancestors(CONTENT_SECURITY_POLICY, ["https://canvas.example"])
    assert policy is not None
    assert policy.count("frame-ancestors") == 1
    assert policy.endswith("frame-ancestors 'self' https://canvas.example")
    assert with_frame_ancestors(None, ["https://canvas.example"]) == (
        "frame-ancestors 'self' https://canvas.example"
    )  # no policy configured: the frame rule alone (X-Frame-Options is not sent)
    assert with_frame_ancestors(CONTENT_SECURITY_POLICY, []) == CONTENT_SECURITY_POLICY
    # A policy already on the response: what either allows (the merge of lms.security).
    merged = merge_policies("frame-ancestors 'none'; default-src 'self'", policy)
    assert "frame-ancestors 'self' https://canvas.example" in merged
