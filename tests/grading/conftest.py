"""Fixtures for grading tests: the fixture course (its quiz has an essay with a two-criterion
rubric), two cohorts and a self-paced group with their instructors, and helpers to hand in
an essay as a learner and grade it as an instructor, all over HTTP."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from lms.cohorts.service import create_cohort
from lms.database import session, utcnow
from lms.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
    Profile,
    QuestionType,
    QuestionVersion,
    course_instructor,
)
from tests.conftest import Users, post_form
from tests.quizzes.conftest import RIGHT, as_form, keys, sign_in, start, submit, sync_course

#: An essay long enough for the quiz's 10-word minimum.
ESSAY = "I would listen closely, explain each step and keep the room calm and safe."

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "{{7*7}}",
]


@dataclass
class World:
    """Ids of what the `world` fixture made."""

    course_id: int
    quiz_id: int
    cohort_a: int
    cohort_b: int


def profile_of(email: str) -> Profile:
    profile = session.scalar(sa.select(Profile).where(Profile.email == email))
    assert profile is not None, email
    return profile


def enrol(email: str, course: Course, cohort_id: int | None) -> None:
    """Enrol (in a cohort or self-paced) with the course's lessons read."""
    profile = profile_of(email)
    session.add(Enrolment(profile=profile, course=course, cohort_id=cohort_id))
    for lesson in session.scalars(sa.select(Lesson).where(Lesson.course_id == course.id)):
        session.add(
            LessonProgress(profile_id=profile.id, lesson_id=lesson.id, completed_at=utcnow())
        )


@pytest.fixture
def world(app: Flask, users: Users, runner: FlaskCliRunner, tmp_path: Path) -> World:
    """Cohort A (learner Ana, instructor Iris), cohort B (learner Ben, instructor Bo),
    self-paced learner Sol (instructor Sam via course_instructor), and admin Ada."""
    sync_course(runner, tmp_path / "good")
    for email, role, name in [
        ("iris@example.com", "instructor", "Iris Instructor"),
        ("bo@example.com", "instructor", "Bo Instructor"),
        ("sam@example.com", "instructor", "Sam Selfpaced"),
        ("ada@example.com", "admin", "Ada Admin"),
        ("ana@example.com", "learner", "Ana Learner"),
        ("ben@example.com", "learner", "Ben Learner"),
        ("sol@example.com", "learner", "Sol Learner"),
    ]:
        users.create(email, role=role, name=name)
    with app.app_context():
        course = session.scalar(sa.select(Course).where(Course.slug == "good-course"))
        assert course is not None
        start_day = (utcnow() - timedelta(days=3)).date()
        cohort_a = create_cohort(
            course, "Cohort A", start_day, instructors=[profile_of("iris@example.com")]
        )
        cohort_b = create_cohort(
            course, "Cohort B", start_day, instructors=[profile_of("bo@example.com")]
        )
        session.execute(
            course_instructor.insert().values(
                course_id=course.id, profile_id=profile_of("sam@example.com").id
            )
        )
        enrol("ana@example.com", course, cohort_a.id)
        enrol("ben@example.com", course, cohort_b.id)
        enrol("sol@example.com", course, None)
        quiz_id = course.modules[0].quizzes[0].id
        session.commit()
        return World(course.id, quiz_id, cohort_a.id, cohort_b.id)


def client_for(app: Flask, email: str) -> FlaskClient:
    """A new browser, signed in as `email`."""
    client = app.test_client()
    sign_in(client, email)
    return client


def hand_in(app: Flask, email: str, essay: str = ESSAY) -> tuple[int, int]:
    """Take the quiz as the learner (everything right, this essay) and submit it over HTTP;
    returns (attempt id, essay answer id)."""
    client = client_for(app, email)
    attempt_id = start(client)
    data = as_form(keys(app, attempt_id), dict(RIGHT, reflect=essay))
    confirm = post_form(client, f"/attempts/{attempt_id}/submit", data)
    assert confirm.status_code == 200, confirm.get_data(as_text=True)
    done = submit(client, attempt_id)
    assert done.status_code == 302, done.get_data(as_text=True)
    return attempt_id, essay_answer_id(app, attempt_id)


def essay_answer_id(app: Flask, attempt_id: int) -> int:
    with app.app_context():
        answer_id = session.scalar(
            sa.select(Answer.id)
            .join(QuestionVersion, Answer.question_version_id == QuestionVersion.id)
            .where(Answer.attempt_id == attempt_id, QuestionVersion.type == QuestionType.ESSAY)
        )
        assert answer_id is not None
        return answer_id


def grade_url(answer_id: int) -> str:
    return f"/teach/grading/answers/{answer_id}"


def criterion_fields(app: Flask, answer_id: int) -> list[str]:
    """The grading form's score fields, in rubric order (Insight 0-3, Care 0-2)."""
    with app.app_context():
        answer = session.get(Answer, answer_id)
        assert answer is not None
        return [f"criterion-{c.id}" for c in answer.question_version.rubric]


def page_version(client: FlaskClient, answer_id: int) -> str:
    """The grade version the grading screen's form carries."""
    page = client.get(grade_url(answer_id)).get_data(as_text=True)
    match = re.search(r'name="version" value="(\d+)"', page)
    assert match, page
    return match.group(1)


def grade_form(
    app: Flask,
    answer_id: int,
    scores: tuple[str, str] = ("3", "1.5"),
    *,
    feedback: str = "Clear and kind.",
    action: str = "draft",
    version: str = "0",
    reason: str | None = None,
) -> dict[str, Any]:
    insight, care = criterion_fields(app, answer_id)
    data = {
        insight: scores[0],
        care: scores[1],
        "feedback": feedback,
        "action": action,
        "version": version,
    }
    if reason is not None:
        data["reason"] = reason
    return data


def post_grade(
    app: Flask, client: FlaskClient, answer_id: int, query: str = "", **options: Any
) -> Any:
    """Load the grading screen (for its version, unless given), then post the form."""
    if "version" not in options:
        options["version"] = page_version(client, answer_id)
    data = grade_form(app, answer_id, **options)
    return post_form(client, grade_url(answer_id) + query, data, token_from=grade_url(answer_id))


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def stored_attempt(
    app: Flask, attempt_id: int
) -> tuple[AttemptStatus, Decimal | None, bool | None]:
    with app.app_context():
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        return attempt.status, attempt.score, attempt.passed
