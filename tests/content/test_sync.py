"""`lms courses sync`: loads course files, changes nothing the second time, and never loses
learner data when the files change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from lms.database import session
from lms.models import (
    Answer,
    Attempt,
    Course,
    Lesson,
    LessonProgress,
    Profile,
    Question,
    QuestionVersion,
    Quiz,
)

GOOD = Path(__file__).parents[1] / "fixtures" / "courses" / "good"


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    target = tmp_path / "good"
    shutil.copytree(GOOD, target)
    return target


def sync(runner: FlaskCliRunner, path: Path) -> str:
    result = runner.invoke(args=["lms", "courses", "sync", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def lesson(slug: str) -> Lesson:
    found = session.scalar(sa.select(Lesson).where(Lesson.slug == slug))
    assert found is not None
    return found


def question(slug: str) -> Question:
    found = session.scalar(sa.select(Question).where(Question.slug == slug))
    assert found is not None
    return found


def make_learner() -> Profile:
    profile = Profile(user_id="42", email="ana@example.com", display_name="Ana")
    session.add(profile)
    session.flush()
    return profile


def answer_question(profile: Profile, slug: str, response: object) -> Answer:
    q = question(slug)
    attempt = Attempt(quiz_id=q.quiz_id, profile_id=profile.id, number=1)
    answer = Answer(attempt=attempt, question_version_id=q.versions[-1].id, response=response)
    session.add(answer)
    session.commit()
    return answer


def test_sync_loads_everything_and_a_second_run_changes_nothing(
    app: Flask, runner: FlaskCliRunner, course_dir: Path
) -> None:
    first = sync(runner, course_dir)
    assert "Created 1 course, 1 module, 2 lessons, 1 quiz, 6 questions." in first
    assert "No changes" in sync(runner, course_dir)
    with app.app_context():
        course = session.scalar(sa.select(Course))
        assert course is not None
        assert course.slug == "good-course"
        assert [m.slug for m in course.modules] == ["basics"]
        assert [lesson.slug for lesson in course.modules[0].lessons] == ["welcome", "live-session"]
        welcome = lesson("welcome")
        assert '<div class="admonition note">' in welcome.body_html
        assert 'href="live-session"' in welcome.body_html  # lesson: links become relative
        quiz = session.scalar(sa.select(Quiz))
        assert quiz is not None
        assert (quiz.pass_mark, quiz.max_attempts, quiz.time_limit_minutes) == (75, 3, 15)
        essay = question("reflect").versions[0]
        assert [c.title for c in essay.rubric] == ["Insight", "Care"]
        assert essay.points == 5
        choices = question("pick-all").versions[0].choices
        assert [c.is_correct for c in choices] == [True, True, False]


def test_a_revised_lesson_is_updated_in_place_and_learners_keep_their_progress(
    app: Flask, runner: FlaskCliRunner, course_dir: Path
) -> None:
    sync(runner, course_dir)
    with app.app_context():
        welcome = lesson("welcome")
        profile = make_learner()
        session.add(LessonProgress(profile_id=profile.id, lesson_id=welcome.id, active_seconds=90))
        session.commit()
        welcome_id = welcome.id

    edit(course_dir / "01-basics" / "01-welcome.md", "Keep it simple.", "Keep it kind.")
    module_file = course_dir / "01-basics" / "module.yml"
    in_order = "  - 01-welcome.md\n  - 02-session.md"
    reordered = "  - 02-session.md\n  - 01-welcome.md"
    edit(module_file, in_order, reordered)
    assert "Updated 2 lessons." in sync(runner, course_dir)

    with app.app_context():
        welcome = lesson("welcome")
        assert welcome.id == welcome_id
        assert "Keep it kind." in welcome.body_html
        assert (welcome.position, lesson("live-session").position) == (1, 0)
        progress = session.scalar(sa.select(LessonProgress))
        assert progress is not None
        assert (progress.lesson_id, progress.active_seconds) == (welcome_id, 90)


def test_a_removed_lesson_is_retired_if_learners_used_it_and_deleted_if_not(
    app: Flask, runner: FlaskCliRunner, course_dir: Path
) -> None:
    sync(runner, course_dir)
    with app.app_context():
        profile = make_learner()
        session.add(LessonProgress(profile_id=profile.id, lesson_id=lesson("live-session").id))
        session.commit()

    module = course_dir / "01-basics"
    edit(module / "module.yml", "  - 01-welcome.md\n  - 02-session.md\n", "  - 02-session.md\n")
    (module / "01-welcome.md").unlink()
    edit(course_dir / "course.yml", "[welcome](lesson:welcome)", "welcome")
    edit(module / "check.quiz.yml", "[welcome](lesson:welcome)", "welcome")
    assert "deleted 1 lesson." in sync(runner, course_dir)

    edit(module / "module.yml", "  - 02-session.md\n", "")
    (module / "02-session.md").unlink()
    assert "retired 1 lesson." in sync(runner, course_dir)

    with app.app_context():
        assert session.scalar(sa.select(Lesson).where(Lesson.slug == "welcome")) is None
        retired = lesson("live-session")
        assert retired.is_retired
        assert session.scalar(sa.select(sa.func.count(LessonProgress.id))) == 1
    client = app.test_client()
    assert "Live session" not in client.get("/courses/good-course/").get_data(as_text=True)

    # Putting the file back brings the same lesson (and its progress) back.
    shutil.copy(GOOD / "01-basics" / "02-session.md", module / "02-session.md")
    edit(module / "module.yml", "items:\n", "items:\n  - 02-session.md\n")
    assert "Updated 1 lesson" in sync(runner, course_dir)
    with app.app_context():
        assert not lesson("live-session").is_retired


def test_a_changed_question_gets_a_new_version_and_old_attempts_keep_theirs(
    app: Flask, runner: FlaskCliRunner, course_dir: Path
) -> None:
    sync(runner, course_dir)
    with app.app_context():
        first_choice = question("first-used").versions[0].choices[0].id
        answer_id = answer_question(make_learner(), "first-used", [first_choice]).id

    quiz_file = course_dir / "01-basics" / "check.quiz.yml"
    edit(quiz_file, "Since which decade has it been used?", "In which decade did it start?")
    edit(quiz_file, '      - text: "The 1990s"', '      - text: "The 1980s"')
    assert "Created 1 question version." in sync(runner, course_dir)
    assert "No changes" in sync(runner, course_dir)

    with app.app_context():
        changed = question("first-used")
        assert [v.number for v in changed.versions] == [1, 2]
        assert changed.current_version == 2
        answer = session.get(Answer, answer_id)
        assert answer is not None
        old = answer.question_version
        assert old.number == 1
        assert old.prompt == "Since which decade has it been used?"
        assert [c.text for c in old.choices] == ["The 1960s", "The 1990s"]
        assert old.points == 1
        assert changed.versions[1].prompt == "In which decade did it start?"


def test_a_removed_question_is_retired_if_answered_and_deleted_if_not(
    app: Flask, runner: FlaskCliRunner, course_dir: Path
) -> None:
    sync(runner, course_dir)
    with app.app_context():
        answer_question(make_learner(), "name-it", "ketamine")
    quiz_file = course_dir / "01-basics" / "check.quiz.yml"
    text = quiz_file.read_text()
    start = text.index("  - slug: is-true")
    end = text.index("  - slug: how-many")
    quiz_file.write_text(text[:start] + text[end:])  # removes is-true and name-it
    output = sync(runner, course_dir)
    assert "retired 1 question;" in output
    assert "deleted 1 question." in output
    with app.app_context():
        assert question("name-it").is_retired
        assert session.scalar(sa.select(Question).where(Question.slug == "is-true")) is None
        versions = session.scalar(sa.select(sa.func.count(QuestionVersion.id)))
        assert versions == 5


def test_broken_files_are_refused_and_the_database_is_untouched(
    app: Flask, runner: FlaskCliRunner, course_dir: Path
) -> None:
    sync(runner, course_dir)
    edit(course_dir / "01-basics" / "01-welcome.md", "Keep it simple.", "Changed.")
    edit(course_dir / "01-basics" / "check.quiz.yml", "pass_mark: 75", "pass_mark: 175")
    result = runner.invoke(args=["lms", "courses", "sync", str(course_dir)])
    assert result.exit_code == 1
    assert "check.quiz.yml:4:" in result.output
    assert "nothing was changed" in result.output
    with app.app_context():
        assert "Keep it simple." in lesson("welcome").body_html


def test_check_reports_ok_for_good_files(runner: FlaskCliRunner, course_dir: Path) -> None:
    result = runner.invoke(args=["lms", "courses", "check", str(course_dir)])
    assert result.exit_code == 0, result.output
    assert "ok  good-course: 1 module, 2 lessons, 1 quiz" in result.output
