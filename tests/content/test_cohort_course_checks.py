"""`lms courses check` on copies of the revised cohort course: it checks clean, and it
fails, at the file and line, when an outcome is left unassessed, a question names an
outcome that does not exist, or the live or home-study credit is inflated."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner

from lms.resources import bundled_courses_dir
from tests.content.conftest import run_check

SLUG = "relational-psychedelic-assisted-therapy"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    folder = tmp_path / SLUG
    shutil.copytree(bundled_courses_dir() / SLUG, folder)
    return folder


def line_of(path: Path, text: str) -> int:
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_the_course_checks_clean(gift_cli: FlaskCliRunner, copy: Path) -> None:
    result = run_check(gift_cli, copy)
    assert result.exit_code == 0, result.output


def test_an_unassessed_outcome_is_reported_at_its_line(
    gift_cli: FlaskCliRunner, copy: Path
) -> None:
    # every question on course-of-treatment now names preparation instead
    for quiz in copy.rglob("*.quiz.yml"):
        text = quiz.read_text()
        quiz.write_text(text.replace("objective: course-of-treatment", "objective: preparation"))
    result = run_check(gift_cli, copy)
    assert result.exit_code != 0
    course = copy / "course.yml"
    where = f"{course}:{line_of(course, '  course-of-treatment:')}"
    assert f"{where}: objective 'course-of-treatment' is not assessed by any question" in (
        result.output
    )


def test_an_unknown_outcome_is_reported_at_the_question(
    gift_cli: FlaskCliRunner, copy: Path
) -> None:
    quiz = copy / "week-1-foundations" / "check.quiz.yml"
    text = quiz.read_text()
    quiz.write_text(text.replace("objective: safety-and-scope", "objective: safety-scope", 1))
    result = run_check(gift_cli, copy)
    assert result.exit_code != 0
    where = f"{quiz}:{line_of(quiz, 'objective: safety-scope')}"
    assert f"{where}: objective 'safety-scope' is not one of the course's objectives" in (
        result.output
    )
    assert "did you mean 'safety-and-scope'?" in result.output


@pytest.mark.parametrize(
    ("key", "claimed", "what"),
    [
        ("live_hours", 9, "live-session time"),
        ("home_study_hours", 7, "home-study time"),
    ],
)
def test_inflated_live_or_home_study_hours_fail(
    gift_cli: FlaskCliRunner, copy: Path, key: str, claimed: float, what: str
) -> None:
    course = copy / "course.yml"
    text = course.read_text()
    old = re.search(rf"^  {key}: .*$", text, re.MULTILINE)
    assert old is not None
    total = 7.5 + 5.5 - float(old.group(0).split(":")[1]) + claimed
    text = text.replace(old.group(0), f"  {key}: {claimed}")
    text = re.sub(r"^ce_hours: .*$", f"ce_hours: {total:g}", text, flags=re.MULTILINE)
    text = re.sub(r"^      amount: .*$", f"      amount: {total:g}", text, flags=re.MULTILINE)
    course.write_text(text)
    result = run_check(gift_cli, copy)
    assert result.exit_code != 0
    where = f"{course}:{line_of(course, f'  {key}: {claimed}')}"
    assert f"{where}: {key} is {claimed} but the course's {what} is" in result.output
