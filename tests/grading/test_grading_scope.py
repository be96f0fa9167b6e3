"""Who may grade what: an instructor sees only their cohorts' (and their self-paced
courses') answers, everything else is 404 on every grading URL; learners get 403;
anonymous visitors sign in; every POST needs the CSRF token."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from lms.database import session
from lms.models import AnswerRevision, Grade
from lms.web import lms_url_for
from tests.conftest import lms_rules, post_form
from tests.grading.conftest import (
    World,
    client_for,
    grade_form,
    grade_url,
    hand_in,
    post_grade,
    text,
)

#: Who may use each grading URL. A new route without an entry here fails the test below.
POLICY = {
    "grading.queue": "instructors and admins (their scope only)",
    "grading.answer": "instructors and admins whose scope holds the answer",
    "grading.release": "instructors and admins whose scope holds the answer",
    "grading.return_answer": "instructors and admins whose scope holds the answer",
    "grading.release_quiz": "instructors and admins of the posted cohort (or course)",
    "grading.resubmit_answer": "the learner who owns the attempt",
    "grading.notification_list": "any signed-in person (their own)",
    "grading.notification_read": "the notification's owner",
    "grading.notifications_read_all": "any signed-in person (their own)",
}
STAFF = {endpoint for endpoint, policy in POLICY.items() if policy.startswith("instructors")}


def staff_urls(app: Flask, answer_id: int, quiz_id: int) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) of every teaching URL, filled with one answer's ids."""
    ids = {"answer_id": answer_id, "quiz_id": quiz_id}
    urls = []
    with app.test_request_context():
        for rule in lms_rules(app):
            if rule.endpoint not in STAFF:
                continue
            url = lms_url_for(rule.endpoint, **{name: ids[name] for name in rule.arguments})
            for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                urls.append((rule.endpoint, method, url))
    return urls


def test_every_grading_url_has_a_declared_policy(app: Flask) -> None:
    endpoints = {r.endpoint for r in lms_rules(app) if r.endpoint.startswith("grading.")}
    assert endpoints == set(POLICY)
    assert all(r.rule.startswith("/teach/grading") for r in lms_rules(app) if r.endpoint in STAFF)


def test_an_instructor_of_cohort_a_gets_404_on_every_url_of_cohort_b(
    app: Flask, world: World
) -> None:
    _a, ana_answer = hand_in(app, "ana@example.com")
    _b, ben_answer = hand_in(app, "ben@example.com")
    _s, sol_answer = hand_in(app, "sol@example.com")
    iris = client_for(app, "iris@example.com")
    assert iris.get(grade_url(ana_answer)).status_code == 200
    for other, cohort in ((ben_answer, str(world.cohort_b)), (sol_answer, "self-paced")):
        data = grade_form(app, other, version="0") | {"note": "Revise.", "cohort": cohort}
        urls = staff_urls(app, other, world.quiz_id)
        assert len(urls) == 6  # the queue, the screen (GET, POST), release, return, bulk
        for endpoint, method, url in urls:
            if endpoint == "grading.queue":
                continue
            if method == "GET":
                response = iris.get(url)
            else:
                response = post_form(iris, url, data, token_from="/teach/grading")
            assert response.status_code == 404, (method, url)
    queue = text(iris.get("/teach/grading"))
    assert "Ana Learner" in queue
    assert "Ben Learner" not in queue and "Sol Learner" not in queue
    # Nothing was written for the answers she may not grade.
    assert "Not graded" in text(client_for(app, "bo@example.com").get("/teach/grading"))
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Grade.id))) == 0
        assert session.scalar(sa.select(sa.func.count(AnswerRevision.id))) == 0


def test_a_course_instructor_grades_its_self_paced_learners_and_admins_grade_all(
    app: Flask, world: World
) -> None:
    _a, ana_answer = hand_in(app, "ana@example.com")
    _s, sol_answer = hand_in(app, "sol@example.com")
    sam = client_for(app, "sam@example.com")
    queue = text(sam.get("/teach/grading"))
    assert "Sol Learner" in queue and "Ana Learner" not in queue
    assert sam.get(grade_url(ana_answer)).status_code == 404
    assert post_grade(app, sam, sol_answer).status_code == 302

    admin_queue = text(client_for(app, "ada@example.com").get("/teach/grading"))
    assert "Sol Learner" in admin_queue and "Ana Learner" in admin_queue


