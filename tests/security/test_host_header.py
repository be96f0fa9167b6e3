"""Finding 1 (high): password-reset links followed the request's Host header.

`POST /forgot-password` with `Host: evil.example` mailed the victim a link to
evil.example, carrying a valid reset token. Every link that leaves a request (reset and
feedback mail, the certificate PDF, the grading digest) is now built from LMS_BASE_URL,
and the standalone app answers only for its own host names (TRUSTED_HOSTS): a foreign
Host gets a 400. Here the site is https://learn.example.org and also answers as
`localhost` (an alias in LMS_TRUSTED_HOSTS, which the test client uses): no link may
follow the request's host, even an accepted one.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from lms import LMS, create_app
from lms.certificates.service import issue_certificate
from lms.config import ConfigError
from lms.database import Base, session
from lms.links import external_url
from lms.models import Course, Enrolment, OutboxMessage, Profile
from lms.notifications import send_grading_digests
from tests.conftest import Users, csrf_token, make_test_app, post_form
from tests.foundation.test_plugin import make_host_app
from tests.grading.conftest import World, client_for, hand_in, post_grade, world  # noqa: F401

SITE = "https://learn.example.org"


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """The standalone app at SITE, also answering as `localhost`."""
    app = make_test_app(database_url, LMS_BASE_URL=SITE + "/", LMS_TRUSTED_HOSTS="localhost")
    with app.app_context():
        if database_url.startswith("sqlite"):
            Base.metadata.create_all(session.get_bind())
    yield app
    with app.app_context():
        session.remove()
        app.extensions["sqlalchemy"].engine.dispose()


def mail_bodies(app: Flask) -> list[str]:
    with app.app_context():
        return list(session.scalars(sa.select(OutboxMessage.body).order_by(OutboxMessage.id)))


def links(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def test_finding_1_a_foreign_host_header_gets_a_400_and_no_mail(
    app: Flask, client: FlaskClient, users: Users
) -> None:
    users.create("admin@example.com", role="admin")
    token = csrf_token(client, "/forgot-password")
    for method, path in [("GET", "/"), ("GET", "/forgot-password"), ("POST", "/forgot-password")]:
        response = client.open(
            path,
            method=method,
            data={"csrf_token": token, "email": "admin@example.com"},
            headers={"Host": "evil.example"},
        )
        assert response.status_code == 400, (method, path)
        assert "does not answer to that host name" in response.get_data(as_text=True)
    assert mail_bodies(app) == []


def test_finding_1_reset_links_come_from_lms_base_url(
    app: Flask, client: FlaskClient, users: Users
) -> None:
    users.create("admin@example.com", role="admin")
    response = post_form(client, "/forgot-password", {"email": "admin@example.com"})
    assert response.status_code == 200
    (body,) = mail_bodies(app)
    (link,) = links(body)
    assert link.startswith(f"{SITE}/reset-password/"), link
    # The link works (on the real site, which this test client stands in for).
    assert client.get(link.removeprefix(SITE)).status_code == 200


def test_finding_1_feedback_mail_and_digest_links_come_from_lms_base_url(
    app: Flask,
    world: World,  # noqa: F811
) -> None:
    attempt_id, answer_id = hand_in(app, "ana@example.com")
    with app.app_context():  # the digest, as cron sends it: no request at all
        send_grading_digests()
        session.commit()
    post_grade(app, client_for(app, "iris@example.com"), answer_id, action="release")
    found = [link for body in mail_bodies(app) for link in links(body)]
    assert f"{SITE}/teach/grading" in found
    assert f"{SITE}/attempts/{attempt_id}/review" in found
    assert all(link.startswith(SITE + "/") for link in found), found


def test_finding_1_the_certificate_pdf_links_to_lms_base_url(
    app: Flask, client: FlaskClient, users: Users, courses: None
) -> None:
    users.create("nadia@example.com", name="Nadia Nurse")
    users.sign_in("nadia@example.com")
    with app.app_context():
        profile = session.scalars(sa.select(Profile)).one()
        course = session.scalars(sa.select(Course).where(Course.slug == "sp")).one()
        enrolment = Enrolment(profile=profile, course=course)
        session.add(enrolment)
        session.flush()
        code = issue_certificate(enrolment).code
        session.commit()
    pdf = client.get(f"/certificates/{code}/certificate.pdf")
    assert pdf.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert f"Verify at {SITE}/certificates/{code}" in text


def test_finding_1_lms_base_url_is_required_outside_debug_and_tests(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.delenv("LMS_BASE_URL", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    settings = {"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_url}
    with pytest.raises(ConfigError, match="export LMS_BASE_URL=https://"):
        create_app(settings)
    for wrong in ("learn.example.org", "ftp://learn.example.org", "https://x.org/?a=1", "https://"):
        with pytest.raises(ConfigError, match="LMS_BASE_URL must be the site's address"):
            create_app(settings | {"LMS_BASE_URL": wrong})
    app = create_app(settings | {"LMS_BASE_URL": "https://learn.example.org/lms/"})
    assert app.config["LMS_BASE_URL"] == "https://learn.example.org/lms"
    assert app.config["TRUSTED_HOSTS"] == ["learn.example.org"]


def test_finding_1_a_host_app_keeps_its_own_trusted_hosts_and_needs_a_base_url(
    empty_database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path
    host = make_host_app(empty_database_url, folder)
    host.testing = False
    with pytest.raises(ConfigError, match="LMS_BASE_URL is not set"):
        LMS(host, url_prefix="/learn")

    host = make_host_app(empty_database_url, folder, LMS_BASE_URL="https://www.example.org")
    LMS(host, url_prefix="/learn")
    assert host.config["TRUSTED_HOSTS"] is None  # the host's own setting, untouched
    with host.test_request_context("/", headers={"Host": "evil.example"}):
        assert external_url("catalogue.index") == "https://www.example.org/learn/"
