"""Deep Linking 2.0: an instructor in the platform picks LMS content; the platform gets
signed content items (a quiz with a line item) and its learners' scores come back."""

from __future__ import annotations

import re

import requests
import sqlalchemy as sa

from lms.database import session
from lms.models import Course, Quiz
from tests.lti.conftest import SP_QUIZ, Browser, LiveLMS, read_lessons
from tests.lti.platform import INSTRUCTOR, LEARNER, Person, RunningPlatform
from tests.lti.test_scores import SP_RIGHT, send_scores, take_quiz


def deep_link_launch(browser: Browser, platform: RunningPlatform, user: str) -> requests.Response:
    page = browser.http.get(
        f"{platform.url}/deep-link/start",
        params={"user": user, "context": "course-101"},
        timeout=30,
    )
    assert page.status_code == 200, page.text[:500]
    action = re.search(r'action="([^"]+)"', page.text)
    assert action
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page.text))
    return browser.http.post(action.group(1), data=fields, timeout=30, allow_redirects=False)


def ids(lms: LiveLMS) -> tuple[int, int]:
    with lms.app.app_context():
        course_id = session.scalar(sa.select(Course.id).where(Course.slug == "sp"))
        quiz_id = session.scalar(sa.select(Quiz.id).where(Quiz.slug == "check"))
        session.remove()
    assert course_id and quiz_id
    return course_id, quiz_id


def test_instructor_adds_a_course_and_a_graded_quiz(
    lms_server: LiveLMS, platform: RunningPlatform
) -> None:
    platform.state.people["iris"] = Person("iris-sub", INSTRUCTOR, "Iris", "iris@school.example")
    platform.state.people["ana"] = Person("ana-sub", LEARNER, "Ana", "ana@school.example")
    teacher = Browser(lms_server)
    response = deep_link_launch(teacher, platform, "iris")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/lti/deep-link")
    picker = teacher.get("/lti/deep-link")
    assert picker.status_code == 200
    assert "Add to Test Canvas" in picker.text and "Self-paced basics" in picker.text

    course_id, quiz_id = ids(lms_server)
    empty = teacher.post("/lti/deep-link", {})
    assert empty.status_code == 400 and "Choose at least one item" in empty.text
    back = teacher.post("/lti/deep-link", {"item": [f"course:{course_id}", f"quiz:{quiz_id}"]})
    assert back.status_code == 200
    policy = back.headers["Content-Security-Policy"]
    assert f"form-action 'self' {platform.url}" in policy
    assert "script-src 'self'" in policy  # the rest of the policy stands
    action = re.search(r'id="lms-lti-return" method="post" action="([^"]+)"', back.text)
    jwt = re.search(r'name="JWT" value="([^"]+)"', back.text)
    assert action and jwt
    added = requests.post(
        action.group(1).replace("&amp;", "&"), data={"JWT": jwt.group(1)}, timeout=30
    )
    assert added.status_code == 200, added.text
    course_item, quiz_item = platform.state.deep_linked
    assert course_item["type"] == "ltiResourceLink"
    assert course_item["url"] == lms_server.url + "/courses/sp/"
    assert "lineItem" not in course_item
    assert quiz_item["url"] == lms_server.url + SP_QUIZ
    assert quiz_item["lineItem"]["scoreMaximum"] == 100
    # The picker's session ends with it.
    again = teacher.get("/lti/deep-link")
    assert again.status_code == 400 and "open this page from your platform" in again.text

    # A learner opens the new quiz link; her score lands in its line item.
    [quiz_link] = [k for k, link in platform.state.links.items() if link.graded]
    learner = Browser(lms_server)
    learner.launch(platform, "ana", quiz_link)
    read_lessons(lms_server, "ana-sub", "sp")
    take_quiz(learner, lms_server, SP_QUIZ, SP_RIGHT)
    assert send_scores(lms_server).exit_code == 0
    [score] = platform.scores(platform.state.links[quiz_link].id)
    assert (score["userId"], score["scoreGiven"]) == ("ana-sub", 100.0)


def test_learners_cannot_deep_link(lms_server: LiveLMS, platform: RunningPlatform) -> None:
    platform.state.people["ana"] = Person("ana-sub", LEARNER, "Ana", "ana@school.example")
    browser = Browser(lms_server)
    response = deep_link_launch(browser, platform, "ana")
    assert response.status_code == 403
    assert "Only the course&#39;s instructors can add" in response.text
    picker = browser.get("/lti/deep-link", allow_redirects=False)
    assert picker.status_code == 302 and "/sign-in" in picker.headers["Location"]