def test_learners_get_403_and_anonymous_visitors_are_sent_to_sign_in(
    app: Flask, world: World
) -> None:
    _a, answer_id = hand_in(app, "ana@example.com")
    ana = client_for(app, "ana@example.com")
    data = grade_form(app, answer_id) | {"note": "Revise.", "cohort": str(world.cohort_a)}
    for _endpoint, method, url in staff_urls(app, answer_id, world.quiz_id):
        response = ana.get(url) if method == "GET" else post_form(ana, url, data)
        assert response.status_code == 403, (method, url)  # even her own answer

    anonymous = app.test_client()
    for url in ("/teach/grading", grade_url(answer_id), "/notifications"):
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert "/sign-in" in response.headers["Location"]


def test_unknown_and_absurd_ids_are_404_not_500(app: Flask, world: World) -> None:
    iris = client_for(app, "iris@example.com")
    for answer_id in (999_999, 2**31, 10**15):
        assert iris.get(grade_url(answer_id)).status_code == 404
        response = post_form(iris, f"{grade_url(answer_id)}/release", {"version": "1"})
        assert response.status_code == 404
    ana = client_for(app, "ana@example.com")
    response = post_form(ana, f"/attempts/{10**12}/answers/{10**12}/resubmit", {"response": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["", "/release", "/return"])
def test_a_post_without_the_csrf_token_is_refused(app: Flask, world: World, path: str) -> None:
    _a, answer_id = hand_in(app, "ana@example.com")
    iris = client_for(app, "iris@example.com")
    data = grade_form(app, answer_id) | {"note": "Please revise."}
    response = iris.post(grade_url(answer_id) + path, data=data)
    assert response.status_code == 400
    assert "reload the page" in text(response)
    page = text(iris.get(grade_url(answer_id)))
    assert "Not graded yet." in page and "Returned for revision" not in page


def test_other_csrf_protected_posts(app: Flask, world: World) -> None:
    attempt_id, answer_id = hand_in(app, "ana@example.com")
    iris = client_for(app, "iris@example.com")
    bulk = iris.post(f"/teach/grading/quizzes/{world.quiz_id}/release", data={"cohort": "1"})
    assert bulk.status_code == 400
    ana = client_for(app, "ana@example.com")
    resubmit = ana.post(
        f"/attempts/{attempt_id}/answers/{answer_id}/resubmit", data={"response": "x"}
    )
    assert resubmit.status_code == 400
    assert ana.post("/notifications/read").status_code == 400


def test_malformed_posts_are_4xx_never_500(app: Flask, world: World) -> None:
    attempt_id, answer_id = hand_in(app, "ana@example.com")
    iris = client_for(app, "iris@example.com")
    insight, care = (f"criterion-{key}" for key in _criteria(app, answer_id))
    variants: list[dict[str, str]] = [
        {},
        {"version": "x", "action": "publish"},
        {"version": "9" * 30, insight: "1", care: "1"},
        {"version": "0", insight: "∞", care: "½", "feedback": "\x00nul"},
        {"version": "0", insight: "1", care: "1", "feedback": "nul \x00 inside"},
        {"version": "0", insight: "1" * 5000, care: "1"},
        {"note": "\x00", "cohort": "\x00", "version": "-1"},
    ]
    urls = [
        grade_url(answer_id),
        f"{grade_url(answer_id)}/release",
        f"{grade_url(answer_id)}/return",
        f"/teach/grading/quizzes/{world.quiz_id}/release",
    ]
    for url in urls:
        for data in variants:
            response = post_form(iris, url, data, token_from="/teach/grading")
            assert 300 <= response.status_code < 500, (url, data, response.status_code)
    ana = client_for(app, "ana@example.com")
    resubmit = f"/attempts/{attempt_id}/answers/{answer_id}/resubmit"
    for data in ({}, {"response": "\x00" * 20}, {"response": "x" * 60_000}):
        response = post_form(ana, resubmit, data)
        assert 400 <= response.status_code < 500, data


def _criteria(app: Flask, answer_id: int) -> list[int]:
    from lms.models import Answer

    with app.app_context():
        answer = session.get(Answer, answer_id)
        assert answer is not None
        return [c.id for c in answer.question_version.rubric]
