"""Fixtures for the learner's journey: two small courses and signed-in learners."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.cohorts.service import create_cohort
from lms.database import session, utcnow
from lms.models import Cohort, Course, Enrolment, Profile
from tests.conftest import Users, post_form


@pytest.fixture
def nurse(users: Users, courses: None) -> str:
    users.create("nurse@example.com", name="Nadia Nurse")
    users.sign_in("nurse@example.com")
    return "nurse@example.com"


def profile_of(email: str) -> Profile:
    profile = session.scalar(sa.select(Profile).where(Profile.email == email))
    assert profile is not None
    return profile


def enrolment_of(email: str, course_slug: str) -> Enrolment:
    enrolment = session.scalar(
        sa.select(Enrolment)
        .join(Course, Enrolment.course_id == Course.id)
        .where(Enrolment.profile_id == profile_of(email).id, Course.slug == course_slug)
    )
    assert enrolment is not None
    return enrolment


def make_cohort(
    app: Flask,
    *,
    starts_on: date | None = None,
    capacity: int | None = 10,
    is_open: bool = True,
    name: str = "Spring cohort",
) -> tuple[int, str]:
    """A cohort of the `co` course; returns (id, invite code)."""
    with app.app_context():
        course = session.scalar(sa.select(Course).where(Course.slug == "co"))
        assert course is not None
        cohort = create_cohort(
            course,
            name,
            starts_on or utcnow().date(),
            capacity=capacity,
            is_open=is_open,
            timezone="Europe/London",
        )
        session.commit()
        assert cohort.invite_code
        return cohort.id, cohort.invite_code


def days_ago(days: int) -> date:
    return (utcnow() - timedelta(days=days)).date()


def cohort_by_id(cohort_id: int) -> Cohort:
    cohort = session.get(Cohort, cohort_id)
    assert cohort is not None
    return cohort


def read_module_one(client: FlaskClient) -> None:
    """In the self-paced course `sp`: mark module 1's two lessons complete."""
    for slug in ("lesson-one", "lesson-two"):
        post_form(client, f"/courses/sp/lessons/{slug}/complete", {})
