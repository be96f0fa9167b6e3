"""The gradebook: learners x quizzes, with status, completion, CE hours and reading time.

Built from `outlines_for`, the same progress computation learners see, in a fixed number
of queries whatever the number of learners.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.database import session
from lms.learning.progress import CourseOutline, course_outline, outlines_for
from lms.learning.status import QuizState
from lms.learning.structure import course_structure
from lms.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Cohort,
    Course,
    Enrolment,
    EnrolmentStatus,
    Grade,
    Lesson,
    LessonProgress,
    Module,
    Profile,
    QuestionVersion,
    Quiz,
)


@dataclass
class GradebookRow:
    enrolment: Enrolment
    outline: CourseOutline
    quiz_states: list[QuizState | None]  # aligned with Gradebook.quizzes

    @property
    def profile(self) -> Profile:
        return self.enrolment.profile

    @property
    def ce_hours_earned(self) -> Decimal:
        return self.outline.course.ce_hours if self.outline.is_complete else Decimal(0)

    @property
    def reading_seconds(self) -> int:
        return sum(i.progress.active_seconds for i in self.outline.items if i.progress)


#: Learners on a page of the gradebook (Moodle's grader report shows 100, Open edX's 25).
PAGE_SIZE = 50


@dataclass
class LearnerCounts:
    """Of every current learner (not only the page shown)."""

    total: int
    completed: int
    awaiting_grading: int


@dataclass
class Gradebook:
    course: Course
    cohort: Cohort | None
    quizzes: list[Quiz]
    rows: list[GradebookRow]
    counts: LearnerCounts
    page: int = 1
    pages: int = 1

    @property
    def first_number(self) -> int:
        """The number of the page's first learner, counting from 1."""
        return (self.page - 1) * PAGE_SIZE + 1


def _current_learners(course: Course, cohort: Cohort | None) -> list[sa.ColumnElement[bool]]:
    return [
        Enrolment.course_id == course.id,
        Enrolment.status != EnrolmentStatus.WITHDRAWN,
        Enrolment.cohort_id.is_(None) if cohort is None else Enrolment.cohort_id == cohort.id,
    ]


def enrolments_query(course: Course, cohort: Cohort | None) -> sa.Select[tuple[Enrolment]]:
    """Current learners of a cohort, or the self-paced learners of a course, by name."""
    return (
        sa.select(Enrolment)
        .join(Profile, Enrolment.profile_id == Profile.id)
        .where(*_current_learners(course, cohort))
        .options(so.contains_eager(Enrolment.profile))
        .order_by(Profile.display_name, Profile.id)
    )


def enrolments_of(course: Course, cohort: Cohort | None) -> list[Enrolment]:
    return list(session.scalars(enrolments_query(course, cohort)))


def learner_counts(course: Course, cohort: Cohort | None) -> LearnerCounts:
    """How many current learners, how many completed the course (as recorded when they
    did), and how many have an attempt awaiting grading: one query."""
    awaiting = (
        sa.select(Attempt.id)
        .join(Quiz, Attempt.quiz_id == Quiz.id)
        .where(
            Attempt.profile_id == Enrolment.profile_id,
            Quiz.course_id == course.id,
            Attempt.status == AttemptStatus.AWAITING_GRADING,
        )
        .exists()
    )
    total, completed, waiting = session.execute(
        sa.select(
            sa.func.count(Enrolment.id),
            sa.func.count(Enrolment.completed_at),
            sa.func.count(sa.case((awaiting, 1))),
        ).where(*_current_learners(course, cohort))
    ).one()
    return LearnerCounts(total, completed, waiting)


def live_quizzes(course: Course) -> list[Quiz]:
    """The course's quizzes that are not retired, in course order."""
    return [
        quiz
        for module in course.modules
        if not module.is_retired
        for quiz in module.quizzes
        if not quiz.is_retired
    ]


def build_gradebook(course: Course, cohort: Cohort | None, page: int | None = 1) -> Gradebook:
    """One page of learners (`PAGE_SIZE`, by name), or every learner when `page` is None
    (the CSV exports). Pages past the last show the last."""
    course = course_structure(course.id)
    counts = learner_counts(course, cohort)
    query = enrolments_query(course, cohort)
    pages = max((counts.total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    if page is not None:
        page = min(max(page, 1), pages)
        query = query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    enrolments = list(session.scalars(query))
    outlines = outlines_for(course, enrolments)
    quizzes = live_quizzes(course)
    rows = []
    for enrolment in enrolments:
        outline = outlines[enrolment.id]
        states = {item.item.id: item.quiz for item in outline.items if item.kind == "quiz"}
        rows.append(GradebookRow(enrolment, outline, [states.get(q.id) for q in quizzes]))
    return Gradebook(course, cohort, quizzes, rows, counts, page or 1, 1 if page is None else pages)


@dataclass
class LearnerRecord:
    enrolment: Enrolment
    outline: CourseOutline
    attempts: list[Attempt]
    reading: list[LessonProgress]


def learner_record(enrolment: Enrolment) -> LearnerRecord:
    """Everything about one learner in one course: attempts, answers, grades, reading."""
    course = course_structure(enrolment.course_id)
    outline = course_outline(enrolment, course=course)
    attempts = list(
        session.scalars(
            sa.select(Attempt)
            .join(Quiz, Attempt.quiz_id == Quiz.id)
            .where(Attempt.profile_id == enrolment.profile_id, Quiz.course_id == course.id)
            .options(
                so.selectinload(Attempt.answers)
                .selectinload(Answer.question_version)
                .selectinload(QuestionVersion.rubric),
                so.selectinload(Attempt.answers)
                .selectinload(Answer.grade)
                .selectinload(Grade.grader),
                so.selectinload(Attempt.quiz),
            )
            .order_by(Quiz.position, Attempt.number)
        )
    )
    reading = list(
        session.scalars(
            sa.select(LessonProgress)
            .join(Lesson, LessonProgress.lesson_id == Lesson.id)
            .join(Module, Lesson.module_id == Module.id)
            .where(
                LessonProgress.profile_id == enrolment.profile_id,
                Lesson.course_id == course.id,
            )
            .options(so.contains_eager(LessonProgress.lesson))
            .order_by(Module.position, Lesson.position, Lesson.id)  # the course's order
        )
    )
    return LearnerRecord(enrolment, outline, attempts, reading)
