"""Query budgets: the busiest pages run a fixed number of SQL queries, whatever the data.

Each page is requested on two databases seeded by `bench.seed` (the benchmark's own data:
both courses, cohorts with calendars, live sessions and attendance, reading progress,
graded and open attempts, essays with draft and released grades), one small and one
larger, and must run exactly as many queries on both, and no more than its budget. A page
that starts loading rows one at a time (an N+1) fails here, on SQLite and PostgreSQL.

Small: 5 learners, one cohort of 5. Large: 60 learners, two cohorts of 30. The learner
pages are measured as the learner with the fewest attempts (small) and the most (large);
the large pool learner has also submitted four attempts and started four new ones.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from bench.databases import fresh_database
from bench.seed import SeedInfo, seed
from lms.database import session
from lms.models import Attempt, Lesson, LessonProgress, Profile
from tests.conftest import (
    DATABASES,
    POSTGRES_URL,
    TEST_SECRET_KEY,
    count_queries,
    make_test_app,
    post_form,
)

SMALL, LARGE = 5, 60
COHORT_SIZE = 30

#: The queries each page runs (an upper bound: lower it when a page gets cheaper).
#: The cohort course has a course evaluation: pages that show progress ask once more for
#: the evaluations submitted (one query, whatever the number of learners).
BUDGETS = {  # no page above 12 statements (measured: 12, 11, 12, 5, 12, 11; autosave 10)
    # measured before the reading minimum is met: one look for an exemption; +1 evaluations
    "lesson": 12,
    "attempt": 12,  # +1 for a course with an evaluation: the learner's submissions
    "dashboard": 12,  # every course's rows in one batch each; "This week"; evaluations
    "autosave": 10,  # no outline: the attempt, the enrolment, questions, answers, writes
    "grading": 5,
    "roster": 12,
    "gradebook": 12,  # one page of learners, and the counts of all of them
}


def signed_in_with(app: Flask, email: str, password: str) -> FlaskClient:
    client = app.test_client()
    response = post_form(client, "/sign-in", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def learner_by_attempts(info: SeedInfo, most: bool) -> str:
    """The learner of the first cohort (taking both courses) with the fewest or most attempts."""
    attempts = sa.func.count(Attempt.id)
    email = session.scalar(
        sa.select(Profile.email)
        .outerjoin(Attempt, Attempt.profile_id == Profile.id)
        .where(Profile.email.in_(info.cohort_learners))
        .group_by(Profile.email)
        .order_by(attempts.desc() if most else attempts, Profile.email)
        .limit(1)
    )
    assert email is not None
    return email


def not_yet_read(email: str, lesson_path: str) -> None:
    """The learner has not yet spent the lesson's reading minimum on it, so its page also
    checks for a time exemption: the same page, whatever the seeded reading time."""
    slug = lesson_path.rstrip("/").rsplit("/", 1)[-1]
    profile_id = session.scalar(sa.select(Profile.id).where(Profile.email == email))
    lesson_ids = sa.select(Lesson.id).where(Lesson.slug == slug).scalar_subquery()
    session.execute(
        sa.update(LessonProgress)
        .where(LessonProgress.profile_id == profile_id, LessonProgress.lesson_id.in_(lesson_ids))
        .values(active_seconds=0)
    )
    session.commit()


def token(client: FlaskClient) -> str:
    found = re.search(r'csrf-token" content="([^"]+)"', client.get("/").get_data(as_text=True))
    assert found
    return found.group(1)


def measure(url: str, learners: int) -> dict[str, int]:
    """Seed `learners`, then count each page's queries (after a warm-up request)."""
    info = seed(url, learners, pool=1, cohort_size=COHORT_SIZE, secret_key=TEST_SECRET_KEY)
    app = make_test_app(url)
    try:
        large = learners == LARGE
        with app.app_context():
            learner_email = learner_by_attempts(info, most=large)
            not_yet_read(learner_email, info.lesson_paths[0])
        learner = signed_in_with(app, learner_email, info.password)
        pool = info.pool[0]
        taker = signed_in_with(app, pool.email, info.password)
        if large:  # more attempts, and graded ones, for the same learner
            csrf = token(taker)
            for attempt in pool.attempts[:4]:
                submitted = taker.post(
                    f"/attempts/{attempt['id']}/submit",
                    data={"csrf_token": csrf, "confirm": "yes"},
                )
                assert submitted.status_code == 302
                started = taker.post(
                    f"/courses/{info.self_paced_course}/quizzes/{attempt['quiz']}/attempts",
                    data={"csrf_token": csrf},
                )
                assert started.status_code == 302
        cohort = info.cohorts[0]
        instructor = signed_in_with(app, cohort["instructor"], info.password)
        pages = {
            "lesson": (learner, info.lesson_paths[0]),
            "attempt": (taker, f"/attempts/{pool.attempts[-1]['id']}"),
            "dashboard": (learner, "/dashboard"),
            "grading": (instructor, "/teach/grading"),
            "roster": (instructor, f"/teach/cohorts/{cohort['id']}/roster"),
            "gradebook": (instructor, f"/teach/cohorts/{cohort['id']}/gradebook"),
        }
        counts = {}
        for page, (client, path) in pages.items():
            counts[page] = count_queries(app, client, path)
        # Autosave, as quiz.js sends it (JSON), of the attempt page's attempt.
        counts["autosave"] = count_queries(
            app,
            taker,
            f"/attempts/{pool.attempts[-1]['id']}/answers",
            method="POST",
            data=pool.attempts[-1]["autosave"],
            content_type="application/json",
            headers={"X-CSRFToken": token(taker), "Accept": "application/json"},
        )
        return counts
    finally:
        with app.app_context():
            session.remove()
            app.extensions["sqlalchemy"].engine.dispose()


@pytest.fixture(scope="module", params=DATABASES)
def query_counts(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[int, int]]:
    """{page: (queries on the small data, queries on the large data)} on one database."""
    results = []
    for learners in (SMALL, LARGE):
        folder = tmp_path_factory.mktemp(f"budget-{request.param}-{learners}")
        with fresh_database(request.param, folder, POSTGRES_URL or "", "budget") as url:
            results.append(measure(url, learners))
    small, large = results
    return {page: (small[page], large[page]) for page in BUDGETS}


@pytest.mark.parametrize("page", list(BUDGETS))
def test_queries_do_not_grow_with_the_data(
    query_counts: dict[str, tuple[int, int]], page: str
) -> None:
    small, large = query_counts[page]
    assert small == large, f"{page}: {small} queries on small data, {large} on large data"


@pytest.mark.parametrize("page", list(BUDGETS))
def test_queries_stay_within_the_budget(
    query_counts: dict[str, tuple[int, int]], page: str
) -> None:
    _small, large = query_counts[page]
    assert large <= BUDGETS[page], f"{page}: {large} queries, budget {BUDGETS[page]}"
