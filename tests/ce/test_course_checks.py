"""`lms courses check` holds credit-bearing courses to what an accreditor expects: a full
disclosure, honest hours, objectives each assessed, summative quizzes that keep their
answers; each problem reported at its file and line."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from lms.content.loader import check_courses
from tests.ce.conftest import CE_COURSES

COURSE = "course.yml"
FINAL = "m2/final.quiz.yml"
PRACTICE = "m1/practice.quiz.yml"


@pytest.fixture
def course(tmp_path: Path) -> Path:
    folder = tmp_path / "credit"
    shutil.copytree(CE_COURSES / "credit", folder)
    return folder


def edit(folder: Path, name: str, change: Callable[[str], str]) -> None:
    path = folder / name
    text = path.read_text()
    changed = change(text)
    assert changed != text, f"the edit of {name} changed nothing"
    path.write_text(changed)


def problems(folder: Path) -> list[str]:
    return [str(problem) for problem in check_courses(folder)]


def line_of(folder: Path, name: str, text: str) -> int:
    lines = (folder / name).read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def test_the_fixture_course_checks_clean(course: Path) -> None:
    assert problems(course) == []


def test_an_objective_no_question_assesses_is_reported_at_its_line(course: Path) -> None:
    for name in (FINAL,):
        edit(course, name, lambda t: t.replace("objective: safety", "objective: history"))
    [problem] = problems(course)
    where = f"{course / COURSE}:{line_of(course, COURSE, 'safety:')}"
    assert problem.startswith(f"{where}: objective 'safety' is not assessed by any question")


def test_a_question_tagged_with_an_unknown_objective_is_reported(course: Path) -> None:
    edit(course, PRACTICE, lambda t: t.replace("objective: history", "objective: histroy"))
    [problem] = problems(course)
    where = f"{course / PRACTICE}:{line_of(course, PRACTICE, 'histroy')}"
    assert problem.startswith(f"{where}: objective 'histroy' is not one of the course's")
    assert "did you mean 'history'?" in problem


def test_a_question_without_an_objective_is_reported(course: Path) -> None:
    edit(course, PRACTICE, lambda t: t.replace("    objective: history\n", ""))
    [problem] = problems(course)
    assert f"{course / PRACTICE}:" in problem and "question 'decade' has no objective" in problem


def test_inflated_hours_fail_with_how_the_time_was_counted(course: Path) -> None:
    edit(
        course,
        COURSE,
        lambda t: t.replace("ce_hours: 1\n", "ce_hours: 2\n").replace("amount: 1\n", "amount: 2\n"),
    )
    found = problems(course)
    [problem] = [p for p in found if "expected time" in p]
    where = f"{course / COURSE}:{line_of(course, COURSE, 'ce_hours: 2')}"
    assert problem.startswith(f"{where}: ce_hours is 2 but the course's expected time is 0.92 h")
    assert "reading 0 h at 200 words a minute" in problem and "more than 10% over" in problem


@pytest.mark.parametrize(
    ("name", "change", "message"),
    [
        (COURSE, lambda t: re.sub(r"^ce:\n(?:(?:  .*)?\n)+", "", t, flags=re.M),
         "the course gives 1 CE hours but has no 'ce' block"),
        (COURSE, lambda t: t.replace("expiry_date: 2099-12-31", "expiry_date: 2025-12-31"),
         "the expiry date (2025-12-31) is not after the release date (2026-01-01)"),
        (COURSE, lambda t: re.sub(r"  accreditation_statement: .*\n", "", t),
         "missing required key 'accreditation_statement' in 'ce'"),
        (COURSE, lambda t: t.replace("      amount: 1\n", "      amount: 1.5\n", 1),
         "Nursing contact hours: 1.5 is more than the course's ce_hours (1)"),
        (COURSE, lambda t: re.sub(r"      mitigation: .*\n", "", t),
         "Fay Faculty, PhD has relevant financial relationships but no mitigation"),
        (FINAL, lambda t: t.replace("feedback: after_passing", "feedback: after_each_attempt #"),
         "this summative quiz shows feedback (after_each_attempt) before the answers"),
        (FINAL, lambda t: t.replace("draw: 4", "draw: 9"),
         "draw is 9 but the quiz has only 8 questions"),
        (COURSE, lambda t: t.replace("  - references.md", "  - refs.md"),
         "page 'refs.md' does not exist"),
    ],
)  # fmt: skip
def test_disclosure_credit_and_summative_mistakes_are_reported(
    course: Path, name: str, change: Callable[[str], str], message: str
) -> None:
    edit(course, name, change)
    found = problems(course)
    assert any(message in problem and str(course / name) in problem for problem in found), found


def test_rubric_levels_must_describe_every_score(tmp_path: Path) -> None:
    shutil.copytree(CE_COURSES / "credit", tmp_path / "credit")
    quiz = tmp_path / "credit" / "m1" / "reflect.quiz.yml"
    quiz.write_text(
        """slug: reflect
title: "Reflect"
pass_mark: 50
questions:
  - slug: essay
    type: essay
    prompt: "Reflect."
    minutes: 20
    rubric:
      - criterion: Depth
        points: 2
        levels:
          0: "Nothing."
          2: "Deep."
    feedback: "Thanks."
    source: History
    objective: history
"""
    )
    edit(tmp_path / "credit", "m1/module.yml", lambda t: t + "  - reflect.quiz.yml\n")
    [problem] = problems(tmp_path / "credit")
    assert "the levels of 'Depth' do not match its points: no descriptor for 1" in problem
