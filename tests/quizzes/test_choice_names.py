"""Finding 2 (high): the correct choice was readable from the form.

Radio and checkbox values were database choice ids, numbered in course-file order, and
the courses listed the right choice first: picking the lowest value on every choice
question scored every choice point without reading. Now the page names questions and
choices with per-attempt opaque names, choice rows are stored in a random order, and
`lms courses check` warns when a quiz's right answers all sit in one position.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
import yaml
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from lms.database import session
from lms.models import Choice, QuestionVersion
from tests.quizzes.conftest import GOOD, RIGHT, autosave, keys, start, submit, text

ATTEMPTS = 60
VALUE = re.compile(
    r'<input type="(?:radio|checkbox)" name="(q[0-9a-f]+)" id="[^"]+"\s+value="([^"]+)"'
)


def page_values(html: str) -> dict[str, list[str]]:
    """Each choice question's field -> its values, in the order the page shows them."""
    found: dict[str, list[str]] = {}
    for field, value in VALUE.findall(html):
        found.setdefault(field, []).append(value)
    return found


def rank(value: str, values: list[str]) -> int:
    """Where `value` falls among `values` by magnitude (as a number, and so as text too)."""
    return sorted(values, key=lambda v: int(v, 16)).index(value)


def test_finding_2_the_right_choice_cannot_be_read_from_the_values(
    app: Flask, sync_quiz: Callable[..., None], learner: FlaskClient
) -> None:
    # The worst case: no shuffling, and the right answer first in the file.
    sync_quiz(essay=False, attempts=None, shuffle=False)
    with app.app_context():
        ids = {str(i) for i in session.scalars(sa.select(Choice.id))}
        ids |= {str(i) for i in session.scalars(sa.select(QuestionVersion.id))}
    single_ranks: Counter[int] = Counter()
    wrong_ranks: Counter[int] = Counter()  # the one wrong choice of "pick all that apply"
    lowest_pick_right = 0
    seen: dict[str, set[str]] = {}
    for _ in range(ATTEMPTS):
        attempt_id = start(learner)
        names = keys(app, attempt_id)
        values = page_values(text(learner.get(f"/attempts/{attempt_id}")))
        single, multiple = names["first-used"], names["pick-all"]
        assert values[single.field] == list(single.choices.values())
        for value in [v for vs in values.values() for v in vs if v not in ("true", "false")]:
            assert re.fullmatch(r"[0-9a-f]{16}", value) and value not in ids
        right = single.choices[RIGHT["first-used"][0]]
        single_ranks[rank(right, values[single.field])] += 1
        lowest_pick_right += rank(right, values[single.field]) == 0
        wrong_ranks[rank(multiple.choices["C"], values[multiple.field])] += 1
        for text_, value in single.choices.items():
            seen.setdefault(text_, set()).add(value)
        assert submit(learner, attempt_id).status_code == 302

    # Every attempt names each choice anew.
    assert all(len(values) == ATTEMPTS for values in seen.values())
    # The right choice's value is the lowest about half the time with two choices, as
    # chance has it; "always pick the lowest value" scores like guessing, not 100%.
    assert set(single_ranks) == {0, 1}
    assert 0.3 * ATTEMPTS < lowest_pick_right < 0.7 * ATTEMPTS, single_ranks
    # The wrong choice among three takes every rank, each about a third of the time.
    assert set(wrong_ranks) == {0, 1, 2}
    assert all(0.15 * ATTEMPTS < count < 0.55 * ATTEMPTS for count in wrong_ranks.values())


def test_finding_2_shuffled_the_right_choice_takes_every_position(
    app: Flask, sync_quiz: Callable[..., None], learner: FlaskClient
) -> None:
    sync_quiz(essay=False, attempts=None, shuffle=True)
    positions: Counter[int] = Counter()
    for _ in range(ATTEMPTS):
        attempt_id = start(learner)
        single = keys(app, attempt_id)["first-used"]
        values = page_values(text(learner.get(f"/attempts/{attempt_id}")))[single.field]
        positions[values.index(single.choices[RIGHT["first-used"][0]])] += 1
        assert submit(learner, attempt_id).status_code == 302
    assert set(positions) == {0, 1}
    assert all(0.2 * ATTEMPTS < count < 0.8 * ATTEMPTS for count in positions.values())


