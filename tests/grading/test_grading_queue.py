"""The grading queue: oldest first, filters with counts, the "next" flow, waiting_count,
and a fixed number of SQL queries whatever the number of answers."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask

from lms.database import session, utcnow
from lms.grading.queue import waiting_count
from lms.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Enrolment,
    EnrolmentStatus,
    Grade,
    Profile,
    QuestionType,
    QuestionVersion,
    Quiz,
)
from tests.conftest import count_queries, post_form
from tests.grading.conftest import (
    World,
    client_for,
    grade_url,
    hand_in,
    post_grade,
    profile_of,
    text,
)


def add_waiting(
    app: Flask,
    world: World,
    count: int,
    *,
    cohort_id: int | None,
    start: int = 0,
    submitted: datetime | None = None,
    drafts_every: int = 3,
) -> list[int]:
    """`count` learners with a submitted essay waiting (every `drafts_every`-th with a
    draft grade by Iris), inserted directly; the first submitted last. Returns answer ids."""
    base = submitted or utcnow() - timedelta(days=1)
    ids = []
    with app.app_context():
        quiz = session.get(Quiz, world.quiz_id)
        assert quiz is not None
        version = session.scalar(
            sa.select(QuestionVersion)
            .join(QuestionVersion.question)
            .where(QuestionVersion.type == QuestionType.ESSAY)
        )
        assert version is not None
        iris = profile_of("iris@example.com")
        for n in range(start, start + count):
            profile = Profile(
                user_id=f"bulk-{n}", email=f"bulk{n}@example.com", display_name=f"Bulk {n:03}"
            )
            session.add(profile)
            session.add(Enrolment(profile=profile, course_id=quiz.course_id, cohort_id=cohort_id))
            attempt = Attempt(
                quiz_id=quiz.id,
                profile=profile,
                number=1,
                status=AttemptStatus.AWAITING_GRADING,
                submitted_at=base - timedelta(minutes=n),
                max_score=version.points,
                layout=[{"version_id": version.id, "choice_ids": []}],
            )
            answer = Answer(question_version_id=version.id, response=f"Essay number {n}.")
            attempt.answers.append(answer)
            session.add(attempt)
            if drafts_every and n % drafts_every == 0:
                session.add(Grade(answer=answer, grader_id=iris.id, score=Decimal(2)))
            session.flush()
            ids.append(answer.id)
        session.commit()
    return ids


def row_names(page: str) -> list[str]:
    return re.findall(r'<th scope="row">([^<]+)</th>', page)


def test_the_queue_lists_waiting_essays_oldest_first_with_links(app: Flask, world: World) -> None:
    ids = add_waiting(app, world, 3, cohort_id=world.cohort_a, drafts_every=0)
    iris = client_for(app, "iris@example.com")
    page = text(iris.get("/teach/grading"))
    # Bulk 002 was submitted first (each one a minute before the previous).
    assert row_names(page) == ["Bulk 002", "Bulk 001", "Bulk 000"]
    assert "3 essay answers are waiting" in page
    for answer_id in ids:
        assert f'href="{grade_url(answer_id)}"' in page
    assert re.search(rf'<a class="lms-button" href="{grade_url(ids[2])}">Start grading', page)


def test_filters_narrow_the_queue_and_show_counts(app: Flask, world: World) -> None:
    add_waiting(app, world, 2, cohort_id=world.cohort_a, drafts_every=0)
    add_waiting(app, world, 3, cohort_id=world.cohort_b, start=10, drafts_every=0)
    add_waiting(app, world, 1, cohort_id=None, start=20, drafts_every=0)
    ada = client_for(app, "ada@example.com")
    page = text(ada.get("/teach/grading"))
    assert "6 essay answers are waiting" in page
    assert f'<option value="{world.cohort_a}">Cohort A (2)</option>' in page
    assert f'<option value="{world.cohort_b}">Cohort B (3)</option>' in page
    assert '<option value="self-paced">Self-paced learners (1)</option>' in page
    assert f'<option value="{world.quiz_id}">Knowledge check (A good course) (6)</option>' in page

    page = text(ada.get(f"/teach/grading?cohort={world.cohort_b}"))
    assert row_names(page) == ["Bulk 012", "Bulk 011", "Bulk 010"]
    assert "3 match the filters" in page
    assert f'<option value="{world.cohort_b}" selected>Cohort B (3)</option>' in page
    assert f'<option value="{world.quiz_id}">Knowledge check (A good course) (3)</option>' in page

    assert row_names(text(ada.get("/teach/grading?cohort=self-paced"))) == ["Bulk 020"]
    page = text(ada.get(f"/teach/grading?quiz={world.quiz_id}&course={world.course_id}"))
    assert len(row_names(page)) == 6
    with app.app_context():
        question_id = session.scalar(
            sa.select(QuestionVersion.question_id).where(QuestionVersion.type == QuestionType.ESSAY)
        )
    page = text(ada.get(f"/teach/grading?question={question_id}&cohort={world.cohort_a}"))
    assert row_names(page) == ["Bulk 001", "Bulk 000"]

    # Iris cannot filter her way into cohort B: the filter is ignored with a message.
    iris = client_for(app, "iris@example.com")
    for query in (f"cohort={world.cohort_b}", "quiz=99999", "course=2147483647"):
        response = iris.get(f"/teach/grading?{query}")
        assert response.status_code == 200
        page = text(response)
        assert "so the filter was ignored" in page
        assert row_names(page) == ["Bulk 001", "Bulk 000"]
    for query in ("cohort=abc", "quiz=-1", "question=99999999999", "course=%00", "page=x"):
        response = iris.get(f"/teach/grading?{query}")
        assert response.status_code == 200, query
        assert row_names(text(response)) == ["Bulk 001", "Bulk 000"]
    assert "is not valid, so it was ignored" in text(iris.get("/teach/grading?cohort=abc"))


def test_save_and_next_walks_the_queue_in_order_then_returns_to_it(
    app: Flask, world: World
) -> None:
    ids = add_waiting(app, world, 3, cohort_id=world.cohort_a, drafts_every=0)
    oldest_first = list(reversed(ids))
    iris = client_for(app, "iris@example.com")
    query = f"?cohort={world.cohort_a}"
    for current, following in itertools.pairwise(oldest_first):
        response = post_grade(app, iris, current, query=query, action="next")
        assert response.status_code == 302
        assert response.headers["Location"] == f"{grade_url(following)}{query}"
    last = post_grade(app, iris, oldest_first[-1], query=query, action="next")
    assert last.headers["Location"] == f"/teach/grading{query}"
    assert "That was the last answer waiting." in text(iris.get(last.headers["Location"]))
    page = text(iris.get("/teach/grading"))
    assert page.count('<span class="lms-status">Draft</span>') == 3
    assert "Release 3 draft grades" in page


def test_a_resubmitted_answer_counts_from_its_resubmission(app: Flask, world: World) -> None:
    ids = add_waiting(app, world, 2, cohort_id=world.cohort_a, drafts_every=0)
    with app.app_context():
        older = session.get(Answer, ids[1])
        assert older is not None
        older.revision, older.saved_at = 2, utcnow()
        session.commit()
    page = text(client_for(app, "iris@example.com").get("/teach/grading"))
    assert row_names(page) == ["Bulk 000", "Bulk 001"]
    assert "Revision 2" in page


def test_waiting_count_is_per_scope(app: Flask, world: World) -> None:
    add_waiting(app, world, 4, cohort_id=world.cohort_a)
    add_waiting(app, world, 2, cohort_id=None, start=10)
    with app.app_context():
        counts = {
            email: waiting_count(profile_of(email))
            for email in (
                "iris@example.com",
                "bo@example.com",
                "sam@example.com",
                "ada@example.com",
                "ana@example.com",
            )
        }
    assert counts == {
        "iris@example.com": 4,
        "bo@example.com": 0,
        "sam@example.com": 2,
        "ada@example.com": 6,
        "ana@example.com": 0,
    }


def test_released_returned_and_withdrawn_answers_leave_the_queue(app: Flask, world: World) -> None:
    _attempt, answer_id = hand_in(app, "ana@example.com")
    iris = client_for(app, "iris@example.com")
    assert "Ana Learner" in text(iris.get("/teach/grading"))
    post_grade(app, iris, answer_id, action="release")
    assert "Ana Learner" not in text(iris.get("/teach/grading"))

    hand_in(app, "ben@example.com")
    bo = client_for(app, "bo@example.com")
    assert "Ben Learner" in text(bo.get("/teach/grading"))
    with app.app_context():
        enrolment = session.scalar(
            sa.select(Enrolment).where(Enrolment.profile_id == profile_of("ben@example.com").id)
        )
        assert enrolment is not None
        enrolment.status = EnrolmentStatus.WITHDRAWN
        session.commit()
        assert waiting_count(profile_of("bo@example.com")) == 0
    assert "Nothing is waiting" in text(bo.get("/teach/grading"))


def test_the_queue_runs_the_same_number_of_queries_for_5_and_60_answers(
    app: Flask, world: World
) -> None:
    add_waiting(app, world, 5, cohort_id=world.cohort_a)
    iris = client_for(app, "iris@example.com")
    assert len(row_names(text(iris.get("/teach/grading")))) == 5
    few = count_queries(app, iris, "/teach/grading")
    add_waiting(app, world, 55, cohort_id=world.cohort_a, start=5)
    assert len(row_names(text(iris.get("/teach/grading")))) == 60
    many = count_queries(app, iris, "/teach/grading")
    assert few == many
    assert many <= 6, many
    filtered = f"/teach/grading?cohort={world.cohort_a}&quiz={world.quiz_id}"
    assert count_queries(app, iris, filtered) == many


def test_a_draft_can_be_released_from_the_queue(app: Flask, world: World) -> None:
    ids = add_waiting(app, world, 1, cohort_id=world.cohort_a, drafts_every=1)
    iris = client_for(app, "iris@example.com")
    page = text(iris.get("/teach/grading"))
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    response = post_form(
        iris,
        f"{grade_url(ids[0])}/release",
        {"version": version.group(1), "next": "/teach/grading"},
        token_from="/teach/grading",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/teach/grading"
    assert "Nothing is waiting" in text(iris.get("/teach/grading"))
    evil = post_form(
        iris, f"{grade_url(ids[0])}/release", {"version": "2", "next": "//evil.example"}
    )
    assert evil.status_code == 409  # already released, and never an open redirect
