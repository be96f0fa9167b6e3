"""The one place that decides whether the current learner may open a course item.

Views call these and get the objects they need, or the request ends with a clear 404
(unknown) or 403 page (not enrolled, not released yet, finish an earlier item first).
Checked on the server for every lesson and quiz, whatever links the page showed.
"""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, g, redirect, request

from lms.access import current_profile
from lms.database import session
from lms.learning.enrolment import active_enrolment
from lms.learning.progress import CourseOutline, ItemView, course_outline
from lms.models import Course, Enrolment, Evaluation, Lesson, Profile, Quiz
from lms.web import lms_url_for

NOT_ENROLLED = "You are not enrolled in this course. Enrol from the course page to start."


class LessonAccess(NamedTuple):
    course: Course
    lesson: Lesson
    profile: Profile
    enrolment: Enrolment
    outline: CourseOutline
    item: ItemView


class EvaluationAccess(NamedTuple):
    course: Course
    evaluation: Evaluation
    profile: Profile
    enrolment: Enrolment


class QuizAccess(NamedTuple):
    course: Course
    quiz: Quiz
    profile: Profile
    enrolment: Enrolment


def get_course_or_404(slug: str) -> Course:
    return live_course_or_404(session.scalar(sa.select(Course).where(Course.slug == slug)))


def live_course_or_404(course: Course | None) -> Course:
    if course is None or course.is_retired:
        abort(404, description="There is no course at this address.")
    return course


def require_enrolment(course: Course) -> tuple[Profile, Enrolment]:
    profile = current_profile()
    if profile is None:
        abort(401)
    enrolment = active_enrolment(profile, course)
    if enrolment is None:
        abort(403, description=NOT_ENROLLED)
    return profile, enrolment


def require_disclosure(course: Course, enrolment: Enrolment) -> None:
    """A course with CE credit shows its disclosure before the first lesson: learners
    acknowledge it once (a GET is sent to it and brought back)."""
    if not course.ce or enrolment.disclosure_acknowledged_at is not None:
        return
    if request.method in ("GET", "HEAD"):
        here = request.script_root + request.path
        abort(redirect(lms_url_for("ce.disclosure", slug=course.slug, next=here)))
    abort(403, description=DISCLOSURE_FIRST)


DISCLOSURE_FIRST = (
    "Read and acknowledge this course's CE disclosure first: it is on the course's page."
)


def _open_item_or_abort(
    course: Course, kind: str, slug: str
) -> tuple[Profile, Enrolment, CourseOutline, ItemView]:
    profile, enrolment = require_enrolment(course)
    require_disclosure(course, enrolment)
    outline = course_outline(enrolment, course=None)
    item = outline.find(kind, slug)
    if item is None:
        abort(404, description=f"This course has no such {kind}.")
    if item.lock is not None:
        abort(403, description=item.lock.message(profile.timezone))
    return profile, enrolment, outline, item


def open_lesson_or_abort(course_slug: str, lesson_slug: str) -> LessonAccess:
    course = get_course_or_404(course_slug)
    profile, enrolment, outline, item = _open_item_or_abort(course, "lesson", lesson_slug)
    # The outline's rows are read-only snapshots; the page needs the body, not its source.
    lesson = session.get(Lesson, item.item.id, options=[so.defer(Lesson.body_markdown)])
    assert lesson is not None
    return LessonAccess(course, lesson, profile, enrolment, outline, item)


def open_evaluation_or_abort(course_slug: str, evaluation_slug: str) -> EvaluationAccess:
    course = get_course_or_404(course_slug)
    profile, enrolment, _outline, item = _open_item_or_abort(course, "evaluation", evaluation_slug)
    evaluation = session.get(Evaluation, item.item.id)  # the outline's rows are snapshots
    assert evaluation is not None
    return EvaluationAccess(course, evaluation, profile, enrolment)


def open_quiz_or_abort(course_slug: str, quiz_slug: str) -> QuizAccess:
    return open_quiz_in_or_abort(get_course_or_404(course_slug), quiz_slug)


def open_quiz_in_or_abort(course: Course, quiz_slug: str) -> QuizAccess:
    """`open_quiz_or_abort` for a course row already loaded (an attempt's)."""
    live_course_or_404(course)
    profile, enrolment, _outline, item = _open_item_or_abort(course, "quiz", quiz_slug)
    quiz = session.get(Quiz, item.item.id)  # the outline's rows are read-only snapshots
    assert quiz is not None
    return QuizAccess(course, quiz, profile, enrolment)


def started_quiz_access(course: Course, quiz: Quiz) -> QuizAccess:
    """The gate for answering an attempt already started: the learner is still enrolled
    in the live course. The quiz's release rules are not checked again (the outline is
    not computed): the attempt was started through `open_quiz_in_or_abort`, and its
    answers are saved and handed in until it is submitted or its time runs out, even
    if an override has since moved its module's opening date."""
    profile, enrolment = require_enrolment(live_course_or_404(course))
    return QuizAccess(course, quiz, profile, enrolment)


#: Each kind of outline item's page: (endpoint, the argument naming the item).
ITEM_PAGES = {
    "lesson": ("learning.lesson", "lesson_slug"),
    "evaluation": ("evaluations.evaluation", "evaluation_slug"),
    "quiz": ("quizzes.quiz", "quiz_slug"),
}
_SLUG = "lms-item-slug"


def item_url(course_slug: str, item: ItemView | None) -> str:
    """The page of an outline item (the course's home when there is none).

    `url_for` is built once a request per course and kind, and the item's slug put in
    (slugs are URL-safe, checked when courses load): an outline links every item, and
    routing each link was a tenth of a lesson page's time."""
    if item is None:
        return lms_url_for("learning.course_home", slug=course_slug)
    built: dict[tuple[str, str], str] = g.setdefault("lms_item_urls", {})
    pattern = built.get((course_slug, item.kind))
    if pattern is None:
        endpoint, argument = ITEM_PAGES[item.kind]
        pattern = lms_url_for(endpoint, slug=course_slug, **{argument: _SLUG})
        built[(course_slug, item.kind)] = pattern
    return pattern.replace(_SLUG, item.slug)
