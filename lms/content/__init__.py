"""Course files: parse and check course folders (courses/README.md), render lesson Markdown.

Pure code: no database, no Flask. ``load_courses``/``check_courses`` read a tree of course
folders; ``render_markdown`` is the only place that turns author Markdown into HTML.
"""

from lms.content.loader import (
    CourseSource,
    LessonSource,
    LoadResult,
    ModuleSource,
    Problem,
    QuizSource,
    check_courses,
    load_courses,
)
from lms.content.markdown import internal_links, render_markdown

__all__ = [
    "CourseSource",
    "LessonSource",
    "LoadResult",
    "ModuleSource",
    "Problem",
    "QuizSource",
    "check_courses",
    "internal_links",
    "load_courses",
    "render_markdown",
]
