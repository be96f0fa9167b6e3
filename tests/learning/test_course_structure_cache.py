"""The course structure each process keeps (lms.learning.structure): learners see a synced
change on their next page, whether the sync ran in this process or in another one (an
author running `lms courses sync` while the site is serving)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from lms.database import session, utcnow
from lms.models import Module
from tests.conftest import LEARNING_COURSES, count_queries, post_form
from tests.content.test_sync import sync
from tests.foundation.test_cli import lms

LESSON = "/courses/sp/lessons/lesson-one"


@pytest.fixture
def authored(tmp_path: Path) -> Path:
    """A copy of the test courses an author can edit."""
    folder = tmp_path / "courses"
    shutil.copytree(LEARNING_COURSES, folder)
    return folder


def rename_lesson_two(folder: Path, title: str) -> None:
    path = folder / "selfpaced" / "m1" / "two.md"
    path.write_text(path.read_text().replace('title: "Lesson two"', f'title: "{title}"'))


def reading(client: FlaskClient) -> str:
    response = client.get(LESSON)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_sync_in_this_process_shows_on_the_next_page(
    client: FlaskClient, runner: FlaskCliRunner, nurse: str, authored: Path
) -> None:
    post_form(client, "/courses/sp/enrol", {})
    assert "Lesson two" in reading(client)

    rename_lesson_two(authored, "Lesson two, revised")
    module = authored / "selfpaced" / "m2" / "module.yml"
    module.write_text(module.read_text().replace("  - three.md", "  - three.md\n  - four.md"))
    four = (authored / "selfpaced" / "m2" / "three.md").read_text()
    four = four.replace("Lesson three", "Lesson four").replace("lesson-three", "lesson-four")
    (authored / "selfpaced" / "m2" / "four.md").write_text(four)
    sync(runner, authored)

    page = reading(client)
    assert "Lesson two, revised" in page
    assert "Lesson four" in page


def test_a_sync_by_another_process_shows_on_the_next_page(
    app: Flask, client: FlaskClient, nurse: str, authored: Path, database_url: str
) -> None:
    post_form(client, "/courses/sp/enrol", {})
    assert "Lesson two" in reading(client)

    rename_lesson_two(authored, "Lesson two, from the command line")
    result = lms(database_url, "courses", "sync", str(authored))
    assert result.returncode == 0, result.stderr

    assert "Lesson two, from the command line" in reading(client)


def test_the_structure_is_loaded_once_then_reused(
    app: Flask, client: FlaskClient, nurse: str
) -> None:
    post_form(client, "/courses/sp/enrol", {})
    cached = count_queries(app, client, LESSON)
    app.extensions["lms"].course_structures.clear()
    loading = count_queries(app, client, LESSON, warm_up=False)
    assert loading == cached + 5  # the course, its modules, lessons, quizzes, evaluations
    assert count_queries(app, client, LESSON, warm_up=False) == cached


def test_an_edit_made_in_this_process_without_sync_shows_on_the_next_page(
    app: Flask, client: FlaskClient, nurse: str
) -> None:
    """Code of this process that changes content rows directly (not through sync, so the
    course's stamp stays as it was) still makes the next page load the structure again."""
    post_form(client, "/courses/sp/enrol", {})
    assert "Second module" in reading(client)
    with app.app_context():
        module = session.scalars(sa.select(Module).where(Module.slug == "second")).one()
        module.retired_at = utcnow()
        session.commit()
    assert "Second module" not in reading(client)


def test_an_edit_rolled_back_is_not_kept(app: Flask, client: FlaskClient, nurse: str) -> None:
    """A page served inside the editing session's transaction shows its uncommitted rows;
    once that transaction rolls back, the next page does not keep them."""
    post_form(client, "/courses/sp/enrol", {})
    with app.app_context():  # the test client's requests share this session
        module = session.scalars(sa.select(Module).where(Module.slug == "second")).one()
        module.title = "Second module, renamed"
        session.flush()
        assert "Second module, renamed" in reading(client)
        session.rollback()
    page = reading(client)
    assert "Second module, renamed" not in page
    assert "Second module" in page


def test_a_page_read_before_an_edit_was_committed_is_not_kept(
    app: Flask, client: FlaskClient, nurse: str
) -> None:
    """A page served between another session's flush and its commit caches the rows as
    they were; the commit makes the next page load them again."""
    post_form(client, "/courses/sp/enrol", {})
    home = "/courses/sp/"  # shows the outline and writes nothing (the edit holds a lock)
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
    with so.Session(engine) as editor:
        module = editor.scalars(sa.select(Module).where(Module.slug == "second")).one()
        module.title = "Second module, renamed"
        editor.flush()
        assert "Second module, renamed" not in client.get(home).get_data(as_text=True)
        editor.commit()
    assert "Second module, renamed" in client.get(home).get_data(as_text=True)
