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
from lms.learning.progress import CourseOutline, outlines_for
from lms.learning.status import QuizState, Status
from lms.learning.structure import course_structure
from lms.models import (
    Answer,
    Attempt,
    Cohort,
    Course,
    Enrolment,
    EnrolmentStatus,
    Grade,
    LessonProgress,
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


@dataclass
class Gradebook:
    course: Course
    cohort: Cohort | None
    quizzes: list[Quiz]
    rows: list[GradebookRow]

    def count(self, status: Status) -> int:
        return sum(1 for row in self.rows if row.outline.status is status)


def enrolments_of(course: Course, cohort: Cohort | None) -> list[Enrolment]:
    """Current learners of a cohort, or the self-paced learners of a course."""
    query = (
        sa.select(Enrolment)
        .join(Profile, Enrolment.profile_id == Profile.id)
        .where(Enrolment.course_id == course.id, Enrolment.status != EnrolmentStatus.WITHDRAWN)
        .options(so.contains_eager(Enrolment.profile))
        .order_by(Profile.display_name, Profile.id)
    )
    if cohort is None:
        query = query.where(Enrolment.cohort_id.is_(None))
    else:
        query = query.where(Enrolment.cohort_id == cohort.id)
    return list(session.scalars(query))


def live_quizzes(course: Course) -> list[Quiz]:
    """The course's quizzes that are not retired, in course order."""
    return [
        quiz
        for module in course.modules
        if not module.is_retired
        for quiz in module.quizzes
        if not quiz.is_retired
    ]


def build_gradebook(course: Course, cohort: Cohort | None) -> Gradebook:
    course = course_structure(course.id)
    enrolments = enrolments_of(course, cohort)
    outlines = outlines_for(course, enrolments)
    quizzes = live_quizzes(course)
    rows = []
    for enrolment in enrolments:
        outline = outlines[enrolment.id]
        states = {item.item.id: item.quiz for item in outline.items if item.kind == "quiz"}
        rows.append(GradebookRow(enrolment, outline, [states.get(q.id) for q in quizzes]))
    return Gradebook(course, cohort, quizzes, rows)


@dataclass
class LearnerRecord:
    enrolment: Enrolment
    outline: CourseOutline
    attempts: list[Attempt]
    reading: list[LessonProgress]


def learner_record(enrolment: Enrolment) -> LearnerRecord:
    """Everything about one learner in one course: attempts, answers, grades, reading."""
    course = course_structure(enrolment.course_id)
    outline = outlines_for(course, [enrolment])[enrolment.id]
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
    reading = [i.progress for i in outline.items if i.progress is not None]
    return LearnerRecord(enrolment, outline, attempts, reading)
