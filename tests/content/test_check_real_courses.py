"""`lms courses check` holds the shipped self-paced course to its objectives and its hours:
on a copy of it, an objective no question assesses, a question tagged with an objective
the course does not have, and inflated CE hours are each reported at their file and line,
and the command fails."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner

from lms.resources import bundled_courses_dir

SLUG = "essentials-of-psychedelic-care"
CHECK = "05-contraindications/check.quiz.yml"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    folder = tmp_path / "courses" / SLUG
    shutil.copytree(bundled_courses_dir() / SLUG, folder)
    return folder


def check(gift_cli: FlaskCliRunner, folder: Path) -> tuple[int, list[str]]:
    result = gift_cli.invoke(args=["lms", "courses", "check", str(folder.parent)])
    return result.exit_code, result.output.splitlines()


def line_of(path: Path, pattern: str) -> int:
    lines = path.read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if re.search(pattern, line))


def test_the_shipped_course_checks_clean(gift_cli: FlaskCliRunner, copy: Path) -> None:
    code, output = check(gift_cli, copy)
    assert code == 0, output


def test_an_objective_no_question_assesses_is_reported_at_its_line(
    gift_cli: FlaskCliRunner, copy: Path
) -> None:
    for path in copy.rglob("*.quiz.yml"):
        path.write_text(path.read_text().replace("objective: limits", "objective: history"))
    code, output = check(gift_cli, copy)
    where = f"{copy / 'course.yml'}:{line_of(copy / 'course.yml', r'^  limits:')}"
    assert code == 1
    assert any(
        line.startswith(f"{where}: objective 'limits' is not assessed by any question")
        for line in output
    ), output


def test_a_question_tagged_with_an_unknown_objective_is_reported(
    gift_cli: FlaskCliRunner, copy: Path
) -> None:
    path = copy / CHECK
    path.write_text(path.read_text().replace("objective: limits", "objective: limit", 1))
    code, output = check(gift_cli, copy)
    where = f"{path}:{line_of(path, r'objective: limit$')}"
    assert code == 1
    [problem] = [line for line in output if line.startswith(where)]
    assert "objective 'limit' is not one of the course's objectives" in problem
    assert "did you mean 'limits'?" in problem


def test_inflated_hours_are_reported_at_the_ce_hours_line(
    gift_cli: FlaskCliRunner, copy: Path
) -> None:
    course = copy / "course.yml"
    course.write_text(course.read_text().replace("ce_hours: 2.5\n", "ce_hours: 4\n"))
    code, output = check(gift_cli, copy)
    where = f"{course}:{line_of(course, r'^ce_hours: 4$')}"
    assert code == 1
    [problem] = [line for line in output if line.startswith(where)]
    assert "ce_hours is 4 but the course's expected time is" in problem
    assert "more than 10% over" in problem
