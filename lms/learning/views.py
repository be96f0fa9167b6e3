"""Learner pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template

from lms.access import login_required
from lms.database import session
from lms.models import Course, Lesson
from lms.web import lms_blueprint

bp = lms_blueprint("learning", __name__)


def get_course(slug: str) -> Course:
    course = session.scalar(sa.select(Course).where(Course.slug == slug))
    if course is None or course.is_retired:
        abort(404, description="There is no course at this address.")
    return course


@bp.get("/courses/<slug>/")
def course_home(slug: str) -> str:
    """A course's home: its modules and lessons."""
    return render_template("lms/learning/course.html", course=get_course(slug))


@bp.get("/courses/<slug>/lessons/<lesson_slug>")
@login_required
def lesson(slug: str, lesson_slug: str) -> str:
    """One lesson's rendered content."""
    course = get_course(slug)
    found = session.scalar(
        sa.select(Lesson).where(Lesson.course_id == course.id, Lesson.slug == lesson_slug)
    )
    if found is None or found.is_retired:
        abort(404, description="This course has no such lesson.")
    return render_template("lms/learning/lesson.html", course=course, lesson=found)
