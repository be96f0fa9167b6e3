"""Teaching pages about a cohort's people and meetings: live sessions, attendance,
enrolment, per-learner dates and extra time. Registered on the `cohorts` blueprint by
`lms.cohorts.views` (the access rules are listed there).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request
from werkzeug.wrappers import Response

from lms.cohorts import checkin, service
from lms.cohorts import people as people_ops
from lms.cohorts.calendar import to_local
from lms.cohorts.forms import BulkEnrolForm, LiveSessionForm, attendance_form, learner_form
from lms.cohorts.notices import tell_people
from lms.cohorts.roster import cell_state
from lms.cohorts.scope import cohort_or_404, staff_profile, staff_required
from lms.database import lock_row, session, utcnow, valid_id
from lms.learning.progress import course_outline
from lms.models import AttendanceStatus, Cohort, CohortModule, Enrolment, LiveSession, Profile
from lms.web import lms_url_for

Page = str | Response | tuple[str, int]


def page(template: str, form: Any = None, /, **context: Any) -> tuple[str, int]:
    """A teaching page; 400 when it shows a form with errors."""
    status = 400 if form is not None and form.errors else 200
    return render_template(f"lms/cohorts/{template}", **context), status


def _session_or_404(cohort: Cohort, session_id: int) -> LiveSession:
    live = session.get(LiveSession, session_id) if valid_id(session_id) else None
    if live is None or live.cohort_id != cohort.id:
        abort(404, description="This cohort has no such live session.")
    return live


def _enrolment_or_404(cohort: Cohort, enrolment_id: int) -> Enrolment:
    enrolment = None
    if valid_id(enrolment_id):
        enrolment = people_ops.cohort_enrolment(cohort, enrolment_id)
    if enrolment is None:
        abort(404, description="This cohort has no such learner.")
    return enrolment


# Live sessions -------------------------------------------------------------------------


def _save_session(cohort: Cohort, live: LiveSession | None, form: LiveSessionForm) -> bool:
    try:
        service.save_live_session(
            cohort,
            live,
            title=form.title.data or "",
            module_id=form.module_id,
            starts_at=form.starts_at,  # type: ignore[arg-type]
            duration_minutes=form.duration_minutes.data or 0,
            location=form.location.data or "",
            make_up=form.make_up.data or "",
        )
    except service.CohortError as error:
        session.rollback()
        form.module.errors = [*form.module.errors, str(error)]
        return False
    session.commit()
    return True


@staff_required
def sessions(cohort_id: int) -> Page:
    """The cohort's live sessions, and a form to add one."""
    cohort = cohort_or_404(staff_profile(), cohort_id)
    form = LiveSessionForm(
        modules=service.live_modules(cohort),
        timezone=cohort.timezone,
        data={"duration_minutes": 90},
    )
    if form.validate_on_submit() and _save_session(cohort, None, form):
        flash(f"Live session “{form.title.data}” added.")
        return redirect(lms_url_for("cohorts.sessions", cohort_id=cohort.id))
    return page("sessions.html", form, cohort=cohort, form=form)


@staff_required
def edit_session(cohort_id: int, session_id: int) -> Page:
    """Change a live session's details."""
    cohort = cohort_or_404(staff_profile(), cohort_id)
    live = _session_or_404(cohort, session_id)
    local = to_local(live.starts_at, cohort.timezone)
    assert local is not None
    form = LiveSessionForm(
        modules=service.live_modules(cohort),
        timezone=cohort.timezone,
        data={
            "title": live.title,
            "module": str(live.module_id or ""),
            "day": local.date(),
            "start": local.time(),
            "duration_minutes": live.duration_minutes,
            "location": live.location,
            "make_up": live.make_up,
        },
    )
    if form.validate_on_submit() and _save_session(cohort, live, form):
        flash(f"Live session “{form.title.data}” saved.")
        return redirect(lms_url_for("cohorts.sessions", cohort_id=cohort.id))
    return page("session_form.html", form, cohort=cohort, live=live, form=form)


@staff_required
def delete_session(cohort_id: int, session_id: int) -> Response:
    """Delete a live session (refused once attendance has been taken)."""
    cohort = cohort_or_404(staff_profile(), cohort_id)
    live = _session_or_404(cohort, session_id)
    title = live.title
    try:
        service.delete_live_session(live)
    except service.CohortError as error:
        session.rollback()
        abort(409, description=str(error))
    session.commit()
    flash(f"Live session “{title}” deleted.")
    return redirect(lms_url_for("cohorts.sessions", cohort_id=cohort.id))


@staff_required
def attendance(cohort_id: int, session_id: int) -> Page:
    """Mark each learner present, late or absent (marking again only changes what changed)."""
    profile = staff_profile()
    cohort = cohort_or_404(profile, cohort_id)
    live = _session_or_404(cohort, session_id)
    enrolments = people_ops.cohort_learners(cohort)
    learners = [e.profile for e in enrolments]
    marked = people_ops.attendance_of_session(live)
    form = attendance_form(
        learners, data={f"mark_{pid}": a.status.value for pid, a in marked.items()}
    )
    if form.validate_on_submit():
        marks = form.marks()
        if request.form.get("all_present"):
            marks = {pid: marks.get(pid, AttendanceStatus.PRESENT) for pid in form.profile_ids}
        count = people_ops.mark_attendance(live, marks, profile)
        session.commit()
        flash(f"Attendance saved for {count} learner{'s' if count != 1 else ''}.")
        return redirect(lms_url_for("cohorts.attendance", cohort_id=cohort.id, session_id=live.id))
    markers = {
        p.id: p
        for p in session.scalars(
            sa.select(Profile).where(Profile.id.in_({a.marked_by_id for a in marked.values()}))
        )
    }
    opens, closes = checkin.window(live)
    return page(
        "attendance.html",
        form,
        cohort=cohort,
        live=live,
        check_in_opens=opens,
        check_in_closes=closes,
        form=form,
        learners=learners,
        marked=marked,
        markers=markers,
    )


