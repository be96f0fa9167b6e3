"""A live session's calendar file, for the learners of its cohort (others get a 404)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, request

from lms.access import login_required
from lms.database import session, utcnow, valid_id
from lms.learning.calendar_file import live_session_ics
from lms.learning.gate import get_course_or_404, require_enrolment
from lms.learning.structure import course_structure
from lms.models import LessonKind, LiveSession
from lms.web import lms_url_for


def session_page(course_id: int, live: LiveSession) -> str:
    """The live session's page in the course (its module's live-session lesson), or the
    course's home."""
    structure = course_structure(course_id)
    for module in structure.modules:
        if module.id != live.module_id:
            continue
        for lesson in module.lessons:
            if lesson.kind is LessonKind.LIVE_SESSION and not lesson.is_retired:
                return lms_url_for(
                    "learning.lesson", slug=structure.slug, lesson_slug=lesson.slug, _external=True
                )
    return lms_url_for("learning.course_home", slug=structure.slug, _external=True)


def live_session_calendar(slug: str, session_id: int) -> Response:
    """The session as an .ics file to add to a calendar."""
    course = get_course_or_404(slug)
    _profile, enrolment = require_enrolment(course)
    live = session.get(LiveSession, session_id) if valid_id(session_id) else None
    if live is None or enrolment.cohort_id is None or live.cohort_id != enrolment.cohort_id:
        abort(404, description="Your cohort has no such live session.")
    body = live_session_ics(
        live,
        course_title=course.title,
        site_name=current_app.config["LMS_SITE_NAME"],
        uid_domain=urlsplit(request.host_url).hostname or "lms",
        page_url=session_page(course.id, live),
        now=utcnow(),
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="live-session-{live.id}.ics"'},
    )


def register(bp: Blueprint) -> None:
    bp.add_url_rule(
        "/courses/<slug>/live-sessions/<lms_id:session_id>.ics",
        "live_session_calendar",
        login_required(live_session_calendar),
    )
