"""`lms courses import-gift`: tags and options, what `check` then says, refusals, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskCliRunner

from tests.content.conftest import (
    MODULE,
    draft_questions,
    drafts,
    reports,
    run_check,
    run_import,
    snapshot,
    write,
)

TWO = """// [tag:source=Safety] [tag:objective=know-risks] [tag:points=2]
::First one::Is it safe?{TRUE####It is, here.}

::Second::Pick one.{
  =right#Yes.
  ~wrong#No.
  ####Because.
}
"""


def test_tags_and_defaults_fill_in_what_gift_lacks(
    gift_cli: FlaskCliRunner, gift_course: Path, tmp_path: Path
) -> None:
    gift = write(tmp_path, TWO)
    result = run_import(gift_cli, gift, gift_course, "--source", "History", "--objective", "obj")
    assert result.exit_code == 0, result.output
    [path] = drafts(gift_course)
    assert path.name == "bank.quiz.yml"
    quiz = yaml.safe_load(path.read_text())
    assert (quiz["slug"], quiz["title"], quiz["pass_mark"]) == ("bank", "Bank", 70)
    first, second = quiz["questions"]
    assert first == {
        "slug": "first-one",
        "type": "true_false",
        "prompt": "Is it safe?",
        "points": 2,
        "answer": True,
        "feedback": "It is, here.",
        "source": "Safety",
        "objective": "know-risks",
    }
    assert (second["source"], second["objective"]) == ("History", "obj")
    assert second["choices"] == [
        {"text": "right", "correct": True, "feedback": "Yes."},
        {"text": "wrong", "feedback": "No."},
    ]
    assert "pass_mark 70" in result.output  # the defaults it chose are said
    module = (gift_course / MODULE / "module.yml").read_text()
    assert module.endswith("  - check.quiz.yml\n  - bank.quiz.yml\n")
    check = run_check(gift_cli, gift_course)
    assert "objective 'know-risks' is not one of the course's objectives" in check.output
    define_objectives(gift_course, ["know-risks", "obj"])
    check = run_check(gift_cli, gift_course)
    assert check.exit_code == 0, check.output
    gift = write(tmp_path, "// [tag:fred] [tag:source=Safety]\nQ?{T####F.}\n", "tags.gift")
    result = run_import(gift_cli, gift, gift_course)
    assert f"{gift}:2: note: Moodle tags not kept (quiz questions have none): fred" in (
        result.output
    )


def test_a_draft_without_source_fails_check_with_the_loaders_message(
    gift_cli: FlaskCliRunner, gift_course: Path, tmp_path: Path
) -> None:
    gift = write(tmp_path, "::Q one::Is it?{T####Because.}\n\n::Q two::Is it?{F####No.}\n")
    result = run_import(gift_cli, gift, gift_course)
    assert result.exit_code == 0, result.output
    assert "2 questions (lines 1, 3) have no source" in result.output
    [path] = drafts(gift_course)
    text = path.read_text()
    assert "# TODO source:" in text
    lines = text.splitlines()
    first = lines.index("  - slug: q-one") + 1
    check = run_check(gift_cli, gift_course)
    assert check.exit_code == 1
    assert f"{path}:{first}: missing required key 'source' in question 'q-one'" in check.output


def test_a_source_the_course_does_not_list(
    gift_cli: FlaskCliRunner, gift_course: Path, tmp_path: Path
) -> None:
    result = run_import(gift_cli, write(tmp_path, TWO), gift_course, "--source", "Histroy")
    assert result.exit_code == 1
    assert "--source 'Histroy' is not one of the course's sources (did you mean 'History'?)" in (
        result.output
    )
    gift = write(tmp_path, "// [tag:source=Safty]\nQ?{T####F.}\n")
    result = run_import(gift_cli, gift, gift_course)
    assert result.exit_code == 0
    assert f"{gift}:2: note: source 'Safty' is not one of the course's sources" in result.output
    check = run_check(gift_cli, gift_course)
    assert "source 'Safty' is not one of the course's sources" in check.output


def test_one_quiz_per_category_unless_quiz_is_given(
    gift_cli: FlaskCliRunner, gift_course: Path, tmp_path: Path
) -> None:
    gift = write(
        tmp_path,
        "Before?{T}\n\n$CATEGORY: $course$/top/Unit 1: Basics\n\nA?{T}\n\nA?{F}\n\n"
        "$CATEGORY: $course$/top/unit-2\n\nB?{T}\n",
    )
    assert run_import(gift_cli, gift, gift_course).exit_code == 0
    quizzes = {p.name: yaml.safe_load(p.read_text()) for p in drafts(gift_course)}
    assert {name: (q["title"], len(q["questions"])) for name, q in quizzes.items()} == {
        "bank.quiz.yml": ("Bank", 1),
        "unit-1-basics.quiz.yml": ("Unit 1: Basics", 2),
        "unit-2.quiz.yml": ("Unit 2", 1),
    }
    assert [q["slug"] for q in quizzes["unit-1-basics.quiz.yml"]["questions"]] == ["a", "a-2"]
    result = run_import(gift_cli, gift, gift_course, "--quiz", "all-of-it")
    assert result.exit_code == 0
    assert (
        len(yaml.safe_load((gift_course / MODULE / "all-of-it.quiz.yml").read_text())["questions"])
        == 4
    )


def test_a_module_yml_it_cannot_edit_safely_is_left_to_the_author(
    gift_cli: FlaskCliRunner, gift_course: Path, tmp_path: Path
) -> None:
    module = gift_course / MODULE / "module.yml"
    flow = "slug: basics\ntitle: Basics\nitems: [01-welcome.md, 02-session.md, check.quiz.yml]\n"
    module.write_text(flow)
    gift = write(tmp_path, "$CATEGORY: /\n\nQ?{T####F.}\n")
    result = run_import(gift_cli, gift, gift_course, "--source", "History")
    assert result.exit_code == 0, result.output
    assert f"Add '- bank.quiz.yml' to the items of {module} yourself" in result.output
    assert module.read_text() == flow
    assert [p.name for p in drafts(gift_course)] == ["bank.quiz.yml"]


def test_existing_files_and_slugs_are_not_overwritten_without_force(
    gift_cli: FlaskCliRunner, gift_course: Path, tmp_path: Path
) -> None:
    gift = write(tmp_path, TWO)
    assert run_import(gift_cli, gift, gift_course).exit_code == 0
    before = snapshot(gift_course)
    result = run_import(gift_cli, gift, gift_course)
    assert result.exit_code == 1
    assert "bank.quiz.yml exists (pass --force to replace it). Nothing was written." in (
        result.output
    )
    assert snapshot(gift_course) == before
    assert run_import(gift_cli, gift, gift_course, "--force").exit_code == 0
    assert (gift_course / MODULE / "module.yml").read_text().count("bank.quiz.yml") == 1
    result = run_import(gift_cli, gift, gift_course, "--quiz", "basics-check", "--force")
    assert result.exit_code == 1
    assert "Quiz slug 'basics-check' is already used by" in result.output
    assert snapshot(gift_course) == before


MIXED = "Fine?{T####Yes.}\n\nMatch.{=a -> 1 =b -> 2}\n\nGap {=x} here.\n"


def test_unsupported_questions_fail_the_import_or_are_skipped(
    gift_cli: FlaskCliRunner, gift_course: Path, tmp_path: Path
) -> None:
    gift = write(tmp_path, MIXED)
    before = snapshot(gift_course)
    result = run_import(gift_cli, gift, gift_course)
    assert result.exit_code == 1
    assert [line for line, _ in reports(result, gift, "unsupported")] == [3, 5]
    assert "2 questions use what the LMS does not support" in result.output
    assert snapshot(gift_course) == before
    result = run_import(gift_cli, gift, gift_course, "--unsupported", "skip")
    assert result.exit_code == 0, result.output
    assert [line for line, _ in reports(result, gift, "note") if _ == "question skipped"] == [3, 5]
    assert "Skipped 2 unsupported questions." in result.output
    assert [q["prompt"] for q in draft_questions(gift_course)] == ["Fine?"]


def test_a_syntax_error_fails_even_when_skipping(
    gift_cli: FlaskCliRunner, gift_course: Path, tmp_path: Path
) -> None:
    gift = write(tmp_path, MIXED + "\nBroken?{#abc}\n")
    before = snapshot(gift_course)
    result = run_import(gift_cli, gift, gift_course, "--unsupported", "skip")
    assert result.exit_code == 1
    assert f"{gift}:7: error: 'abc' is not a number" in result.output
    assert "1 error in" in result.output
    assert snapshot(gift_course) == before


BAD_FILES: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "{path}: error: the file is empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00", "{path}:3: error: the file is binary"),
    "latin-1": (b"Caf\xe9?{T}\n", "{path}:1: error: the file is not UTF-8"),
    "unbalanced": (
        b"Q?{T}\n\nOpen?{\n=a\n=b\n\nNext?{T}\n",
        "{path}:3: error: unbalanced braces: this '{{' is never closed",
    ),
    "unterminated comment": (
        b"Q?{T}\n\n/* a comment\nQ2?{T}\n",
        "{path}:3: error: the comment opened by '/*' is never closed",
    ),
}


@pytest.mark.parametrize("case", [*BAD_FILES, "50 MB"])
def test_bad_files_give_one_clear_error_and_write_nothing(
    gift_cli: FlaskCliRunner, gift_course: Path, tmp_path: Path, case: str
) -> None:
    if case == "50 MB":
        gift = tmp_path / "bank.gift"
        with gift.open("wb") as stream:
            stream.truncate(50 * 1024 * 1024)
        expected = f"{gift}: error: the file is 50.0 MB; a GIFT file may be at most 5 MB"
    else:
        data, expected = BAD_FILES[case]
        gift = write(tmp_path, data)
        expected = expected.format(path=gift)
    before = snapshot(gift_course)
    result = run_import(gift_cli, gift, gift_course)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a clean exit, never a traceback
    assert "Traceback" not in result.output
    [report] = [line for line in result.output.splitlines() if ": error: " in line]
    assert report.startswith(expected)
    assert "(hint: " in report
    assert result.output.rstrip().endswith("Nothing was written.")
    assert snapshot(gift_course) == before


def test_unknown_course_module_or_file(
    gift_cli: FlaskCliRunner, gift_course: Path, tmp_path: Path
) -> None:
    gift = write(tmp_path, TWO)
    args = ["lms", "courses", "import-gift", str(gift), "--courses", str(gift_course.parent)]
    result = gift_cli.invoke(args=[*args, "--course", "good-cours", "--module", "basics"])
    assert result.exit_code == 1
    assert "no course with slug 'good-cours'" in result.output
    assert "did you mean 'good-course'?" in result.output
    result = gift_cli.invoke(args=[*args, "--course", "good-course", "--module", "basic"])
    assert "course 'good-course' has no module with slug 'basic' (did you mean 'basics'?)" in (
        result.output
    )
    result = run_import(gift_cli, tmp_path / "missing.gift", gift_course)
    assert result.exit_code == 2
    assert "does not exist" in result.output


def define_objectives(course: Path, ids: list[str]) -> None:
    """Give the course these objectives, and tag its own quiz's questions with the first."""
    course_file = course / "course.yml"
    data = yaml.safe_load(course_file.read_text())
    data["objectives"] = {objective: f"Objective {objective}" for objective in ids}
    course_file.write_text(yaml.safe_dump(data, sort_keys=False))
    quiz_file = course / MODULE / "check.quiz.yml"
    quiz = yaml.safe_load(quiz_file.read_text())
    for question in quiz["questions"]:
        question.setdefault("objective", ids[0])
    quiz_file.write_text(yaml.safe_dump(quiz, sort_keys=False))
