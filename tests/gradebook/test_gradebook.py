"""Gradebook, learner detail, CSV exports and question statistics, for instructors in scope."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session
from lms.gradebook.queries import PAGE_SIZE
from lms.learning.enrolment import join_cohort
from lms.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Cohort,
    Enrolment,
    Profile,
    Question,
    QuestionVersion,
    Quiz,
    Role,
)
from tests.conftest import Users, count_queries
from tests.learning.conftest import make_cohort


def add_learners(app: Flask, cohort_id: int, names: list[str]) -> list[int]:
    """Learners who joined the cohort; returns their profile ids."""
    ids = []
    with app.app_context():
        cohort = session.get(Cohort, cohort_id)
        assert cohort is not None
        for name in names:
            email = (
                name.lower().replace(" ", ".").replace("=", "x").replace("(", "").replace(")", "")
            )
            profile = Profile(user_id=f"u-{email}", email=f"{email}@example.com", display_name=name)
            session.add(profile)
            session.flush()
            join_cohort(profile, cohort)
            ids.append(profile.id)
        session.commit()
    return ids


def versions(quiz: Quiz) -> dict[str, QuestionVersion]:
    return {
        q.slug: q.versions[-1]
        for q in session.scalars(sa.select(Question).where(Question.quiz_id == quiz.id))
    }


def graded_attempt(
    profile_id: int, quiz: Quiz, picks: dict[str, Any], scores: dict[str, int]
) -> None:
    attempt = Attempt(
        quiz_id=quiz.id,
        profile_id=profile_id,
        number=1,
        status=AttemptStatus.GRADED,
        score=Decimal(sum(scores.values())),
        max_score=Decimal(3),
        passed=sum(scores.values()) >= 2,
    )
    for slug, version in versions(quiz).items():
        response = picks[slug]
        if isinstance(response, str):  # choice text -> id
            response = next(c.id for c in version.choices if c.text == response)
        elif isinstance(response, list):
            response = [next(c.id for c in version.choices if c.text == t) for t in response]
        attempt.answers.append(
            Answer(
                question_version_id=version.id,
                response=response,
                score=Decimal(scores[slug]),
                is_correct=bool(scores[slug]),
            )
        )
    session.add(attempt)


@pytest.fixture
def staffed(app: Flask, users: Users, courses: None) -> dict[str, Any]:
    """Cohort A taught by Iris, cohort B by Bo; four learners in A with graded attempts."""
    a_id, _ = make_cohort(app, name="Cohort A")
    b_id, _ = make_cohort(app, name="Cohort B")
    users.create("iris@example.com", role="instructor")
    users.create("bo@example.com", role="instructor")
    users.create("admin@example.com", role="admin")
    learners = add_learners(app, a_id, ["Lia One", "Lia Two", "Lia Three", "=HYPERLINK(evil)"])
    add_learners(app, b_id, ["Other Cohort Learner"])
    with app.app_context():
        staff = {
            p.email: p
            for p in session.scalars(sa.select(Profile).where(Profile.role != Role.LEARNER))
        }
        cohort_a, cohort_b = session.get(Cohort, a_id), session.get(Cohort, b_id)
        assert cohort_a is not None and cohort_b is not None
        cohort_a.instructors.append(staff["iris@example.com"])
        cohort_b.instructors.append(staff["bo@example.com"])
        quiz = session.scalar(sa.select(Quiz).where(Quiz.slug == "week-one-check"))
        assert quiz is not None
        # (picked answers, points scored) for decade (single), truth (true/false), pick (multiple)
        rows = [
            (("1960s", True, ["A", "B"]), (1, 1, 1)),
            (("1960s", False, ["A", "B"]), (1, 0, 1)),
            (("1990s", True, ["A", "C"]), (0, 1, 0)),
            (("1990s", False, ["C"]), (0, 0, 0)),
        ]
        slugs = ("decade", "truth", "pick")
        for profile_id, (picks, scores) in zip(learners, rows, strict=True):
            graded_attempt(
                profile_id,
                quiz,
                dict(zip(slugs, picks, strict=True)),
                dict(zip(slugs, scores, strict=True)),
            )
        session.commit()
    return {"a": a_id, "b": b_id, "learners": learners}


def sign_in_as(app: Flask, users: Users, email: str) -> FlaskClient:
    users.client = app.test_client()
    users.sign_in(email)
    return users.client


def test_gradebook_shows_each_learners_quiz_scores_and_progress(
    app: Flask, users: Users, staffed: dict[str, Any]
) -> None:
    client = sign_in_as(app, users, "iris@example.com")
    html = client.get(f"/teach/cohorts/{staffed['a']}/gradebook").get_data(as_text=True)
    assert "Lia One" in html and "100.0%" in html and "66.7%" in html and "33.3%" in html
    assert "Other Cohort Learner" not in html
    assert "=HYPERLINK(evil)" in html  # shown escaped in HTML; only CSV neutralises it


def test_csv_exports_are_excel_safe(app: Flask, users: Users, staffed: dict[str, Any]) -> None:
    client = sign_in_as(app, users, "iris@example.com")
    response = client.get(f"/teach/cohorts/{staffed['a']}/gradebook.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data(as_text=True)
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw.removeprefix("\ufeff"))))
    assert rows[0][:2] == ["Learner", "Email"]
    assert "Week one check (%)" in rows[0]
    names = [row[0] for row in rows[1:]]
    assert "'=HYPERLINK(evil)" in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    by_name = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_name["Lia One"]["Week one check (%)"] == "100.0"
    assert by_name["Lia One"]["Week one check status"] == "Passed"

    progress = client.get(f"/teach/cohorts/{staffed['a']}/progress.csv").get_data(as_text=True)
    header = next(csv.reader(io.StringIO(progress.removeprefix("\ufeff"))))
    assert header == ["Learner", "Email", "Complete (%)", "Week one", "Week two"]


def test_question_statistics_on_a_known_data_set(
    app: Flask, users: Users, staffed: dict[str, Any]
) -> None:
    from lms.gradebook.stats import item_statistics

    with app.app_context():
        quiz = session.scalar(sa.select(Quiz).where(Quiz.slug == "week-one-check"))
        assert quiz is not None
        stats = {s.version.question.slug: s for s in item_statistics(quiz)}
    # Worked by hand: item scores x and rest-of-test scores y over the four attempts.
    # decade: x=[1,1,0,0], y=[2,1,1,0] -> r = 1/sqrt(2); truth: x=[1,0,1,0], y=[2,2,0,0] -> r = 0.
    assert stats["decade"].responses == 4
    assert stats["decade"].facility == pytest.approx(0.5)
    assert stats["decade"].discrimination == pytest.approx(0.7071, abs=1e-4)
    assert stats["truth"].facility == pytest.approx(0.5)
    assert stats["truth"].discrimination == pytest.approx(0.0)
    assert stats["pick"].discrimination == pytest.approx(0.7071, abs=1e-4)
    picks = {c.text: (c.picked, c.share) for c in stats["pick"].choices}
    assert picks == {"A": (3, 0.75), "B": (2, 0.5), "C": (2, 0.5)}
    assert [(c.text, c.picked) for c in stats["decade"].choices] == [("1960s", 2), ("1990s", 2)]

    client = sign_in_as(app, users, "iris@example.com")
    page = client.get(f"/teach/cohorts/{staffed['a']}/quizzes/week-one-check/statistics")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "0.71" in html and "75%" in html


def test_learner_detail_shows_attempts_and_answers(
    app: Flask, users: Users, staffed: dict[str, Any]
) -> None:
    with app.app_context():
        enrolment = session.scalar(
            sa.select(Enrolment).where(Enrolment.profile_id == staffed["learners"][2])
        )
        assert enrolment is not None
        enrolment_id = enrolment.id
    client = sign_in_as(app, users, "iris@example.com")
    html = client.get(f"/teach/learners/{enrolment_id}").get_data(as_text=True)
    assert "Lia Three" in html and "Week one check: attempt 1" in html
    assert "1 of 3 points" in html


def test_instructors_only_see_their_own_cohorts(
    app: Flask, users: Users, staffed: dict[str, Any]
) -> None:
    with app.app_context():
        other = session.scalar(sa.select(Enrolment).join(Cohort).where(Cohort.id == staffed["b"]))
        assert other is not None
        other_enrolment = other.id
    b = staffed["b"]
    urls = [
        f"/teach/cohorts/{b}/gradebook",
        f"/teach/cohorts/{b}/gradebook.csv",
        f"/teach/cohorts/{b}/progress.csv",
        f"/teach/cohorts/{b}/quizzes/week-one-check/statistics",
        f"/teach/learners/{other_enrolment}",
        "/teach/courses/sp/gradebook",
        "/teach/courses/sp/gradebook.csv",
        "/teach/courses/sp/quizzes/check/statistics",
    ]
    iris = sign_in_as(app, users, "iris@example.com")
    for url in urls:
        assert iris.get(url).status_code == 404, url
    admin = sign_in_as(app, users, "admin@example.com")
    for url in urls:
        assert admin.get(url).status_code == 200, url
    users.create("learner@example.com")
    learner = sign_in_as(app, users, "learner@example.com")
    assert learner.get(f"/teach/cohorts/{staffed['a']}/gradebook").status_code == 403
    anonymous = app.test_client().get(f"/teach/cohorts/{staffed['a']}/gradebook")
    assert anonymous.status_code == 302


def test_gradebook_query_count_is_the_same_for_5_and_200_learners(
    app: Flask, users: Users, courses: None
) -> None:
    small, _ = make_cohort(app, name="Small")
    large, _ = make_cohort(app, name="Large", capacity=None)
    add_learners(app, small, [f"Small {n}" for n in range(5)])
    add_learners(app, large, [f"Large {n}" for n in range(200)])
    users.create("admin@example.com", role="admin")
    client = sign_in_as(app, users, "admin@example.com")
    counts = [count_queries(app, client, f"/teach/cohorts/{c}/gradebook") for c in (small, large)]
    assert counts[0] == counts[1]


def test_a_large_cohorts_gradebook_comes_in_pages_and_its_csv_has_everyone(
    app: Flask, users: Users, courses: None
) -> None:
    """50 learners a page, by name, with the counts of the whole cohort; the export is
    never paged."""
    cohort_id, _ = make_cohort(app, name="Large", capacity=None)
    names = [f"Learner {n:03d}" for n in range(PAGE_SIZE + 7)]
    learners = add_learners(app, cohort_id, names)
    with app.app_context():
        quiz = session.scalar(sa.select(Quiz).where(Quiz.slug == "week-one-check"))
        assert quiz is not None
        waiting = Attempt(
            quiz_id=quiz.id,
            profile_id=learners[-1],
            number=1,
            status=AttemptStatus.AWAITING_GRADING,
            max_score=Decimal(3),
        )
        session.add(waiting)
        session.commit()
    users.create("admin@example.com", role="admin")
    client = sign_in_as(app, users, "admin@example.com")
    url = f"/teach/cohorts/{cohort_id}/gradebook"

    first = client.get(url).get_data(as_text=True)
    assert f"{PAGE_SIZE + 7} learners · 0 completed the course · 1 with work awaiting" in first
    assert f"Learners 1\u2013{PAGE_SIZE} of {PAGE_SIZE + 7}, by name" in first
    assert "Learner 000" in first and f"Learner {PAGE_SIZE - 1:03d}" in first
    assert f"Learner {PAGE_SIZE:03d}" not in first
    assert "Page 1 of 2" in first and f'href="{url}?page=2"' in first

    second = client.get(f"{url}?page=2").get_data(as_text=True)
    assert f"Learner {PAGE_SIZE:03d}" in second and "Learner 000" not in second
    assert f'href="{url}?page=1"' in second and "Next →" not in second
    # Past the last page, or not a number: the last page, or the first.
    assert f"Learner {PAGE_SIZE + 6:03d}" in client.get(f"{url}?page=99").get_data(as_text=True)
    assert "Learner 000" in client.get(f"{url}?page=abc").get_data(as_text=True)

    exported = client.get(f"/teach/cohorts/{cohort_id}/gradebook.csv").get_data(as_text=True)
    assert sum(1 for name in names if name in exported) == len(names)
