"""Every URL rule of the app, against every role, with another cohort's and another
learner's objects: the declared policy in lms/policies.py holds.

Anchors: learners reading others' answers (LifterLMS CVE-2021-24562), instructors
reaching other cohorts or promoting themselves (Moodle CVE-2020-14321).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.certificates.service import issue_certificate
from lms.database import session, utcnow
from lms.learning.enrolment import join_cohort
from lms.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Cohort,
    Course,
    CourseImage,
    CoursePage,
    Enrolment,
    Evaluation,
    EvaluationQuestion,
    LiveSession,
    Notification,
    Profile,
    Question,
    Quiz,
)
from lms.policies import POLICIES, Audience
from lms.web import lms_url_for
from tests.conftest import Users, csrf_token, lms_rules
from tests.learning.conftest import make_cohort

ROLES = ["anonymous", "stranger", "learner_b", "learner_a", "instructor_b", "instructor_a", "admin"]
UNTESTED_ENDPOINTS: set[str] = set()  # every LMS route is tested


@dataclass
class World:
    """Objects of cohort A (learner A, instructor A) seen by everyone else."""

    values: dict[str, Any]
    clients: dict[str, FlaskClient]


def essay_attempt(profile_id: int, quiz: Quiz) -> tuple[int, int]:
    question = session.scalars(sa.select(Question).where(Question.quiz_id == quiz.id)).one()
    version = question.versions[-1]
    attempt = Attempt(
        quiz_id=quiz.id,
        profile_id=profile_id,
        number=1,
        status=AttemptStatus.AWAITING_GRADING,
        submitted_at=utcnow(),
        max_score=Decimal(5),
        layout=[{"version_id": version.id, "choice_ids": []}],
    )
    attempt.answers.append(Answer(question_version_id=version.id, response="My reflection."))
    session.add(attempt)
    session.flush()
    return attempt.id, attempt.answers[0].id


def give_ce_credit(course: Course, enrolments: list[Enrolment]) -> None:
    """The course gets CE credit, an evaluation and a page; the learners have read its
    disclosure (so every CE route has something to show)."""
    course.ce = {
        "provider": "Provider",
        "accreditation_statement": "Statement.",
        "release_date": "2026-01-01",
        "expiry_date": "2099-01-01",
        "credits": [{"type": "Nursing contact hours", "amount": 2}],
        "planners": [{"name": "P", "role": "Planner", "relationships": "None"}],
    }
    module = course.modules[0]  # open now in both cohorts
    evaluation = Evaluation(course=course, module=module, slug="course-evaluation",
                            title="Evaluation", position=99, content_hash="x")  # fmt: skip
    evaluation.questions.append(
        EvaluationQuestion(slug="useful", position=0, type="likert", prompt="Useful?")
    )
    session.add(evaluation)
    session.add(CoursePage(course=course, slug="references", title="References",
                           body_html="<p>Refs</p>", content_hash="x"))  # fmt: skip
    for enrolment in enrolments:
        enrolment.disclosure_acknowledged_at = utcnow()
    session.flush()


@pytest.fixture
def world(app: Flask, users: Users, courses: None) -> World:
    a_id, _ = make_cohort(app, name="Cohort A")
    b_id, _ = make_cohort(app, name="Cohort B")
    for email, role in [
        ("stranger@example.com", "learner"),
        ("learner.a@example.com", "learner"),
        ("learner.b@example.com", "learner"),
        ("instructor.a@example.com", "instructor"),
        ("instructor.b@example.com", "instructor"),
        ("admin@example.com", "admin"),
    ]:
        users.create(email, role=role)
    with app.app_context():
        people = {p.email.split("@")[0]: p for p in session.scalars(sa.select(Profile))}
        cohort_a, cohort_b = session.get(Cohort, a_id), session.get(Cohort, b_id)
        assert cohort_a is not None and cohort_b is not None
        cohort_a.instructors.append(people["instructor.a"])
        cohort_b.instructors.append(people["instructor.b"])
        enrolment_a = join_cohort(people["learner.a"], cohort_a)
        enrolment_b = join_cohort(people["learner.b"], cohort_b)
        give_ce_credit(cohort_a.course, [enrolment_a, enrolment_b])
        reflection = session.scalar(sa.select(Quiz).where(Quiz.slug == "week-two-reflection"))
        assert reflection is not None
        _essay_attempt_id, answer_id = essay_attempt(people["learner.a"].id, reflection)
        check = session.scalar(sa.select(Quiz).where(Quiz.slug == "week-one-check"))
        assert check is not None
        attempt = Attempt(quiz_id=check.id, profile_id=people["learner.a"].id, number=1)
        session.add(attempt)
        session.flush()
        attempt_id = attempt.id  # an open attempt on a released quiz
        live = LiveSession(cohort=cohort_a, title="Circle", starts_at=utcnow(), duration_minutes=60)
        session.add(live)
        notification = Notification(profile_id=people["learner.a"].id, message="Hello")
        session.add(notification)
        session.flush()
        certificate = issue_certificate(enrolment_a)
        session.add(  # the course's picture, for its public address
            CourseImage(
                course_id=cohort_a.course_id,
                media_type="image/svg+xml",
                alt="A picture.",
                sha256="0" * 64,
                data=b'<svg xmlns="http://www.w3.org/2000/svg"/>',
            )
        )
        session.commit()
        values = {
            "slug": "co",
            "lesson_slug": "prework",
            "quiz_slug": "week-one-check",
            "attempt_id": attempt_id,
            "answer_id": answer_id,
            "cohort_id": a_id,
            "session_id": live.id,
            "enrolment_id": enrolment_a.id,
            "profile_id": people["instructor.a"].id,
            "quiz_id": reflection.id,
            "code": certificate.code,
            "token": "not-a-real-token",
            "notification_id": notification.id,
            "job_id": 1,  # whether or not it exists: only admins get past the role check
            "filename": "lms.css",
            "evaluation_slug": "course-evaluation",
            "page_slug": "references",
            "kind": "csv",
            "list_id": "1",
        }
    clients = {"anonymous": app.test_client()}
    for role in ROLES[1:]:
        users.client = app.test_client()
        users.sign_in(role.replace("_", ".") + "@example.com")
        clients[role] = users.client
    return World(values, clients)


def allowed_roles(audience: Audience) -> set[str]:
    return {
        Audience.PUBLIC: set(ROLES),
        Audience.SIGNED_IN: set(ROLES) - {"anonymous"},
        # Enrolled in the course of the URL: learners of either cohort (same course).
        Audience.ENROLLED: {"learner_a", "learner_b"},
        Audience.OWNER: {"learner_a"},
        Audience.TEACHING: {"instructor_a", "instructor_b", "admin"},
        Audience.STAFF: {"instructor_a", "admin"},
        Audience.ADMIN: {"admin"},
    }[audience]


def test_every_route_declares_who_may_use_it(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in lms_rules(app)} - UNTESTED_ENDPOINTS
    missing = endpoints - set(POLICIES)
    assert not missing, f"declare a policy in lms/policies.py for: {sorted(missing)}"
    assert not set(POLICIES) - endpoints, "policies for routes that no longer exist"


def test_every_route_against_every_role(app: Flask, world: World) -> None:
    failures = []
    rules = sorted(lms_rules(app), key=lambda r: r.endpoint)
    for rule in rules:
        if rule.endpoint in UNTESTED_ENDPOINTS:
            continue
        audience = POLICIES[rule.endpoint]
        allowed = allowed_roles(audience)
        with app.test_request_context():
            url = lms_url_for(rule.endpoint, **{k: world.values[k] for k in rule.arguments})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for role in ROLES:
                if method == "POST" and role in allowed:
                    continue  # allowed writes are covered by each feature's own tests
                client = world.clients[role]
                if method == "GET":
                    response = client.get(url)
                else:
                    response = client.post(url, data={"csrf_token": csrf_token(client)})
                status = response.status_code
                response.close()
                problem = judge(role, allowed, status, response.headers.get("Location", ""))
                if problem:
                    failures.append(f"{method} {url} as {role} ({audience}): {status} {problem}")
    assert not failures, "\n".join(failures)


def judge(role: str, allowed: set[str], status: int, location: str) -> str | None:
    if status >= 500:
        return "server error"
    sent_to_sign_in = status == 302 and "/sign-in" in location
    if role in allowed:
        if status in (401, 403) or sent_to_sign_in:
            return "refused someone the policy allows"
        return None
    if role == "anonymous":
        return None if sent_to_sign_in or status == 401 else "anonymous not sent to sign in"
    if status in (403, 404):
        return None
    return "allowed someone the policy refuses"


def test_every_post_route_refuses_a_request_without_a_csrf_token(app: Flask, world: World) -> None:
    """Including JSON and autosave endpoints (CSRF on grading: Moodle CVE-2014-0213)."""
    failures = []
    for rule in lms_rules(app):
        if "POST" not in (rule.methods or set()):
            continue
        with app.test_request_context():
            url = lms_url_for(rule.endpoint, **{k: world.values[k] for k in rule.arguments})
        allowed = allowed_roles(POLICIES[rule.endpoint]) - {"anonymous"}
        role = "admin" if "admin" in allowed else sorted(allowed)[0]
        for kwargs in ({"data": {}}, {"json": {}}):
            response = world.clients[role].post(url, **kwargs)
            if response.status_code != 400:
                failures.append(f"POST {url} as {role} without a token: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_no_get_request_changes_the_database(app: Flask, world: World) -> None:
    def snapshot() -> dict[str, list[Any]]:
        from lms.database import Base

        with app.app_context():
            return {
                table.name: sorted(map(tuple, session.execute(sa.select(table)).all()), key=repr)
                for table in Base.metadata.sorted_tables
            }

    before = snapshot()
    for rule in lms_rules(app):
        if "GET" not in (rule.methods or set()) or rule.endpoint in UNTESTED_ENDPOINTS:
            continue
        with app.test_request_context():
            url = lms_url_for(rule.endpoint, **{k: world.values[k] for k in rule.arguments})
        for client in world.clients.values():
            client.get(url).close()
    assert snapshot() == before
