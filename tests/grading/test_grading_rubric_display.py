"""Learners see their rubric: each criterion, its description and the points given, on the
review of their attempt and (for instructors) in their learner record, only once the
grade is released; with the course's level descriptors when it has them."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask import Flask

from lms.database import session
from lms.grading.rubric import RubricLine, criterion_levels
from lms.models import Enrolment
from tests.grading.conftest import World, client_for, hand_in, post_grade, text
from tests.grading.test_grading_release import grade_row


def rubric_text(page: str) -> str:
    found = re.search(r'<section class="lms-rubric-scores".*?</section>', page, re.S)
    assert found, "no rubric on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))).strip()


def test_the_rubric_shows_once_the_grade_is_released(app: Flask, world: World) -> None:
    attempt_id, answer_id = hand_in(app, "ana@example.com")
    iris = client_for(app, "iris@example.com")
    ana = client_for(app, "ana@example.com")
    post_grade(app, iris, answer_id, scores=("2", "1.5"), action="draft")
    draft = text(ana.get(f"/attempts/{attempt_id}/review"))
    assert "lms-rubric-scores" not in draft and "Shows insight." not in draft

    post_grade(app, iris, answer_id, scores=("2", "1.5"), action="release")
    review = rubric_text(text(ana.get(f"/attempts/{attempt_id}/review")))
    assert review == "Rubric scores Insight 2 of 3 points Shows insight. Care 1.5 of 2 points"

    # A regrade shows the new scores.
    post_grade(app, iris, answer_id, scores=("3", "2"), reason="Read again.")
    assert "Insight 3 of 3 points" in rubric_text(text(ana.get(f"/attempts/{attempt_id}/review")))
    grade = grade_row(app, answer_id)
    assert grade is not None and grade.score == Decimal(5)


def test_the_learner_record_shows_released_rubrics_only(app: Flask, world: World) -> None:
    _attempt, answer_id = hand_in(app, "ana@example.com")
    iris = client_for(app, "iris@example.com")
    with app.app_context():
        enrolment_id = session.scalar(
            sa.select(Enrolment.id).where(Enrolment.cohort_id == world.cohort_a)
        )
    record_url = f"/teach/learners/{enrolment_id}"
    post_grade(app, iris, answer_id, scores=("2", "1"), action="draft")
    record = text(iris.get(record_url))
    assert "lms-rubric-scores" not in record
    assert "is not released to the learner yet" in record
    assert f'href="/teach/grading/answers/{answer_id}"' in record

    post_grade(app, iris, answer_id, scores=("2", "1"), action="release")
    record = rubric_text(text(iris.get(record_url)))
    assert "Insight 2 of 3 points Shows insight." in record and "Care 1 of 2 points" in record


def criterion(levels: Any) -> Any:
    return SimpleNamespace(title="Self-awareness", description="", points=Decimal(3), levels=levels)


def test_level_descriptors_mark_the_level_reached() -> None:
    """Course files describe each score of a criterion (`levels: {0: "...", ...}`); JSON
    keeps the keys as text."""
    levels = criterion_levels(
        criterion({"0": "Not addressed", "1": "Names one", "2": "Traces them", "3": "Weighs them"}),
        Decimal(2),
    )
    assert [(str(x.score), x.description, x.reached) for x in levels] == [
        ("0", "Not addressed", False),
        ("1", "Names one", False),
        ("2", "Traces them", True),
        ("3", "Weighs them", False),
    ]
    # Half a point reaches no described level; a criterion without levels has none.
    assert not any(x.reached for x in criterion_levels(criterion({1: "a", 2: "b"}), Decimal("1.5")))
    assert criterion_levels(criterion(None), Decimal(1)) == []
    assert criterion_levels(SimpleNamespace(), Decimal(1)) == []


def test_the_rubric_shows_every_level_with_the_one_reached_marked(app: Flask) -> None:
    line = RubricLine(
        "Self-awareness",
        "Names associations and where they come from.",
        Decimal(2),
        Decimal(3),
        criterion_levels(criterion({"0": "Not addressed", "2": "Traces them"}), Decimal(2)),
    )
    with app.test_request_context():
        macro = app.jinja_env.get_template("lms/grading/_rubric.html").module.rubric_scores
        html = str(macro([line], "rubric-1"))
    assert '<h3 id="rubric-1">Rubric scores</h3>' in html
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
    assert shown == (
        "Rubric scores Self-awareness 2 of 3 points Names associations and where they come "
        "from. 0 points Not addressed 2 points Traces them (your level)"
    )
    assert '<li class="lms-rubric-reached">' in html
