"""Security headers on every page, session cookies, sessions across sign-in and sign-out,
and `next` redirects that never leave the site.

Already proven elsewhere (not repeated here):

- sign-out really ends the session, a stolen copy of the cookie dies with it:
  tests/accounts/test_account_sessions.py, test_a_cookie_copied_before_sign_out_is_refused_after_it;
- a password change ends the other sessions: tests/accounts/test_account_sessions.py,
  test_changing_the_password_ends_other_sessions_and_keeps_this_one;
- tests/accounts/test_password_reset.py::test_a_reset_ends_every_session;
- tests/accounts/test_profile_page.py::test_profile_completion_returns_only_to_this_site
  (the plugin's first-visit page follows `next` only to this site);
- sign-out ignores `next`, so no `next=https://evil.example` is followed:
  tests/security/test_cve_regressions.py,
  test_cve_2022_32195_open_edx_no_open_redirect_after_sign_out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient

from lms import LMS
from lms.accounts.throttle import limiter
from lms.policies import POLICIES
from lms.web import lms_url_for, safe_next
from tests.cohorts import conftest as cohort_fixtures
from tests.conftest import PASSWORD, Users, csrf_token, lms_rules, make_test_app
from tests.foundation.test_plugin import make_host_app
from tests.security import test_access_matrix as matrix
from tests.security.test_access_matrix import ROLES, UNTESTED_ENDPOINTS, World, allowed_roles
from tests.security.test_xss import ExecutableFinder

#: Fixtures of other modules: the access matrix's world (two cohorts, seven signed-in
#: roles), built with cheap password hashes.
world = matrix.world
fast_passwords = cohort_fixtures.fast_passwords
pytestmark = pytest.mark.usefixtures("fast_passwords")

CSP_MUST_HAVE = [
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'self'",
    "form-action 'self'",
]

#: `next` values that would take a browser off the site (or run script) if followed.
OFF_SITE = [
    "https://evil.example",
    "https://evil.example/sign-in",
    "http:evil.example",
    "//evil.example",
    "///evil.example",
    "////evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "\x00//evil.example",
    "https://localhost@evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)//",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "%2F%2Fevil.example",
]


# -- headers -------------------------------------------------------------------------------------


def header_problems(response: object, where: str) -> list[str]:
    headers = response.headers  # type: ignore[attr-defined]
    problems = []
    policy = headers.get("Content-Security-Policy", "")
    directives = [d.strip() for d in policy.split(";")]
    for directive in CSP_MUST_HAVE:
        if directive not in directives:
            problems.append(f"{where}: CSP lacks {directive!r}: {policy!r}")
    if "unsafe-inline" in policy or "unsafe-eval" in policy or "*" in policy:
        problems.append(f"{where}: CSP allows inline or any-origin script: {policy!r}")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{where}: no X-Content-Type-Options: nosniff")
    if headers.get("Referrer-Policy") not in ("same-origin", "no-referrer", "strict-origin"):
        problems.append(f"{where}: Referrer-Policy is {headers.get('Referrer-Policy')!r}")
    if response.mimetype == "text/html":  # type: ignore[attr-defined]
        finder = ExecutableFinder()
        finder.feed(response.get_data(as_text=True))  # type: ignore[attr-defined]
        problems += [f"{where}: {problem}" for problem in finder.problems]
    return problems


def test_every_page_of_every_blueprint_has_a_strict_csp_and_no_inline_script(
    app: Flask, world: World
) -> None:
    """Each GET route, as someone allowed to see it (and as a visitor who is sent away)."""
    problems: list[str] = []
    blueprints_seen = set()
    for rule in sorted(lms_rules(app), key=lambda r: r.rule):
        if rule.endpoint in UNTESTED_ENDPOINTS or "GET" not in (rule.methods or set()):
            continue
        allowed = allowed_roles(POLICIES[rule.endpoint])
        role = next(r for r in reversed(ROLES) if r in allowed)
        with app.test_request_context():
            url = lms_url_for(rule.endpoint, **{k: world.values[k] for k in rule.arguments})
        for client_role in {role, "anonymous"}:
            response = world.clients[client_role].get(url)
            where = f"GET {url} as {client_role} ({response.status_code})"
            if client_role == role:  # allowed: the page (the reset page's "bad link" is 400)
                assert response.status_code in (200, 302, 400), where
                assert "/sign-in" not in response.headers.get("Location", ""), where
            problems += header_problems(response, where)
            response.close()
        blueprints_seen.add(rule.endpoint.split(".")[0])
    areas = {name.removeprefix("lms.") for name in app.blueprints if name.startswith("lms.")}
    assert blueprints_seen == areas | {"static"}, blueprints_seen
    assert not problems, "\n".join(problems)


def test_error_pages_have_the_same_headers(app: Flask, world: World) -> None:
    learner = world.clients["learner_a"]
    responses = {
        "404, unknown address": learner.get("/no/such/page"),
        "404, no such object": learner.get("/attempts/999999"),
        "403": learner.get("/teach/cohorts"),
        "405": learner.get("/sign-out"),
        "400, no CSRF token": learner.post("/profile", data={"display_name": "x"}),
        "413, too large": learner.post(
            "/join", data={"csrf_token": csrf_token(learner), "code": "x" * (3 * 1024 * 1024)}
        ),
    }
    problems = [p for where, r in responses.items() for p in header_problems(r, where)]
    assert not problems, "\n".join(problems)
    assert [r.status_code for r in responses.values()] == [404, 404, 403, 405, 400, 413]


# -- cookies -------------------------------------------------------------------------------------


def session_cookie_attributes(response: object) -> set[str]:
    """The attributes of the response's session cookie, lowercased (e.g. "httponly")."""
    headers = response.headers.getlist("Set-Cookie")  # type: ignore[attr-defined]
    cookie = next(h for h in headers if h.startswith("session="))
    return {part.strip().lower() for part in cookie.split(";")[1:]}


