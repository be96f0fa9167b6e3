"""Learner pages: course home, enrolment, lessons, dashboard."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, flash, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response

from lms.access import current_profile, login_required
from lms.database import session, utcnow
from lms.learning import dashboard as dashboard_rules
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
from lms.learning.gate import get_course_or_404, open_lesson_or_abort, require_enrolment
from lms.learning.lessons import mark_complete, record_ping
from lms.learning.progress import course_outline
from lms.models import Certificate, Cohort, LiveSession
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
    if enrolment is not None:
        if enrolment.cohort is not None:
            live_sessions = list(enrolment.cohort.live_sessions)
        certificate = session.scalar(
            sa.select(Certificate).where(Certificate.enrolment_id == enrolment.id)
        )
    return render_template(
        "lms/learning/course.html",
        course=course,
        enrolment=enrolment,
        outline=outline,
        cohorts=cohorts,
        live_sessions=live_sessions,
        certificate=certificate,
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
    access = open_lesson_or_abort(slug, lesson_slug)
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
        ping_seconds=current_app.config["LMS_PING_MAX_SECONDS"] // 2,
    )


@bp.post("/courses/<slug>/lessons/<lesson_slug>/complete")
@login_required
def complete_lesson(slug: str, lesson_slug: str) -> Response:
    """Mark a lesson complete (idempotent) and go on to the next item."""
    access = open_lesson_or_abort(slug, lesson_slug)
    mark_complete(access.profile, access.lesson)
    certificate = update_completion(access.enrolment)
    session.commit()
    if certificate is not None:
        flash("You have completed the course. Your certificate is ready.")
        return redirect(lms_url_for("learning.course_home", slug=slug))
    _previous, following = access.outline.neighbours(access.item)
    if following is not None and following.kind == "lesson":
        return redirect(lms_url_for("learning.lesson", slug=slug, lesson_slug=following.slug))
    if following is not None:
        return redirect(lms_url_for("quizzes.quiz", slug=slug, quiz_slug=following.slug))
    return redirect(lms_url_for("learning.course_home", slug=slug))


@bp.post("/courses/<slug>/lessons/<lesson_slug>/ping")
@login_required
def ping(slug: str, lesson_slug: str) -> Response:
    """The open lesson page reports that the learner is still reading."""
    access = open_lesson_or_abort(slug, lesson_slug)
    progress = record_ping(
        access.profile, access.lesson, current_app.config["LMS_PING_MAX_SECONDS"]
    )
    session.commit()
    return jsonify(active_seconds=progress.active_seconds)


@bp.get("/dashboard")
@login_required
def dashboard() -> str:
    """My learning: each course's progress and next step, what is due, feedback, certificates."""
    return render_template("lms/learning/dashboard.html", **dashboard_rules.summary(_profile()))
