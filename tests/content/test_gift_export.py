"""`lms courses export-gift`, and the two real courses through GIFT and back.

What GIFT does not carry (see courses/README.md, "Importing and exporting GIFT"): quiz
settings, essay rubrics, word limits and writing time, blanks at the start and end of texts.
Everything
else of every question comes back equal.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask.testing import FlaskCliRunner

from lms.content.loader import QuizSource, load_courses
from lms.resources import bundled_courses_dir
from tests.content.conftest import run_check, snapshot

COURSES = bundled_courses_dir()
NOT_CARRIED = ("rubric", "min_words", "max_words", "minutes")


def export(cli: FlaskCliRunner, root: Path, course: str, *options: str) -> str:
    args = ["lms", "courses", "export-gift", course, "--courses", str(root), *options]
    result = cli.invoke(args=args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_export_to_stdout_or_a_file(gift_cli: FlaskCliRunner, gift_course: Path) -> None:
    root = gift_course.parent
    text = export(gift_cli, root, "good-course")
    assert text.startswith("// GIFT export of course good-course by `lms courses export-gift`.")
    assert "$CATEGORY: $course$/top/basics-check\n" in text
    assert "// [tag:source=History]\n::first-used::[plain]Since which decade" in text
    out = gift_course.parent / "out.gift"
    result = gift_cli.invoke(
        args=[
            "lms",
            "courses",
            "export-gift",
            "good-course",
            "--courses",
            str(root),
            "-o",
            str(out),
        ]
    )
    assert result.exit_code == 0
    assert out.read_text() == text
    assert "note: basics-check/reflect: rubric not carried" in result.output
    assert export(gift_cli, root, "good-course", "--quiz", "basics-check") == text
    nowhere = root / "missing" / "out.gift"
    command = ["lms", "courses", "export-gift", "good-course", "--courses", str(root)]
    result = gift_cli.invoke(args=[*command, "-o", str(nowhere)])
    assert result.exit_code == 1
    assert f"Cannot write {nowhere}: No such file or directory." in result.output


def test_export_refuses_what_it_cannot_find_or_check(
    gift_cli: FlaskCliRunner, gift_course: Path
) -> None:
    root = gift_course.parent
    base = ["lms", "courses", "export-gift", "--courses", str(root)]
    result = gift_cli.invoke(args=[*base, "good-course", "--quiz", "basics-chek"])
    assert result.exit_code == 1
    assert "has no quiz 'basics-chek' (did you mean 'basics-check'?)" in result.output
    result = gift_cli.invoke(args=[*base, "nope"])
    assert result.exit_code == 1
    assert "no course with slug 'nope'" in result.output
    quiz = gift_course / "01-basics" / "check.quiz.yml"
    quiz.write_text(quiz.read_text().replace("pass_mark: 75", "pass_mark: 750"))
    result = gift_cli.invoke(args=[*base, "good-course"])
    assert result.exit_code == 1
    assert "'pass_mark' must be at most 100, not 750" in result.output
    assert "has problems; fix them first" in result.output
    assert "Traceback" not in result.output


def blank_course(root: Path, original: Path) -> Path:
    """An empty course with the original's slug, sources and objectives (which the imported
    questions' tags name), and one module 'inbox'."""
    spec = yaml.safe_load((original / "course.yml").read_text())
    folder = root / "target"
    (folder / "inbox").mkdir(parents=True)
    keys = ("slug", "title", "track", "audience", "summary", "sources", "objectives")
    course = {k: spec[k] for k in keys if k in spec}
    course |= {"estimated_hours": 1, "ce_hours": 0, "disclaimer": "x", "modules": ["inbox"]}
    (folder / "course.yml").write_text(yaml.safe_dump(course))
    module = {"slug": "inbox", "title": "Inbox", "items": ["01-intro.md"]}
    (folder / "inbox" / "module.yml").write_text(yaml.safe_dump(module))
    (folder / "inbox" / "01-intro.md").write_text(
        "---\ntitle: Intro\nslug: intro\nminutes: 1\nobjectives:\n  - Read.\n---\nHello.\n"
    )
    return folder


