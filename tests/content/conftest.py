"""Helpers for the GIFT command tests: a CLI runner, a course to import into, and ways
to run the commands and read what they wrote."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from flask.testing import FlaskCliRunner

from tests.conftest import make_test_app

GOOD_COURSE = Path(__file__).resolve().parents[1] / "fixtures" / "courses" / "good"
MODULE = "01-basics"


@pytest.fixture(scope="module")
def gift_cli(tmp_path_factory: pytest.TempPathFactory) -> FlaskCliRunner:
    """The commands never touch the database; the app only needs one configured."""
    folder = tmp_path_factory.mktemp("app")
    return make_test_app(f"sqlite:///{folder / 'unused.sqlite3'}").test_cli_runner()


@pytest.fixture
def gift_course(tmp_path: Path) -> Path:
    """A copy of the tests' small course (slug good-course, module basics, sources
    History and Safety) inside a courses folder."""
    folder = tmp_path / "courses" / "good"
    shutil.copytree(GOOD_COURSE, folder)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def run_import(cli: FlaskCliRunner, gift: Path, course: Path, *options: str) -> Result:
    args = ["lms", "courses", "import-gift", str(gift), "--course", "good-course"]
    args += ["--module", "basics", "--courses", str(course.parent), *options]
    return cli.invoke(args=args)


def run_check(cli: FlaskCliRunner, course: Path) -> Result:
    return cli.invoke(args=["lms", "courses", "check", str(course)])


def drafts(course: Path) -> list[Path]:
    return sorted(p for p in (course / MODULE).glob("*.quiz.yml") if p.name != "check.quiz.yml")


def draft_questions(course: Path) -> list[dict[str, Any]]:
    return [q for path in drafts(course) for q in yaml.safe_load(path.read_text())["questions"]]


def reports(result: Result, gift: Path, severity: str) -> list[tuple[int, str]]:
    pattern = re.compile(rf"^{re.escape(str(gift))}:(\d+): {severity}: (.*)$", re.MULTILINE)
    return [(int(m.group(1)), m.group(2)) for m in pattern.finditer(result.output)]


def write(tmp_path: Path, text: str | bytes, name: str = "bank.gift") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path
