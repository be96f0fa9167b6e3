"""Whose essay answers a person may grade, as SQL filters (never per-row Python checks).

- Admins: every answer.
- Instructors: the answers of learners enrolled (the `Enrolment` of the quiz's course) in
  a cohort they are assigned to (`lms_cohort_instructor`), or enrolled self-paced
  (no cohort) in a course they are assigned to (`lms_course_instructor`).
- Anyone else: nothing.

An answer outside someone's scope answers 404 on every grading URL, exactly as an answer
that does not exist, so an instructor cannot even learn which answers exist.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort

from lms.database import session, valid_id
from lms.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Cohort,
    Course,
    Enrolment,
    Profile,
    QuestionType,
    QuestionVersion,
    Quiz,
    Role,
    cohort_instructor,
    course_instructor,
)
from lms.quizzes.types import QUESTION_TYPES

NOT_FOUND = "There is no answer at this address, or it is not one you grade."

#: The question types an instructor grades (essays), from the type registry.
HAND_GRADED: tuple[QuestionType, ...] = tuple(
    kind for kind, question in QUESTION_TYPES.items() if not question.auto_graded
)


def taught_cohorts(profile: Profile) -> sa.Select[Any]:
    """The ids of the cohorts this profile is assigned to, as a subquery."""
    return sa.select(cohort_instructor.c.cohort_id).where(
        cohort_instructor.c.profile_id == profile.id
    )


def taught_courses(profile: Profile) -> sa.Select[Any]:
    """The ids of the courses whose self-paced learners this profile grades."""
    return sa.select(course_instructor.c.course_id).where(
        course_instructor.c.profile_id == profile.id
    )


def taught_ids(profile: Profile) -> tuple[list[int], list[int]]:
    """(the cohort ids, the course ids) `profile` is assigned to, in one query."""
    rows = session.execute(
        sa.union_all(
            sa.select(sa.literal("cohort"), cohort_instructor.c.cohort_id).where(
                cohort_instructor.c.profile_id == profile.id
            ),
            sa.select(sa.literal("course"), course_instructor.c.course_id).where(
                course_instructor.c.profile_id == profile.id
            ),
        )
    ).all()
    cohorts = sorted(row[1] for row in rows if row[0] == "cohort")
    courses = sorted(row[1] for row in rows if row[0] == "course")
    return cohorts, courses


def scope_clause(profile: Profile) -> sa.ColumnElement[bool]:
    """A WHERE clause over `Enrolment`: the enrolments whose answers `profile` may grade.

    Use it in any query that joins `Enrolment` (see `essay_answers`). The instructor's
    cohorts and courses are looked up first and written into the clause as lists, with no
    `OR` branch for what they do not teach: given subqueries joined by `OR`, PostgreSQL
    could not tell how few enrolments match and read every answer in the database (86 ms
    at 450,000 answers, against 6 ms when it starts from the cohort's enrolments).
    """
    if profile.role is Role.ADMIN:
        return sa.true()
    if profile.role is not Role.INSTRUCTOR:
        return sa.false()
    cohorts, courses = taught_ids(profile)
    clauses = []
    if cohorts:
        clauses.append(Enrolment.cohort_id.in_(cohorts))
    if courses:
        clauses.append(sa.and_(Enrolment.cohort_id.is_(None), Enrolment.course_id.in_(courses)))
    return sa.or_(*clauses) if clauses else sa.false()


def essay_answers(
    profile: Profile, *columns: Any, scope: sa.ColumnElement[bool] | None = None
) -> sa.Select[Any]:
    """Submitted essay answers in `profile`'s scope: Answer joined to its Attempt, Quiz,
    QuestionVersion and the learner's Enrolment in the quiz's course (one row each).

    Selects `Answer` unless other `columns` are given; add filters and options freely.
    `scope`: `scope_clause(profile)` already built, for a page that runs several queries.
    """
    return (
        sa.select(*(columns or (Answer,)))
        .select_from(Answer)
        .join(Attempt, Answer.attempt_id == Attempt.id)
        .join(Quiz, Attempt.quiz_id == Quiz.id)
        .join(QuestionVersion, Answer.question_version_id == QuestionVersion.id)
        .join(
            Enrolment,
            sa.and_(
                Enrolment.profile_id == Attempt.profile_id,
                Enrolment.course_id == Quiz.course_id,
            ),
        )
        .where(
            QuestionVersion.type.in_(HAND_GRADED),
            Attempt.status != AttemptStatus.IN_PROGRESS,
            scope if scope is not None else scope_clause(profile),
        )
    )


def answer_or_404(profile: Profile, answer_id: int) -> tuple[Answer, Enrolment]:
    """The essay answer and its learner's enrolment, if `profile` may grade it; else 404."""
    if not valid_id(answer_id):
        abort(404, description=NOT_FOUND)
    row = session.execute(
        essay_answers(profile, Answer, Enrolment)
        .where(Answer.id == answer_id)
        .options(
            so.joinedload(Answer.attempt).joinedload(Attempt.profile),
            so.joinedload(Answer.attempt).joinedload(Attempt.quiz).joinedload(Quiz.course),
            so.joinedload(Answer.question_version).selectinload(QuestionVersion.rubric),
            so.joinedload(Answer.grade),
            so.selectinload(Answer.revisions),
        )
    ).first()
    if row is None:
        abort(404, description=NOT_FOUND)
    return row[0], row[1]


def may_grade_cohort(profile: Profile, cohort: Cohort) -> bool:
    if profile.role is Role.ADMIN:
        return True
    return profile.role is Role.INSTRUCTOR and (
        session.scalar(taught_cohorts(profile).where(cohort_instructor.c.cohort_id == cohort.id))
        is not None
    )


def may_grade_course(profile: Profile, course: Course) -> bool:
    """Admins, and instructors of the course's self-paced learners."""
    if profile.role is Role.ADMIN:
        return True
    return profile.role is Role.INSTRUCTOR and (
        session.scalar(taught_courses(profile).where(course_instructor.c.course_id == course.id))
        is not None
    )
