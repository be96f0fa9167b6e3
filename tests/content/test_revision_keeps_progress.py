"""Learners' progress survives the revision of the courses (issue 12): sync the courses as
they were before it (commit fb93bb0, taken from git), record a learner's progress (lessons
completed, a knowledge check passed, a reflection graded and released), sync the revised
courses, and find the progress kept wherever the slug was kept."""

from __future__ import annotations

import io
import subprocess
import tarfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from lms.cohorts.service import create_cohort
from lms.content.loader import load_courses
from lms.content.sync import sync_courses
from lms.database import session, utcnow
from lms.learning.enrolment import enrol_self_paced, join_cohort
from lms.learning.progress import course_outline
from lms.learning.status import Status
from lms.models import Attempt, Course, Enrolment, Grade, LessonProgress, Profession, Role, Track
from lms.resources import bundled_courses_dir
from tests.browser.scenarios import essay_answer, grade, person, quiz, read, take

#: The last commit before the courses were revised.
BEFORE_REVISION = "fb93bb0"
REPO = Path(__file__).resolve().parents[2]

#: course slug -> (lesson slugs completed, quiz slugs taken, reflection graded and released)
PROGRESS = {
    "relational-psychedelic-assisted-therapy": (
        ["from-anaesthetic-to-catalyst", "research-and-the-psychedelic-question"],
        ["week-1-check", "week-3-check"],
        "week-1-reflection",
    ),
}


def old_courses(tmp_path: Path) -> Path:
    """The courses/ folder as it was at BEFORE_REVISION."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", BEFORE_REVISION, "courses"],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"the courses before the revision are not in this checkout: {error}")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tmp_path, filter="data")
    return tmp_path / "courses"


def sync(root: Path) -> None:
    result = load_courses(root)
    assert result.ok, [str(p) for p in result.problems]
    sync_courses(result.courses)
    session.commit()


def the_course(slug: str) -> Course:
    found = session.scalar(sa.select(Course).where(Course.slug == slug))
    assert found is not None
    return found


def snapshot(enrolment: Enrolment) -> dict[str, Any]:
    """What the learner has done, by slug: the outline's status of every item, completed
    lessons, attempts (score and pass) and released grades."""
    session.expire_all()
    outline = course_outline(enrolment)
    completed = session.execute(
        sa.select(LessonProgress.lesson_id, LessonProgress.completed_at).where(
            LessonProgress.profile_id == enrolment.profile_id,
            LessonProgress.completed_at.is_not(None),
        )
    ).all()
    attempts = session.scalars(
        sa.select(Attempt).where(Attempt.profile_id == enrolment.profile_id)
    ).all()
    grades = session.scalars(sa.select(Grade)).all()
    return {
        "status": {item.slug: item.status for item in outline.items},
        "lessons": {(lesson_id, done) for lesson_id, done in completed},
        "attempts": {(a.quiz.slug, a.id, a.score, a.passed) for a in attempts},
        "grades": {(g.answer_id, g.score, g.released_at is not None) for g in grades},
    }


@pytest.mark.parametrize("slug", sorted(PROGRESS))
def test_progress_survives_the_revision(app: Flask, tmp_path: Path, slug: str) -> None:
    lessons_done, quizzes_taken, reflection = PROGRESS[slug]
    with app.test_request_context():
        sync(old_courses(tmp_path))
        course = the_course(slug)
        old_title = course.title
        learner = person("learner@example.com", "Lee Learner", profession=Profession.THERAPIST)
        instructor = person("iris@example.com", "Iris Instructor", Role.INSTRUCTOR)
        if course.track is Track.COHORT:
            cohort = create_cohort(course, "Autumn", (utcnow() - timedelta(days=40)).date())
            cohort.instructors.append(instructor)
            enrolment = join_cohort(learner, cohort, invite_code=cohort.invite_code)
        else:
            enrolment = enrol_self_paced(learner, course)
        by_slug = {lesson.slug: lesson for m in course.modules for lesson in m.lessons}
        read(learner, [by_slug[s] for s in lessons_done])
        for quiz_slug in quizzes_taken:
            take(learner, enrolment, quiz(slug, quiz_slug))
        written = take(learner, enrolment, quiz(slug, reflection))
        grade(essay_answer(written), instructor, "Thoughtful and honest.")
        session.commit()
        before = snapshot(enrolment)
        assert len(before["lessons"]) == len(lessons_done)
        assert {(s, p) for s, _, _, p in before["attempts"]} >= {(q, True) for q in quizzes_taken}
        assert any(released for _, _, released in before["grades"])

        sync(bundled_courses_dir())
        revised = the_course(slug)
        assert revised.id == course.id and revised.title != old_title, "the revision was synced"
        after = snapshot(enrolment)

    # Every lesson completion, attempt and grade is still there, unchanged.
    assert after["lessons"] == before["lessons"]
    assert after["attempts"] == before["attempts"]
    assert after["grades"] == before["grades"]
    # Wherever the revision kept an item's slug, the learner's status on it is the same.
    kept = set(before["status"]) & set(after["status"])
    assert set(lessons_done) | set(quizzes_taken) | {reflection} <= kept
    assert {s: after["status"][s] for s in kept} == {s: before["status"][s] for s in kept}
    assert all(after["status"][q] is Status.PASSED for q in [*quizzes_taken, reflection])
    assert all(after["status"][s] is not Status.NOT_STARTED for s in lessons_done)


def test_a_revised_question_keeps_the_version_an_old_attempt_was_graded_on(
    app: Flask, tmp_path: Path
) -> None:
    """The week-1 check was rewritten: the old attempt still shows what was asked then."""
    slug = "relational-psychedelic-assisted-therapy"
    with app.test_request_context():
        sync(old_courses(tmp_path))
        learner = person("learner@example.com", "Lee Learner", profession=Profession.THERAPIST)
        course = the_course(slug)
        cohort = create_cohort(course, "Autumn", (utcnow() - timedelta(days=3)).date())
        enrolment = join_cohort(learner, cohort, invite_code=cohort.invite_code)
        attempt = take(learner, enrolment, quiz(slug, "week-1-check"))
        session.commit()
        asked = {a.question_version.id: a.question_version.prompt for a in attempt.answers}
        score = attempt.score

        sync(bundled_courses_dir())
        session.expire_all()
        again = session.get(Attempt, attempt.id)
        assert again is not None
        assert {a.question_version.id: a.question_version.prompt for a in again.answers} == asked
        assert again.score == score == Decimal(again.max_score)
        assert any("decade" in prompt for prompt in asked.values()), "a retired question"
