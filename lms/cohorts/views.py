"""Teaching pages: cohorts, their calendar, live sessions, instructors, people, attendance
and the roster, all under /teach.

Who may use what (`lms.policies` declares it, `scope` enforces it; another cohort's address
is a 404 for instructors):

| page                                    | admin | cohort's instructors | learners |
|-----------------------------------------|-------|----------------------|----------|
| cohort list                             | all   | their cohorts        | 403      |
| create cohort, edit settings            | yes   | 403                  | 403      |
| assign / unassign instructors           | yes   | 403                  | 403      |
| overview, calendar, live sessions       | yes   | yes                  | 403      |
| people (enrol, remove, overrides, time) | yes   | yes                  | 403      |
| attendance, roster                      | yes   | yes                  | 403      |
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, current_app, flash, redirect
from werkzeug.wrappers import Response

from lms.cohorts import service
from lms.cohorts.calendar import to_local
from lms.cohorts.forms import CohortForm, InstructorForm, calendar_form
from lms.cohorts.people_views import Page, page
from lms.cohorts.people_views import register as register_people_views
from lms.cohorts.roster import build_roster
from lms.cohorts.scope import (
    cohort_or_404,
    cohorts_in_scope,
    require_admin,
    staff_profile,
    staff_required,
)
from lms.database import session, utcnow
from lms.learning.enrolment import seats_taken, seats_taken_by_cohort
from lms.models import Cohort, Course, Profile
from lms.teaching.offerings import offerings
from lms.web import lms_blueprint, lms_url_for

bp = lms_blueprint("cohorts", __name__)


def short_time(moment: datetime | None, timezone: str) -> str:
    """e.g. "Mon 3 Mar 2025, 18:00" in the cohort's zone (the zone is shown once a page)."""
    local = to_local(moment, timezone)
    return f"{local:%a %-d %b %Y, %H:%M}" if local else ""


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {"cohort_time": short_time}


# Cohorts -------------------------------------------------------------------------------


@bp.get("/teach/cohorts")
@staff_required
def index() -> Page:
    """Teaching home: the cohorts in the user's scope, with seats taken, and the courses
    whose self-paced learners they teach."""
    profile = staff_profile()
    cohorts = session.scalars(
        cohorts_in_scope(profile)
        .options(so.joinedload(Cohort.course))
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    ).all()
    taken = seats_taken_by_cohort([c.id for c in cohorts])
    return page(
        "index.html",
        None,
        cohorts=cohorts,
        taken=taken,
        profile=profile,
        offerings=offerings(profile),
    )


def _course_choices() -> list[tuple[int, str]]:
    rows = session.execute(
        sa.select(Course.id, Course.title)
        .where(Course.retired_at.is_(None))
        .order_by(Course.position, Course.title)
    )
    return [(course_id, title) for course_id, title in rows]


@bp.route("/teach/cohorts/new", methods=["GET", "POST"])
@staff_required
def new() -> Page:
    """Create a cohort; its calendar is generated from the start date and module weeks."""
    require_admin(staff_profile())
    form = CohortForm(
        courses=_course_choices(),
        data={
            "invite_code": service.new_invite_code(),
            "timezone": current_app.config["LMS_DEFAULT_TIMEZONE"],
            "is_open": True,
        },
    )
    del form.regenerate
    if form.validate_on_submit():
        if service.invite_code_taken(form.invite_code.data or ""):
            form.invite_code.errors.append("Another cohort has this invite code. Choose another.")
        else:
            course = session.get(Course, int(form.course.data or 0))
            assert course is not None  # one of the choices
            cohort = service.create_cohort(
                course,
                form.name.data or "",
                form.starts_on.data,  # type: ignore[arg-type]
                timezone=form.timezone.data or current_app.config["LMS_DEFAULT_TIMEZONE"],
                capacity=form.capacity.data,
                is_open=form.is_open.data,
                invite_code=form.invite_code.data,
            )
            if _committed(form):
                flash(f"Cohort “{cohort.name}” created, with its calendar. Check the dates.")
                return redirect(lms_url_for("cohorts.calendar", cohort_id=cohort.id))
    return page("form.html", form, form=form, cohort=None)


def _committed(form: CohortForm) -> bool:
    """Commit; a cohort that took the same invite code a moment ago is a field error."""
    try:
        session.commit()
    except sa.exc.IntegrityError:
        session.rollback()
        form.invite_code.errors.append("Another cohort has this invite code. Choose another.")
        return False
    return True


@bp.get("/teach/cohorts/<lms_id:cohort_id>")
@staff_required
def overview(cohort_id: int) -> Page:
    """A cohort at a glance: settings, instructors, seats and the next live sessions."""
    profile = staff_profile()
    cohort = cohort_or_404(profile, cohort_id)
    upcoming = [s for s in cohort.live_sessions if s.starts_at >= utcnow()][:3]
    seats = seats_taken(cohort)
    return page(
        "overview.html", None, cohort=cohort, profile=profile, upcoming=upcoming, seats=seats
    )


