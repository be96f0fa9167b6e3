"""Deep Linking 2.0: what an instructor may add to a platform course, as content items.

Every course with its modules, lessons and quizzes; a quiz comes with a line item (100
points, tagged with the quiz), so the platform makes a gradebook column for it and the
scores go there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from lms.database import session
from lms.links import external_url
from lms.models import Course


@dataclass(frozen=True)
class Choice:
    value: str  # "course:<id>", "module:<id>", "lesson:<id>", "quiz:<id>"
    title: str
    url: str
    graded: bool = False
    depth: int = 0


def _live(rows: list[Any]) -> list[Any]:
    return [row for row in rows if not getattr(row, "is_retired", False)]


def choices() -> list[Choice]:
    """Everything that can be linked, course by course, in course order."""
    found: list[Choice] = []
    for course in _live(list(session.scalars(sa.select(Course).order_by(Course.title)))):
        home = external_url("learning.course_home", slug=course.slug)
        found.append(Choice(f"course:{course.id}", course.title, home))
        for module in _live(course.modules):
            url = external_url("learning.course_home", slug=course.slug, module=module.slug)
            found.append(Choice(f"module:{module.id}", module.title, url, depth=1))
            for lesson in _live(module.lessons):
                url = external_url("learning.lesson", slug=course.slug, lesson_slug=lesson.slug)
                found.append(Choice(f"lesson:{lesson.id}", lesson.title, url, depth=2))
            for quiz in _live(module.quizzes):
                url = external_url("quizzes.quiz", slug=course.slug, quiz_slug=quiz.slug)
                found.append(Choice(f"quiz:{quiz.id}", quiz.title, url, graded=True, depth=2))
    return found


def content_items(selected: list[str]) -> list[DeepLinkResource]:
    """The content items for the chosen values (unknown values are ignored)."""
    by_value = {choice.value: choice for choice in choices()}
    items = []
    for value in selected:
        choice = by_value.get(value)
        if choice is None:
            continue
        item = DeepLinkResource().set_url(choice.url).set_title(choice.title)
        if choice.graded:
            quiz_id = value.split(":", 1)[1]
            item.set_lineitem(
                LineItem()
                .set_label(choice.title)
                .set_score_maximum(100)
                .set_resource_id(f"lms-quiz-{quiz_id}")
                .set_tag(f"lms-quiz-{quiz_id}")
            )
        items.append(item)
    return items