def test_finding_2_ids_and_other_attempts_names_are_refused(
    app: Flask, sync_quiz: Callable[..., None], learner: FlaskClient
) -> None:
    sync_quiz(essay=False, attempts=None)
    first = start(learner)
    first_names = keys(app, first)["first-used"]
    assert submit(learner, first).status_code == 302
    second = start(learner)
    names = keys(app, second)["first-used"]
    with app.app_context():
        choice_ids = list(session.scalars(sa.select(Choice.id)))
    for value, message in [
        (choice_ids[0], "Choose one of the listed answers."),
        (str(choice_ids[0]), "not one of this question's choices"),
        (next(iter(first_names.choices.values())), "not one of this question's choices"),
    ]:
        response = autosave(learner, second, {"answers": {names.key: value}})
        assert response.status_code == 400
        assert message in response.get_json()["error"]
        assert list(response.get_json()["errors"]) == [names.key]
    # A question named by another attempt's key, or by its id, is not in this attempt.
    for key in (first_names.key, str(choice_ids[0])):
        response = autosave(learner, second, {"answers": {key: None}})
        assert response.status_code == 400
        assert "not in this quiz" in response.get_json()["error"]


def many_questions_course(tmp_path: Path, count: int) -> Path:
    """The fixture course with a quiz of `count` questions, each with its key first."""
    course = tmp_path / "good"
    shutil.copytree(GOOD, course)
    path = course / "01-basics" / "check.quiz.yml"
    quiz = yaml.safe_load(path.read_text())
    quiz["questions"] = [
        {
            "slug": f"q{n}",
            "type": "single",
            "prompt": f"Question {n}?",
            "choices": [{"text": "Right", "correct": True}, {"text": "No"}, {"text": "Nor"}],
            "feedback": "Right.",
            "source": "History",
        }
        for n in range(count)
    ]
    path.write_text(yaml.safe_dump(quiz, sort_keys=False))
    return course


def test_finding_2_choice_ids_follow_neither_the_file_nor_the_key(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    course = many_questions_course(tmp_path, 30)
    result = runner.invoke(args=["lms", "courses", "sync", str(course)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        versions = list(session.scalars(sa.select(QuestionVersion)))
        assert len(versions) == 30
        in_file_order = lowest_is_right = 0
        for version in versions:
            assert [c.text for c in version.choices] == ["Right", "No", "Nor"]  # as shown
            ids = [c.id for c in version.choices]
            in_file_order += ids == sorted(ids)
            lowest_is_right += min(version.choices, key=lambda c: c.id).is_correct
    # By chance: in file order 1 time in 6, the right one lowest 1 time in 3.
    assert in_file_order < 15 and lowest_is_right < 20, (in_file_order, lowest_is_right)


def test_finding_2_courses_check_warns_when_the_key_always_sits_in_one_place(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    course = many_questions_course(tmp_path, 3)
    result = runner.invoke(args=["lms", "courses", "check", str(course)])
    assert result.exit_code == 0, result.output  # a warning, not a problem
    assert (
        "check.quiz.yml:17: warning: in all 3 choice questions of quiz 'basics-check' "
        "the right answer is the first choice"
    ) in result.output
    assert "1 course checked, no problems, 1 warning." in result.output

    # Right answers last (whatever the number of choices) are a pattern too.
    path = course / "01-basics" / "check.quiz.yml"
    quiz = yaml.safe_load(path.read_text())
    for question, extra in zip(quiz["questions"], ([], [{"text": "Also no"}], []), strict=True):
        question["choices"] = question["choices"][1:] + extra + question["choices"][:1]
    path.write_text(yaml.safe_dump(quiz, sort_keys=False))
    result = runner.invoke(args=["lms", "courses", "check", str(course)])
    assert "the right answer is the last choice" in result.output

    # Varied positions: no warning; nor for the courses shipped with the LMS.
    quiz["questions"][0]["choices"].reverse()
    path.write_text(yaml.safe_dump(quiz, sort_keys=False))
    for checked in (course, None):
        result = runner.invoke(
            args=["lms", "courses", "check", *([str(checked)] if checked else [])]
        )
        assert result.exit_code == 0, result.output
        assert "warning" not in result.output, result.output
