"""Admin pages."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from lms.access import current_profile, role_required
from lms.admin.pages import admin_links
from lms.admin.removal import remove_person
from lms.admin.roles import RoleError, change_role
from lms.database import session, valid_id
from lms.models import OutboxMessage, Profile, Role
from lms.web import lms_blueprint, lms_url_for, page_number

bp = lms_blueprint("admin", __name__)

OUTBOX_PAGE_SIZE = 20
USERS_PAGE_SIZE = 50


@bp.get("/admin")
@role_required(Role.ADMIN)
def index() -> str:
    """The admin home: every admin page, with what it is for."""
    return render_template("lms/admin/index.html", pages=admin_links())


@bp.get("/admin/outbox")
@role_required(Role.ADMIN)
def outbox() -> str:
    """Every mail the LMS sent or tried to send, newest first."""
    page = page_number()
    query = sa.select(OutboxMessage).order_by(
        OutboxMessage.created_at.desc(), OutboxMessage.id.desc()
    )
    messages = current_app.extensions["sqlalchemy"].paginate(
        query, page=page, per_page=OUTBOX_PAGE_SIZE, error_out=False
    )
    smtp = bool(current_app.config.get("LMS_SMTP_HOST"))
    return render_template("lms/admin/outbox.html", messages=messages, smtp=smtp)


@bp.get("/admin/jobs")
@role_required(Role.ADMIN)
def jobs() -> str:
    """Background jobs: counts by state, the dead ones with their error, the retrying."""
    from lms.jobs import counts, jobs_in
    from lms.models import JobState

    waiting = [job for job in jobs_in(JobState.PENDING) if job.attempts > 0]
    return render_template(
        "lms/admin/jobs.html",
        counts=counts(),
        dead=jobs_in(JobState.DEAD),
        waiting=waiting,
        max_attempts=current_app.config["LMS_JOBS_MAX_ATTEMPTS"],
    )


class JobForm(FlaskForm):
    """Retry or discard: no fields, the CSRF token only."""


def _act_on_job(job_id: int, action: Callable[[int], bool], done: str) -> Response:
    if not JobForm().validate_on_submit():
        abort(400, description="The form has expired. Reload the page and try again.")
    if not (valid_id(job_id) and action(job_id)):
        session.rollback()
        abort(404, description="There is no such dead job (it may have been retried already).")
    session.commit()
    flash(f"Job {job_id} {done}.")
    return redirect(lms_url_for("admin.jobs"))


@bp.post("/admin/jobs/<lms_id:job_id>/retry")
@role_required(Role.ADMIN)
def retry_job(job_id: int) -> Response:
    from lms.jobs import retry

    return _act_on_job(job_id, retry, "will be retried now")


@bp.post("/admin/jobs/<lms_id:job_id>/discard")
@role_required(Role.ADMIN)
def discard_job(job_id: int) -> Response:
    from lms.jobs import discard

    return _act_on_job(job_id, discard, "discarded")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(r.value, r.value.capitalize()) for r in Role])


@bp.get("/admin/users")
@role_required(Role.ADMIN)
def users() -> str:
    """People and their roles, searchable by name or email."""
    # No NUL: PostgreSQL refuses it in a query parameter (that was a 500).
    search = (request.args.get("q") or "").replace("\x00", "").strip()[:200]
    page = page_number()
    query = sa.select(Profile).order_by(Profile.display_name, Profile.id)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            sa.or_(
                sa.func.lower(Profile.email).like(pattern),
                sa.func.lower(Profile.display_name).like(pattern),
            )
        )
    people = current_app.extensions["sqlalchemy"].paginate(
        query, page=page, per_page=USERS_PAGE_SIZE, error_out=False
    )
    return render_template("lms/admin/users.html", people=people, search=search, roles=list(Role))


@bp.post("/admin/users/<lms_id:profile_id>/role")
@role_required(Role.ADMIN)
def set_role(profile_id: int) -> Response:
    """Change one person's role."""
    profile = session.get(Profile, profile_id) if valid_id(profile_id) else None
    if profile is None:
        abort(404, description="There is no such person.")
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400, description="Choose a role: learner, instructor or admin.")
    actor = current_profile()
    assert actor is not None
    try:
        change_role(actor, profile, Role(form.role.data))
    except RoleError as error:
        session.rollback()
        abort(409, description=str(error))
    session.commit()
    flash(f"{profile.display_name} is now {profile.role.value}.")
    return redirect(lms_url_for("admin.users", q=request.args.get("q") or None))


class RemovePersonForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        validators=[
            InputRequired("Give the reason: it is kept in the CE record."),
            Length(max=2000, message="Keep the reason under 2,000 characters."),
        ],
    )
    understood = BooleanField(
        "I understand that this cannot be undone",
        validators=[DataRequired("Tick the box to confirm.")],
    )


def _person_or_404(profile_id: int) -> Profile:
    profile = session.get(Profile, profile_id) if valid_id(profile_id) else None
    if profile is None:
        abort(404, description="There is no such person.")
    return profile


@bp.route("/admin/users/<lms_id:profile_id>/remove", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def remove_user(profile_id: int) -> str | Response | tuple[str, int]:
    """Remove a person: what it does, then (confirmed, with a reason) do it."""
    profile = _person_or_404(profile_id)
    form = RemovePersonForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("lms/admin/remove_user.html", person=profile, form=form), status
    actor = current_profile()
    assert actor is not None
    name = profile.display_name
    try:
        remove_person(actor, profile, form.reason.data.strip())
    except RoleError as error:
        session.rollback()
        abort(409, description=str(error))
    session.commit()
    flash(f"{name} was removed. Their CE record and certificates are kept, under a pseudonym.")
    return redirect(lms_url_for("admin.users"))