@staff_required
def check_in_code(cohort_id: int, session_id: int) -> Response:
    """Create the session's check-in code (the attendance page shows it)."""
    cohort = cohort_or_404(staff_profile(), cohort_id)
    live = _session_or_404(cohort, session_id)
    lock_row(LiveSession, live.id)  # two instructors at once get the same code
    session.refresh(live)
    checkin.ensure_code(live)
    session.commit()
    return redirect(lms_url_for("cohorts.attendance", cohort_id=cohort.id, session_id=live.id))


# People --------------------------------------------------------------------------------


@staff_required
def people(cohort_id: int) -> Page:
    """The cohort's learners; paste emails to enrol many learners at once (each line
    reported, each person told) or invite the other addresses."""
    staff = staff_profile()
    cohort = cohort_or_404(staff, cohort_id)
    form = BulkEnrolForm()
    report = None
    if form.validate_on_submit():
        try:
            report = people_ops.bulk_enrol(cohort, form.emails.data or "")
            tell_people(cohort, report, staff)
            session.commit()
        except sa.exc.IntegrityError:  # a learner joined another cohort at that moment
            session.rollback()
            abort(409, description="Enrolments changed while this list was saved. Paste again.")
        form = BulkEnrolForm(formdata=None)
    return page(
        "people.html",
        form,
        cohort=cohort,
        form=form,
        report=report,
        learners=people_ops.cohort_learners(cohort),
        withdrawn=people_ops.cohort_learners(cohort, withdrawn=True),
    )


@staff_required
def learner(cohort_id: int, enrolment_id: int) -> Page:
    """One learner: module statuses, their own dates, extra quiz time and attendance."""
    cohort = cohort_or_404(staff_profile(), cohort_id)
    enrolment = _enrolment_or_404(cohort, enrolment_id)
    modules = service.live_modules(cohort)
    zone = cohort.timezone
    calendar: dict[int, CohortModule] = {line.module_id: line for line in cohort.calendar}
    defaults = {
        m.id: (calendar[m.id].opens_at, calendar[m.id].due_at) if m.id in calendar else (None, None)
        for m in modules
    }
    data: dict[str, Any] = {"extra_time_percent": enrolment.extra_time_percent}
    for override in enrolment.overrides:
        data[f"opens_{override.module_id}"] = to_local(override.opens_at, zone)
        data[f"due_{override.module_id}"] = to_local(override.due_at, zone)
    form = learner_form(modules, zone, defaults, data=data)
    if form.validate_on_submit():
        people_ops.set_overrides(enrolment, form.dates(), form.extra_time_percent.data or 0)
        session.commit()
        flash(f"Saved {enrolment.profile.display_name}'s dates and extra time.")
        return redirect(
            lms_url_for("cohorts.learner", cohort_id=cohort.id, enrolment_id=enrolment.id)
        )
    now = utcnow()
    outline = course_outline(enrolment, now)
    states = {view.module.id: (view, cell_state(view, now)) for view in outline.modules}
    return page(
        "learner.html",
        form,
        cohort=cohort,
        enrolment=enrolment,
        form=form,
        modules=modules,
        calendar=calendar,
        outline=outline,
        states=states,
        attended=people_ops.attendance_of_learner(cohort, enrolment.profile_id),
    )


@staff_required
def remove_learner(cohort_id: int, enrolment_id: int) -> Response:
    """Withdraw a learner from the cohort; their progress and records are kept."""
    cohort = cohort_or_404(staff_profile(), cohort_id)
    enrolment = _enrolment_or_404(cohort, enrolment_id)
    people_ops.withdraw(enrolment)
    session.commit()
    name = enrolment.profile.display_name
    flash(f"{name} was removed from “{cohort.name}”. Their records are kept.")
    return redirect(lms_url_for("cohorts.people", cohort_id=cohort.id))


#: The URL rules of this module's pages (every one behind `staff_required` and the scope).
RULES = [
    ("/teach/cohorts/<lms_id:cohort_id>/sessions", sessions, ["GET", "POST"]),
    (
        "/teach/cohorts/<lms_id:cohort_id>/sessions/<lms_id:session_id>",
        edit_session,
        ["GET", "POST"],
    ),
    (
        "/teach/cohorts/<lms_id:cohort_id>/sessions/<lms_id:session_id>/delete",
        delete_session,
        ["POST"],
    ),
    (
        "/teach/cohorts/<lms_id:cohort_id>/sessions/<lms_id:session_id>/attendance",
        attendance,
        ["GET", "POST"],
    ),
    (
        "/teach/cohorts/<lms_id:cohort_id>/sessions/<lms_id:session_id>/check-in-code",
        check_in_code,
        ["POST"],
    ),
    ("/teach/cohorts/<lms_id:cohort_id>/people", people, ["GET", "POST"]),
    ("/teach/cohorts/<lms_id:cohort_id>/people/<lms_id:enrolment_id>", learner, ["GET", "POST"]),
    (
        "/teach/cohorts/<lms_id:cohort_id>/people/<lms_id:enrolment_id>/remove",
        remove_learner,
        ["POST"],
    ),
]


def register(bp: Blueprint) -> None:
    """Add these pages to the `cohorts` blueprint."""
    for rule, view, methods in RULES:
        bp.add_url_rule(rule, view_func=view, methods=methods)