@bp.route("/teach/cohorts/<lms_id:cohort_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(cohort_id: int) -> Page:
    """Change a cohort's settings; a new start date offers to regenerate the calendar."""
    cohort = cohort_or_404(staff_profile(), cohort_id, admin_only=True)
    form = CohortForm(
        courses=[(cohort.course_id, cohort.course.title)],
        data={
            "course": str(cohort.course_id),
            "name": cohort.name,
            "starts_on": cohort.starts_on,
            "timezone": cohort.timezone,
            "capacity": cohort.capacity,
            "is_open": cohort.is_open,
            "invite_code": cohort.invite_code,
        },
    )
    del form.course
    if form.validate_on_submit():
        code = form.invite_code.data or ""
        taken = seats_taken(cohort)
        if service.invite_code_taken(code, other_than=cohort.id):
            form.invite_code.errors.append("Another cohort has this invite code. Choose another.")
        elif form.capacity.data is not None and form.capacity.data < taken:
            form.capacity.errors.append(
                f"{taken} learners are already in this cohort: the capacity cannot be lower."
            )
        else:
            stale = service.update_cohort(
                cohort,
                name=form.name.data or cohort.name,
                starts_on=form.starts_on.data,  # type: ignore[arg-type]
                timezone=form.timezone.data or cohort.timezone,
                capacity=form.capacity.data,
                is_open=form.is_open.data,
                invite_code=code,
                regenerate=form.regenerate.data,
            )
            if not _committed(form):
                return page("form.html", form, form=form, cohort=cohort)
            if stale:
                flash(
                    "Saved. The start date or time zone changed but the calendar still has "
                    "its old dates: regenerate it below, or edit the dates by hand."
                )
                return redirect(lms_url_for("cohorts.calendar", cohort_id=cohort.id))
            regenerated = " Its calendar was regenerated." if form.regenerate.data else ""
            flash(f"Cohort saved.{regenerated}")
            return redirect(lms_url_for("cohorts.overview", cohort_id=cohort.id))
    return page("form.html", form, form=form, cohort=cohort)


# Calendar ------------------------------------------------------------------------------


@bp.route("/teach/cohorts/<lms_id:cohort_id>/calendar", methods=["GET", "POST"])
@staff_required
def calendar(cohort_id: int) -> Page:
    """One row per module: when it opens and is due, in the cohort's time zone."""
    cohort = cohort_or_404(staff_profile(), cohort_id)
    modules = service.live_modules(cohort)
    lines = {line.module_id: line for line in cohort.calendar}
    data: dict[str, Any] = {}
    for module in modules:
        line = lines.get(module.id)
        if line is not None:
            data[f"opens_{module.id}"] = to_local(line.opens_at, cohort.timezone)
            data[f"due_{module.id}"] = to_local(line.due_at, cohort.timezone)
    form = calendar_form(modules, cohort.timezone, data=data)
    if form.validate_on_submit():
        service.save_calendar(cohort, form.dates())
        session.commit()
        flash("Calendar saved.")
        return redirect(lms_url_for("cohorts.calendar", cohort_id=cohort.id))
    missing = [m for m in modules if m.id not in lines]
    return page(
        "calendar.html",
        form,
        cohort=cohort,
        form=form,
        modules=modules,
        missing=missing,
    )


@bp.post("/teach/cohorts/<lms_id:cohort_id>/calendar/regenerate")
@staff_required
def regenerate_calendar(cohort_id: int) -> Response:
    """Every module's dates from the start date again (replaces edits)."""
    cohort = cohort_or_404(staff_profile(), cohort_id)
    service.regenerate_calendar(cohort)
    session.commit()
    flash("The calendar was regenerated from the start date.")
    return redirect(lms_url_for("cohorts.calendar", cohort_id=cohort.id))


# Instructors ---------------------------------------------------------------------------


@bp.route("/teach/cohorts/<lms_id:cohort_id>/instructors", methods=["GET", "POST"])
@staff_required
def instructors(cohort_id: int) -> Page:
    """Assign instructors (people with the instructor or admin role) to the cohort."""
    cohort = cohort_or_404(staff_profile(), cohort_id, admin_only=True)
    candidates = service.instructor_candidates(cohort)
    form = InstructorForm(candidates=candidates)
    if form.validate_on_submit():
        person = session.get(Profile, int(form.person.data or 0))
        assert person is not None  # one of the choices
        service.assign_instructor(cohort, person)
        session.commit()
        flash(f"{person.display_name} now teaches “{cohort.name}”.")
        return redirect(lms_url_for("cohorts.instructors", cohort_id=cohort.id))
    return page("instructors.html", form, cohort=cohort, form=form)


@bp.post("/teach/cohorts/<lms_id:cohort_id>/instructors/<lms_id:profile_id>/remove")
@staff_required
def remove_instructor(cohort_id: int, profile_id: int) -> Response:
    """Unassign an instructor from the cohort."""
    cohort = cohort_or_404(staff_profile(), cohort_id, admin_only=True)
    person = next((p for p in cohort.instructors if p.id == profile_id), None)
    if person is None:
        abort(404, description="This person does not teach this cohort.")
    service.unassign_instructor(cohort, person)
    session.commit()
    flash(f"{person.display_name} no longer teaches “{cohort.name}”.")
    return redirect(lms_url_for("cohorts.instructors", cohort_id=cohort.id))


# Roster --------------------------------------------------------------------------------


@bp.get("/teach/cohorts/<lms_id:cohort_id>/roster")
@staff_required
def roster(cohort_id: int) -> Page:
    """Learners x modules, behind learners first (a fixed number of queries)."""
    cohort = cohort_or_404(staff_profile(), cohort_id)
    return page("roster.html", None, cohort=cohort, roster=build_roster(cohort))


register_people_views(bp)
