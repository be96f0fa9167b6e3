"""Findings 5 and 6 (low): no HSTS over HTTPS, and no Cache-Control on private responses.

Attempts, reviews, the grading screen, gradebooks and their exports, learner records,
certificate PDFs and the admin outbox (with its reset links) could be kept by a browser
or a proxy: every LMS response to a signed-in user, and every download, is now
`Cache-Control: no-store`. Over HTTPS the LMS sends Strict-Transport-Security
(LMS_HSTS_MAX_AGE, one year by default in the standalone app; off in debug and, unless
configured, in a host app, where HSTS is the host's decision for its whole name).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from lms import LMS
from lms.database import Base, session
from lms.policies import POLICIES
from lms.web import lms_url_for
from tests.cohorts import conftest as cohort_fixtures
from tests.conftest import lms_rules, make_test_app
from tests.foundation.test_plugin import make_host_app
from tests.security import test_access_matrix as matrix
from tests.security.test_access_matrix import ROLES, World, allowed_roles

world = matrix.world
fast_passwords = cohort_fixtures.fast_passwords
pytestmark = pytest.mark.usefixtures("fast_passwords")


def test_finding_6_every_signed_in_page_and_download_is_no_store(app: Flask, world: World) -> None:
    problems = []
    pages = 0
    for rule in sorted(lms_rules(app), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        allowed = allowed_roles(POLICIES[rule.endpoint]) - {"anonymous"}
        with app.test_request_context():
            url = lms_url_for(rule.endpoint, **{k: world.values[k] for k in rule.arguments})
        for role in [r for r in ROLES if r in allowed][-1:]:  # the most trusted one allowed
            response = world.clients[role].get(url)
            pages += 1
            if response.headers.get("Cache-Control") != "no-store":
                problems.append(f"GET {url} as {role}: {response.headers.get('Cache-Control')}")
            response.close()
    assert pages > 40 and not problems, "\n".join(problems)

    # The downloads named in the finding, each as its owner or teacher.
    downloads = {
        "learner_a": f"/certificates/{world.values['code']}/certificate.pdf",
        "instructor_a": f"/teach/cohorts/{world.values['cohort_id']}/gradebook.csv",
    }
    for role, url in downloads.items():
        response = world.clients[role].get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Disposition"].startswith("attachment"), url
        assert response.headers["Cache-Control"] == "no-store", url

    # Public pages for visitors and the static files may be cached as usual.
    anonymous = world.clients["anonymous"]
    assert "no-store" not in anonymous.get("/").headers.get("Cache-Control", "")
    with world.clients["admin"].get("/static/lms/lms.css") as stylesheet:
        assert "no-store" not in stylesheet.headers.get("Cache-Control", "")
    # Account pages (a reset link's page carries its token) are never stored.
    assert anonymous.get("/forgot-password").headers["Cache-Control"] == "no-store"


@pytest.fixture
def https_app(database_url: str) -> Iterator[Flask]:
    app = make_test_app(database_url)
    with app.app_context():
        if database_url.startswith("sqlite"):
            Base.metadata.create_all(session.get_bind())
    yield app
    with app.app_context():
        session.remove()
        app.extensions["sqlalchemy"].engine.dispose()


def test_finding_5_hsts_over_https_only_configurable_and_off_in_debug(https_app: Flask) -> None:
    client = https_app.test_client()
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/").headers  # plain HTTP

    https_app.config["LMS_HSTS_MAX_AGE"] = 600
    response = client.get("/sign-in", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=600"
    https_app.config["LMS_HSTS_MAX_AGE"] = 0
    assert "Strict-Transport-Security" not in client.get("/", base_url="https://localhost").headers

    https_app.config["LMS_HSTS_MAX_AGE"] = 600
    https_app.debug = True
    assert "Strict-Transport-Security" not in client.get("/", base_url="https://localhost").headers


def test_finding_5_a_host_app_decides_hsts_for_itself(
    empty_database_url: str, tmp_path: Path
) -> None:
    host = make_host_app(empty_database_url, tmp_path)
    LMS(host, url_prefix="/learn")
    client = host.test_client()
    page = "/learn/static/lms/lms.css"  # any LMS response (this one needs no tables)
    with client.get(page, base_url="https://h") as response:
        assert "Strict-Transport-Security" not in response.headers

    host = make_host_app(empty_database_url, tmp_path, LMS_HSTS_MAX_AGE=86400)
    LMS(host, url_prefix="/learn")
    client = host.test_client()
    with client.get(page, base_url="https://h") as response:
        assert response.headers["Strict-Transport-Security"] == "max-age=86400"
    assert "Strict-Transport-Security" not in client.get("/", base_url="https://h").headers