def comparable(question: dict[str, Any]) -> dict[str, Any]:
    """A question as GIFT carries it, with the schema's defaults filled in: without what
    GIFT does not carry, and with blanks at the ends of texts trimmed."""
    out = {k: v for k, v in question.items() if k not in NOT_CARRIED and v is not None}
    if out["type"] == "essay":
        out.pop("points", None)  # an essay is worth its rubric's total
    else:
        out.setdefault("points", 1)
    if out["type"] == "numeric":
        out.setdefault("tolerance", 0)
    if "choices" in out:
        out["choices"] = [
            {"text": c["text"], "correct": c.get("correct", False), "feedback": c.get("feedback")}
            for c in out["choices"]
        ]
    for key in ("prompt", "feedback"):
        out[key] = out[key].strip()
    return out


@pytest.mark.parametrize(
    "name", ["essentials-of-psychedelic-care", "relational-psychedelic-assisted-therapy"]
)
def test_the_real_courses_go_through_gift_and_come_back(
    gift_cli: FlaskCliRunner, tmp_path: Path, name: str
) -> None:
    [source] = load_courses(COURSES / name).courses
    originals = {
        item.quiz.slug: item.quiz
        for module in source.modules
        for item in module.items
        if isinstance(item, QuizSource)
    }
    first = export(gift_cli, COURSES, name)
    gift = tmp_path / "course.gift"
    gift.write_text(first, encoding="utf-8")

    root = tmp_path / "courses"
    target = blank_course(root, COURSES / name)
    result = gift_cli.invoke(
        args=[
            *("lms", "courses", "import-gift", str(gift), "--course", source.course.slug),
            *("--module", "inbox", "--courses", str(root)),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "unsupported" not in result.output and ": error:" not in result.output

    drafts = {p.name: p for p in (target / "inbox").glob("*.quiz.yml")}
    assert sorted(drafts) == sorted(f"{slug}.quiz.yml" for slug in originals)
    for slug, quiz in originals.items():
        imported = yaml.safe_load(drafts[f"{slug}.quiz.yml"].read_text())["questions"]
        expected = [q.model_dump(mode="json") for q in quiz.questions]
        assert [comparable(q) for q in imported] == [comparable(q) for q in expected]

    # check reports exactly what GIFT could not carry: each essay's rubric
    essays = [
        q
        for path in drafts.values()
        for q in yaml.safe_load(path.read_text())["questions"]
        if q["type"] == "essay"
    ]
    check = run_check(gift_cli, target)
    missing = [line for line in check.output.splitlines() if "missing required key" in line]
    assert len(missing) == len(essays)
    assert all("missing required key 'rubric'" in line for line in missing)

    # the author restores the rubrics; the course checks, and exports to the same bytes
    for path in drafts.values():
        quiz = yaml.safe_load(path.read_text())
        original = {q.slug: q for q in originals[quiz["slug"]].questions}
        for question in quiz["questions"]:
            if question["type"] == "essay":
                dumped = original[question["slug"]].model_dump(exclude_none=True)
                question.update({k: dumped[k] for k in NOT_CARRIED if k in dumped})
        path.write_text(yaml.safe_dump(quiz, sort_keys=False, allow_unicode=True))
    checked = run_check(gift_cli, target)
    assert checked.exit_code == 0, checked.output
    before = snapshot(target)
    assert export(gift_cli, root, source.course.slug) == first
    assert snapshot(target) == before


def test_the_real_courses_are_untouched(gift_cli: FlaskCliRunner, tmp_path: Path) -> None:
    """Exporting reads the course files and writes only where it is told to."""
    copy = tmp_path / "courses"
    shutil.copytree(COURSES, copy)
    before = snapshot(copy)
    export(gift_cli, copy, "essentials-of-psychedelic-care")
    assert snapshot(copy) == before
