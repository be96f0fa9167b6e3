"""LTI tests: the LMS served on 127.0.0.1 and the test platform (tests/lti/platform.py)
on localhost, each a real server thread; people are `requests` sessions that follow the
redirects and submit the platform's auto-posting form as a browser does."""

from __future__ import annotations

import ipaddress
import re
import shutil
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask

from lms import migrate
from lms.content.loader import load_courses
from lms.content.sync import sync_courses
from lms.database import session, utcnow
from lms.models import Course, Lesson, LessonProgress, LtiUser, Profile
from tests.conftest import LEARNING_COURSES, make_test_app
from tests.live import serving
from tests.lti.platform import RunningPlatform, run_platform
from tests.quizzes.conftest import GOOD

#: The test courses: "sp" (self-paced, an auto-graded quiz "check"), "co" (cohort), and
#: "good-course" (self-paced, its quiz "basics-check" has an essay).
SP_QUIZ = "/courses/sp/quizzes/check"
GOOD_QUIZ = "/courses/good-course/quizzes/basics-check"


@dataclass
class LiveLMS:
    app: Flask
    url: str


@contextmanager
def serve_lms(database_url: str, tmp_path: Path, *, tls: bool = False) -> Iterator[LiveLMS]:
    """The LMS with the test courses on a free port of 127.0.0.1 (`tls`: over HTTPS, with a
    self-signed certificate a test browser is told to accept)."""
    courses = tmp_path / "courses"
    for source in (LEARNING_COURSES / "selfpaced", LEARNING_COURSES / "cohort", GOOD):
        shutil.copytree(source, courses / source.name)
    app = make_test_app(database_url)
    with app.app_context():
        migrate.upgrade()
        result = load_courses(courses)
        assert result.ok, result.problems
        sync_courses(result.courses)
        session.commit()
        session.remove()
    context = self_signed_tls(tmp_path) if tls else None
    try:
        with serving(app, "127.0.0.1", ssl_context=context) as url:
            app.config["LMS_BASE_URL"] = url
            yield LiveLMS(app, url)
    finally:
        with app.app_context():
            session.remove()
            app.extensions["sqlalchemy"].engine.dispose()


def self_signed_tls(folder: Path) -> ssl.SSLContext:
    """A TLS server context with a fresh self-signed certificate for 127.0.0.1."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "tls-cert.pem", folder / "tls-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


@pytest.fixture
def lms_server(empty_database_url: str, tmp_path: Path) -> Iterator[LiveLMS]:
    with serve_lms(empty_database_url, tmp_path) as lms:
        yield lms


@pytest.fixture
def https_lms_server(empty_database_url: str, tmp_path: Path) -> Iterator[LiveLMS]:
    with serve_lms(empty_database_url, tmp_path, tls=True) as lms:
        yield lms


def register(lms: LiveLMS, platform: RunningPlatform, **overrides: str) -> Any:
    state = platform.state
    options = {
        "--name": "Test Canvas",
        "--issuer": state.issuer,
        "--client-id": state.client_id,
        "--auth-login-url": f"{platform.url}/auth",
        "--auth-token-url": f"{platform.url}/token",
        "--keyset-url": f"{platform.url}/jwks",
        "--deployment-id": state.deployment_id,
    } | overrides
    args = ["lms", "lti", "register"]
    for name, value in options.items():
        args += [name, value]
    return lms.app.test_cli_runner().invoke(args=args)


@pytest.fixture
def platform(lms_server: LiveLMS) -> Iterator[RunningPlatform]:
    """The test platform, registered with the LMS (`lms lti register`)."""
    with registered_platform(lms_server) as running:
        yield running


@contextmanager
def registered_platform(lms: LiveLMS) -> Iterator[RunningPlatform]:
    with run_platform(lms.url) as running:
        result = register(lms, running)
        assert result.exit_code == 0, result.output
        yield running


class Browser:
    """A person's browser: cookies, redirects, the platform's auto-posting form."""

    def __init__(self, lms: LiveLMS) -> None:
        self.lms = lms
        self.http = requests.Session()

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(urljoin(self.lms.url, path), timeout=30, **kwargs)

    def post(self, path: str, data: dict[str, Any], **kwargs: Any) -> requests.Response:
        token = self.csrf_token()
        return self.http.post(
            urljoin(self.lms.url, path), data={"csrf_token": token, **data}, timeout=30, **kwargs
        )

    def csrf_token(self) -> str:
        page = self.get("/").text
        match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
        assert match, page[:500]
        return match.group(1)

    def launch_form(self, platform: RunningPlatform, user: str, link: str) -> dict[str, str]:
        """Click the link in the platform up to the auto-posting form (not yet posted)."""
        page = self.http.get(
            f"{platform.url}/start", params={"user": user, "link": link}, timeout=30
        )
        assert page.status_code == 200, page.text[:1000]
        action = re.search(r'action="([^"]+)"', page.text)
        assert action, page.text[:1000]
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page.text))
        return {"action": action.group(1), **fields}

    def post_launch(self, form: dict[str, str], **changes: str) -> requests.Response:
        data = {k: v for k, v in form.items() if k != "action"} | changes
        return self.http.post(form["action"], data=data, timeout=30, allow_redirects=False)

    def launch(self, platform: RunningPlatform, user: str, link: str) -> requests.Response:
        """Click the link and land on the LMS page it opens."""
        response = self.post_launch(self.launch_form(platform, user, link))
        assert response.status_code == 302, response.text[:2000]
        return self.get(response.headers["Location"])


def read_lessons(lms: LiveLMS, sub: str, course_slug: str) -> None:
    """Mark the course's lessons read for the platform user (the quizzes come after)."""
    with lms.app.app_context():
        profile = profile_of(sub)
        lessons = session.scalars(
            sa.select(Lesson)
            .join(Course, Course.id == Lesson.course_id)
            .where(Course.slug == course_slug)
        )
        for lesson in lessons:
            session.add(
                LessonProgress(profile_id=profile.id, lesson_id=lesson.id, completed_at=utcnow())
            )
        session.commit()
        session.remove()


def profile_of(sub: str) -> Profile:
    profile = session.scalar(
        sa.select(Profile).join(LtiUser, LtiUser.profile_id == Profile.id).where(LtiUser.sub == sub)
    )
    assert profile is not None, sub
    return profile
