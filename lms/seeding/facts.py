"""The synced courses as plain facts (ids, slugs, quiz settings, question versions), read
once, so that seeding thousands of learners asks the database nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

import lms.models as m
from lms.content.loader import load_courses
from lms.content.sync import sync_courses
from lms.database import session
from lms.learning.progress import load_course
from lms.quizzes.types import question_type
from lms.resources import bundled_courses_dir


@dataclass
class QuizFacts:
    id: int
    slug: str
    pass_mark: int
    max_attempts: int | None
    time_limit: int | None
    shuffle: bool
    versions: list[m.QuestionVersion]  # current versions, in question order
    max_score: Decimal
    has_essay: bool
    #: Questions drawn per attempt (None: all of them).
    draw: int | None = None


@dataclass
class ModuleFacts:
    id: int
    slug: str
    week: int | None
    lessons: list[tuple[int, str, m.LessonKind]]  # (id, slug, kind)
    quizzes: list[QuizFacts]
    items: list[tuple[str, Any]]  # ("lesson", (id, slug, kind)) or ("quiz", QuizFacts), in order


@dataclass
class CourseFacts:
    id: int
    slug: str
    title: str
    ce_hours: Decimal
    modules: list[ModuleFacts]

    @property
    def items(self) -> list[tuple[str, Any]]:
        return [item for module in self.modules for item in module.items]


def course_facts(course_id: int) -> CourseFacts:
    course = load_course(course_id)
    quizzes = {
        quiz.id: quiz
        for quiz in session.scalars(
            sa.select(m.Quiz)
            .where(m.Quiz.course_id == course_id)
            .options(
                so.selectinload(m.Quiz.questions)
                .selectinload(m.Question.versions)
                .selectinload(m.QuestionVersion.choices),
                so.selectinload(m.Quiz.questions)
                .selectinload(m.Question.versions)
                .selectinload(m.QuestionVersion.rubric),
            )
        )
    }
    modules = []
    for module in course.modules:
        if module.is_retired:
            continue
        lessons = [(x.id, x.slug, x.kind) for x in module.lessons if not x.is_retired]
        facts = []
        for quiz in module.quizzes:
            if quiz.is_retired:
                continue
            versions = [
                next(v for v in q.versions if v.number == q.current_version)
                for q in quizzes[quiz.id].questions
                if not q.is_retired and q.versions
            ]
            facts.append(
                QuizFacts(
                    quiz.id,
                    quiz.slug,
                    quiz.pass_mark,
                    quiz.max_attempts,
                    quiz.time_limit_minutes,
                    quiz.shuffle,
                    versions,
                    sum((v.points for v in versions), Decimal(0)),
                    any(not question_type(v).auto_graded for v in versions),
                    quiz.draw,
                )
            )
        positions = {("lesson", x.id): x.position for x in module.lessons}
        positions |= {("quiz", q.id): q.position for q in module.quizzes}
        items: list[tuple[str, Any]] = [("lesson", lesson) for lesson in lessons]
        items += [("quiz", quiz) for quiz in facts]
        items.sort(
            key=lambda item: positions[(item[0], item[1][0] if item[0] == "lesson" else item[1].id)]
        )
        modules.append(ModuleFacts(module.id, module.slug, module.week, lessons, facts, items))
    return CourseFacts(course.id, course.slug, course.title, course.ce_hours, modules)


def synced_courses() -> tuple[CourseFacts, CourseFacts]:
    """Load and sync the bundled courses (as `lms courses sync` does), commit, and return
    the facts of the cohort course and of the self-paced course."""
    result = load_courses(bundled_courses_dir())
    if not result.ok:
        raise RuntimeError("\n".join(str(p) for p in result.problems))
    sync_courses(result.courses)
    session.commit()
    found = {
        track: session.scalar(
            sa.select(m.Course.id).where(m.Course.track == track, m.Course.retired_at.is_(None))
        )
        for track in (m.Track.COHORT, m.Track.SELF_PACED)
    }
    cohort_course, paced_course = found[m.Track.COHORT], found[m.Track.SELF_PACED]
    if cohort_course is None or paced_course is None:
        raise RuntimeError("The bundled courses need a cohort course and a self-paced one.")
    return course_facts(cohort_course), course_facts(paced_course)
