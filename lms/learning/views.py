"""Learner pages: course home, enrolment, lessons, dashboard."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, flash, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response

from lms.access import current_profile, login_required
from lms.ce.details import ce_details
from lms.ce.gates import Gate, certificate_gates
from lms.certificates.service import any_certificate
from lms.cohorts import checkin
from lms.database import session, utcnow
from lms.learning import dashboard as dashboard_rules
from lms.learning.calendar_views import register as register_calendar_views
from lms.learning.completion import update_completion
from lms.learning.enrolment import (
    EnrolmentError,
    active_enrolment,
    enrol_self_paced,
    join_by_code,
    join_cohort,
    leave,
    seats_left,
)
from lms.learning.forms import InviteCodeForm
from lms.learning.gate import (
    LessonAccess,
    get_course_or_404,
    item_url,
    open_lesson_or_abort,
    require_enrolment,
)
from lms.learning.lessons import mark_complete
from lms.learning.progress import course_outline
from lms.learning.reading import (
    ReadingError,
    credit_on_completion,
    reading_minimum,
    report_time,
    view_token,
)
from lms.models import Attendance, Cohort, LiveSession, Profile
from lms.throttle import throttle
from lms.web import lms_blueprint, lms_url_for

bp = lms_blueprint("learning", __name__)
security_log = logging.getLogger("lms.security")


def _profile() -> Any:
    profile = current_profile()
    assert profile is not None  # login_required ran
    return profile


@bp.get("/courses/<slug>/")
def course_home(slug: str) -> str:
    """A course's home: outline with statuses and what is next, or how to enrol."""
    course = get_course_or_404(slug)
    profile = current_profile()
    enrolment = active_enrolment(profile, course) if profile else None
    outline = course_outline(enrolment) if enrolment else None
    cohorts = []
    if enrolment is None:
        cohorts = [
            (cohort, seats_left(cohort))
            for cohort in session.scalars(
                sa.select(Cohort)
                .where(Cohort.course_id == course.id, Cohort.is_open.is_(True))
                .order_by(Cohort.starts_on)
            )
        ]
    live_sessions: list[LiveSession] = []
    certificate = None
    gates: list[Gate] = []
    if enrolment is not None and outline is not None:
        if enrolment.cohort is not None:
            live_sessions = list(enrolment.cohort.live_sessions)
        certificate = any_certificate(enrolment)
        if certificate is None and (course.ce or course.ce_hours):
            gates = certificate_gates(enrolment, outline)
    return render_template(
        "lms/learning/course.html",
        course=course,
        enrolment=enrolment,
        outline=outline,
        cohorts=cohorts,
        live_sessions=live_sessions,
        certificate=certificate,
        gates=gates,
        ce=ce_details(course),
        invite_form=InviteCodeForm(),
        now=utcnow(),
    )


@bp.post("/courses/<slug>/enrol")
@login_required
def enrol(slug: str) -> Response:
    """Enrol in a self-paced course (one click; coming back keeps progress)."""
    course = get_course_or_404(slug)
    try:
        enrol_self_paced(_profile(), course)
    except EnrolmentError as error:
        session.rollback()
        abort(409, description=str(error))
    session.commit()
    flash(f"You are enrolled in “{course.title}”.")
    return redirect(lms_url_for("learning.course_home", slug=course.slug))


@bp.post("/courses/<slug>/cohorts/<lms_id:cohort_id>/join")
@login_required
def join(slug: str, cohort_id: int) -> Response:
    """Join an open cohort with a seat left."""
    course = get_course_or_404(slug)
    cohort = session.get(Cohort, cohort_id)
    if cohort is None or cohort.course_id != course.id:
        abort(404, description="This course has no such cohort.")
    try:
        join_cohort(_profile(), cohort)
    except EnrolmentError as error:
        session.rollback()
        abort(409, description=str(error))
    session.commit()
    flash(f"You joined “{cohort.name}”.")
    return redirect(lms_url_for("learning.course_home", slug=course.slug))


#: Invite-code tries (right or wrong) per learner and per network address: enough for a
#: mistyped code or two, far too few to guess one.
JOIN_PER_LEARNER = "10 per hour"
JOIN_PER_ADDRESS = "30 per hour"
TOO_MANY_CODES = "Too many invite codes tried. Wait a while, or ask for the code again."


@bp.route("/join", methods=["GET", "POST"])
@login_required
def join_with_code() -> str | Response:
    """Join a cohort with an invite code (throttled: codes must not be guessable)."""
    form = InviteCodeForm(code=request.args.get("code", "")[:32] or None)
    if form.validate_on_submit():
        profile = _profile()
        address = request.remote_addr or "unknown"
        throttle("join-learner", JOIN_PER_LEARNER, f"profile:{profile.id}", TOO_MANY_CODES)
        throttle("join-address", JOIN_PER_ADDRESS, f"address:{address}", TOO_MANY_CODES)
        try:
            enrolment = join_by_code(profile, form.code.data or "")
        except EnrolmentError as error:
            session.rollback()
            security_log.warning(
                "Invite code refused for profile %s from %s: %s", profile.id, address, error
            )
            form.code.errors.append(str(error))
        else:
            session.commit()
            flash(f"You joined “{enrolment.cohort.name if enrolment.cohort else ''}”.")
            return redirect(lms_url_for("learning.course_home", slug=enrolment.course.slug))
    status = 400 if form.errors else 200
    return render_template("lms/learning/join.html", form=form), status  # type: ignore[return-value]


