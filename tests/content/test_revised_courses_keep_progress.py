"""Learners' progress in an existing database survives the revision of the self-paced course
(issue 12): sync the course as it was shipped before, record a learner's progress, sync the
revised files, and everything whose slug was kept still carries it; what was removed is
retired, not deleted, and old attempts still show what was asked.

The course as it was comes from the repository's history (the commit before the revision);
the test is skipped where no git history is at hand (an installed package, a shallow copy).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
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
    Enrolment,
    Lesson,
    LessonProgress,
    Profile,
    Question,
    Quiz,
)
from lms.resources import bundled_courses_dir

REPOSITORY = Path(__file__).resolve().parents[2]
#: The last commit with the self-paced course as first shipped.
BEFORE = "fb93bb0"
SLUG = "essentials-of-psychedelic-care"


@pytest.fixture
def old_course(tmp_path: Path) -> Path:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    archive = subprocess.run(
        [git, "-C", str(REPOSITORY), "archive", BEFORE, f"courses/{SLUG}"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        pytest.skip(f"no git history with commit {BEFORE}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(tmp_path / "old", filter="data")
    return tmp_path / "old" / "courses"


def sync(runner: FlaskCliRunner, folder: Path) -> str:
    result = runner.invoke(args=["lms", "courses", "sync", str(folder)])
    assert result.exit_code == 0, result.output
    return result.output


def the_course() -> Course:
    found = session.scalar(sa.select(Course).where(Course.slug == SLUG))
    assert found is not None
    return found


def test_progress_is_kept_where_the_slug_is_kept(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, old_course: Path
) -> None:
    sync(runner, old_course)
    with app.app_context():
        course = the_course()
        assert course.title == "Essentials of Psychedelic Care: Ketamine and Anxiety"
        learner = Profile(user_id="7", email="lee@example.com", display_name="Lee")
        session.add(learner)
        session.flush()
        session.add(Enrolment(profile_id=learner.id, course_id=course.id))
        lessons = {lesson.slug: lesson for m in course.modules for lesson in m.lessons}
        for slug in ("why-ketamine-for-anxiety", "where-ketamine-came-from"):
            read = LessonProgress(
                profile_id=learner.id, lesson_id=lessons[slug].id, active_seconds=300
            )
            session.add(read)
        check = session.scalar(sa.select(Quiz).where(Quiz.slug == "module-1-check"))
        assert check is not None
        questions = {q.slug: q for q in check.questions}
        attempt = Attempt(quiz_id=check.id, profile_id=learner.id, number=1)
        kept, removed = questions["nasal-spray-name"], questions["youngest-anaesthetic-age"]
        attempt.answers = [
            Answer(question_version_id=kept.versions[-1].id, response="Spravato"),
            Answer(question_version_id=removed.versions[-1].id, response=6),
        ]
        session.add(attempt)
        session.commit()
        ids = (course.id, attempt.id, {slug: lessons[slug].id for slug in lessons})

    revised = tmp_path / "new"
    shutil.copytree(bundled_courses_dir() / SLUG, revised / SLUG)
    sync(runner, revised)

    course_id, attempt_id, lesson_ids = ids
    with app.app_context():
        course = the_course()
        assert course.id == course_id
        assert course.title.startswith("Ketamine and Anxiety: Role, Scope")
        enrolment = session.scalar(sa.select(Enrolment).where(Enrolment.course_id == course_id))
        assert enrolment is not None and enrolment.profile.email == "lee@example.com"
        kept_lessons = {lesson.slug: lesson.id for m in course.modules for lesson in m.lessons}
        for slug in ("why-ketamine-for-anxiety", "where-ketamine-came-from"):
            assert kept_lessons[slug] == lesson_ids[slug]  # the same row, updated in place
        progress = session.scalars(sa.select(LessonProgress)).all()
        assert sorted(p.lesson_id for p in progress) == sorted(
            lesson_ids[s] for s in ("why-ketamine-for-anxiety", "where-ketamine-came-from")
        )
        assert all(p.active_seconds == 300 for p in progress)
        assert session.get(Lesson, kept_lessons["limits-and-risks"]) is not None

        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None and len(attempt.answers) == 2
        asked = {a.question_version.question.slug: a.question_version for a in attempt.answers}
        assert "brand name" in asked["nasal-spray-name"].prompt  # what was asked then
        nasal = session.scalar(sa.select(Question).where(Question.slug == "nasal-spray-name"))
        assert nasal is not None and not nasal.is_retired
        assert [v.number for v in nasal.versions] == [1, 2]  # the revision is a new version
        assert "Which form of ketamine" in nasal.versions[-1].prompt
        youngest = session.scalar(
            sa.select(Question).where(Question.slug == "youngest-anaesthetic-age")
        )
        assert youngest is not None and youngest.is_retired  # answered: kept, hidden
