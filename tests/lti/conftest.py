"""LTI tests: the LMS served on 127.0.0.1 and the test platform (tests/lti/platform.py)
on localhost, each a real server thread; people are `requests` sessions that follow the
redirects and submit the platform's auto-posting form as a browser does."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
import sqlalchemy as sa
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from lms import migrate
from lms.content.loader import load_courses
from lms.content.sync import sync_courses
from lms.database import session, utcnow
from lms.models import Course, Lesson, LessonProgress, LtiUser, Profile
from tests.conftest import LEARNING_COURSES, make_test_app
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


@pytest.fixture
def lms_server(empty_database_url: str, tmp_path: Path) -> Iterator[LiveLMS]:
    courses = tmp_path / "courses"
    for source in (LEARNING_COURSES / "selfpaced", LEARNING_COURSES / "cohort", GOOD):
        shutil.copytree(source, courses / source.name)
    app = make_test_app(empty_database_url)
    with app.app_context():
        migrate.upgrade()
        result = load_courses(courses)
        assert result.ok, result.problems
        sync_courses(result.courses)
        session.commit()
        session.remove()
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["LMS_BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveLMS(app, url)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            session.remove()
            app.extensions["sqlalchemy"].engine.dispose()


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
    with run_platform(lms_server.url) as running:
        result = register(lms_server, running)
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