@bp.post("/courses/<slug>/leave")
@login_required
def leave_course(slug: str) -> Response:
    """Leave a course; progress is kept for when the learner comes back."""
    course = get_course_or_404(slug)
    _, enrolment = require_enrolment(course)
    leave(enrolment)
    session.commit()
    flash(f"You left “{course.title}”. Your progress is kept if you come back.")
    return redirect(lms_url_for("learning.dashboard"))


@bp.get("/courses/<slug>/lessons/<lesson_slug>")
@login_required
def lesson(slug: str, lesson_slug: str) -> str:
    """A lesson: its content, where it sits in the course, previous and next."""
    return render_lesson(open_lesson_or_abort(slug, lesson_slug))


def render_lesson(
    access: LessonAccess, complete_error: str | None = None, check_in_error: str | None = None
) -> str:
    previous, following = access.outline.neighbours(access.item)
    live_sessions: list[LiveSession] = []
    if access.enrolment.cohort is not None and access.lesson.kind.value == "live-session":
        live_sessions = [
            s
            for s in access.enrolment.cohort.live_sessions
            if s.module_id == access.lesson.module_id
        ]
    return render_template(
        "lms/learning/lesson.html",
        course=access.course,
        lesson=access.lesson,
        item=access.item,
        outline=access.outline,
        previous=previous,
        following=following,
        live_sessions=live_sessions,
        attendance=attendance_of(access.profile, live_sessions),
        check_in_open=any(checkin.is_open(live) for live in live_sessions),
        ping_seconds=current_app.config["LMS_PING_MAX_SECONDS"] // 2,
        view_token=view_token(access.profile, access.lesson),
        minimum=reading_minimum(
            access.course, access.lesson, access.enrolment, access.item.progress
        ),
        complete_error=complete_error,
        check_in_error=check_in_error,
    )


def attendance_of(profile: Profile, live_sessions: list[LiveSession]) -> dict[int, Attendance]:
    """The learner's attendance at these sessions, by session id."""
    if not live_sessions:
        return {}
    return {
        a.live_session_id: a
        for a in session.scalars(
            sa.select(Attendance).where(
                Attendance.profile_id == profile.id,
                Attendance.live_session_id.in_([live.id for live in live_sessions]),
            )
        )
    }


@bp.post("/courses/<slug>/lessons/<lesson_slug>/check-in")
@login_required
def check_in(slug: str, lesson_slug: str) -> Response | tuple[str, int]:
    """Record the learner's attendance with the code given during the live session."""
    access = open_lesson_or_abort(slug, lesson_slug)
    sessions = [
        live
        for live in (access.enrolment.cohort.live_sessions if access.enrolment.cohort else [])
        if live.module_id == access.lesson.module_id
    ]
    try:
        checkin.check_in(access.profile, sessions, request.form.get("code", "")[:40])
    except checkin.CheckInError as error:
        session.commit()  # a wrong code is counted
        return render_lesson(access, check_in_error=str(error)), 400
    update_completion(access.enrolment)
    session.commit()
    flash("Your attendance is recorded. Thank you for checking in.")
    return redirect(lms_url_for("learning.lesson", slug=slug, lesson_slug=lesson_slug))


LIVE_SESSION_NOT_SELF_COMPLETED = (
    "A live session is completed by attending it: your instructor records your attendance, "
    "or you enter the check-in code given during the session."
)


@bp.post("/courses/<slug>/lessons/<lesson_slug>/complete")
@login_required
def complete_lesson(slug: str, lesson_slug: str) -> Response | tuple[str, int]:
    """Mark a lesson complete (idempotent) and go on to the next item.

    In a course with CE credit, refused for live sessions (attendance completes them) and
    until the learner has spent the minimum time on the page.
    """
    access = open_lesson_or_abort(slug, lesson_slug)
    if access.lesson.kind.value == "live-session" and access.course.ce:
        return render_lesson(access, LIVE_SESSION_NOT_SELF_COMPLETED), 409
    progress = None
    if access.item.status.value != "complete":
        progress = credit_on_completion(
            access.profile,
            access.lesson,
            request.form.get("view"),
            scripted=request.form.get("scripted") == "1",
        )
        minimum = reading_minimum(access.course, access.lesson, access.enrolment, progress)
        if not minimum.met:
            session.commit()  # the time just spent counts, even though it is not enough
            return render_lesson(access, minimum.message()), 409
    mark_complete(access.profile, access.lesson, progress=progress)
    certificate = update_completion(access.enrolment)
    session.commit()
    if certificate is not None:
        flash("You have completed the course. Your certificate is ready.")
        return redirect(lms_url_for("learning.course_home", slug=slug))
    _previous, following = access.outline.neighbours(access.item)
    return redirect(item_url(slug, following))


@bp.post("/courses/<slug>/lessons/<lesson_slug>/ping")
@login_required
def ping(slug: str, lesson_slug: str) -> Response | tuple[Response, int]:
    """The open lesson page reports active reading time: {"view": token, "seconds": n}."""
    access = open_lesson_or_abort(slug, lesson_slug)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return jsonify(error='Send {"view": ..., "seconds": ...} as JSON.'), 400
    try:
        progress = report_time(
            access.profile, access.lesson, payload.get("view"), payload.get("seconds")
        )
    except ReadingError as error:
        session.rollback()
        return jsonify(error=str(error)), 400
    minimum = reading_minimum(access.course, access.lesson, access.enrolment, progress)
    session.commit()
    return jsonify(
        active_seconds=progress.active_seconds, remaining_seconds=minimum.remaining_seconds
    )


@bp.get("/dashboard")
@login_required
def dashboard() -> str:
    """My learning: each course's progress and next step, what is due, feedback, certificates."""
    return render_template("lms/learning/dashboard.html", **dashboard_rules.summary(_profile()))


register_calendar_views(bp)