def test_the_session_cookie_is_httponly_and_samesite_lax(app: Flask, client: FlaskClient) -> None:
    attributes = session_cookie_attributes(client.get("/sign-in"))
    assert {"httponly", "samesite=lax", "path=/"} <= attributes
    assert "secure" not in attributes  # plain HTTP (development): the browser would drop it


def test_the_session_cookie_is_secure_when_the_request_came_over_https(
    app: Flask, users: Users
) -> None:
    users.create("ana@example.com")
    client = app.test_client()
    page = client.get("/sign-in", base_url="https://localhost")
    assert {"secure", "httponly", "samesite=lax"} <= session_cookie_attributes(page)
    token = csrf_token(client)
    signed_in = client.post(
        "/sign-in",
        data={"csrf_token": token, "email": "ana@example.com", "password": PASSWORD},
        base_url="https://localhost",
    )
    assert signed_in.status_code == 302
    assert {"secure", "httponly", "samesite=lax"} <= session_cookie_attributes(signed_in)


def test_a_deployment_can_make_the_cookie_always_secure(database_url: str) -> None:
    """Behind a proxy that ends TLS, the app sees http: SESSION_COOKIE_SECURE says so."""
    app = make_test_app(database_url, SESSION_COOKIE_SECURE=True)
    assert "secure" in session_cookie_attributes(app.test_client().get("/sign-in"))


def test_a_host_app_keeps_its_own_session_settings(database_url: str, tmp_path: Path) -> None:
    """Plugin mode: the host's session interface and cookie settings are left alone."""
    host = make_host_app(database_url, tmp_path)
    before = type(host.session_interface)
    LMS(host, url_prefix="/learn")
    assert type(host.session_interface) is before is SecureCookieSessionInterface


# -- sessions ------------------------------------------------------------------------------------


def test_signing_in_starts_a_new_session_and_a_planted_cookie_stays_signed_out(
    app: Flask, users: Users
) -> None:
    """Session fixation: a cookie given to the victim before sign-in is worth nothing."""
    users.create("ana@example.com")
    victim = app.test_client()
    token_before = csrf_token(victim, "/sign-in")
    cookie = victim.get_cookie("session")
    assert cookie is not None
    attacker = app.test_client()
    attacker.set_cookie("session", cookie.value)

    response = victim.post(
        "/sign-in",
        data={"csrf_token": token_before, "email": "ana@example.com", "password": PASSWORD},
    )
    assert response.status_code == 302
    after = victim.get_cookie("session")
    assert after is not None and after.value != cookie.value
    assert victim.get("/profile").status_code == 200
    assert attacker.get("/profile").status_code == 302  # still signed out: sent to sign in
    # The CSRF token of the session before sign-in does not work in the new one.
    refused = victim.post("/profile", data={"csrf_token": token_before, "display_name": "Mallory"})
    assert refused.status_code == 400


# -- redirects -----------------------------------------------------------------------------------


@pytest.mark.parametrize("target", OFF_SITE)
def test_safe_next_never_leaves_the_site(target: str) -> None:
    assert safe_next(target, "/") == "/"


@pytest.mark.parametrize("target", ["/dashboard", "/courses/co/?x=1#top", "/learn/profile"])
def test_safe_next_keeps_this_sites_paths(target: str) -> None:
    assert safe_next(target, "/") == target


def test_sign_in_follows_next_only_to_this_sites_paths(app: Flask, users: Users) -> None:
    users.create("ana@example.com")
    for target in [*OFF_SITE, "/dashboard"]:
        with app.app_context():
            limiter.reset()  # sign-in throttling counts every attempt; these are not guesses
        client = app.test_client()
        response = client.post(
            "/sign-in",
            query_string={"next": target},
            data={
                "csrf_token": csrf_token(client),
                "email": "ana@example.com",
                "password": PASSWORD,
            },
        )
        assert response.status_code == 302, target
        expected = "/dashboard" if target == "/dashboard" else "/"
        assert response.headers["Location"] == expected, target
