"""The profile page, and the first-visit page that asks a host's user for what is missing."""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from lms.access import current_profile, login_required
from lms.database import session
from lms.models import Account, Profession, Profile
from lms.profile.forms import LICENCE_HINT, REPORTING_HINT, CompleteProfileForm, ProfileForm
from lms.web import has_own_accounts, lms_blueprint, lms_url_for, safe_next

bp = lms_blueprint("profile", __name__)


@bp.context_processor
def hints() -> dict[str, str]:
    return {"licence_hint": LICENCE_HINT, "reporting_hint": REPORTING_HINT}


def signed_in_profile() -> Profile:
    profile = current_profile()
    assert profile is not None  # login_required ran first
    return profile


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def edit() -> str | Response:
    """Profession, licence and time zone; and the name, when the LMS has its own accounts."""
    profile = signed_in_profile()
    standalone = has_own_accounts()
    form = ProfileForm(
        data={
            "display_name": profile.display_name,
            "profession": profile.profession.value if profile.profession else "",
            "licence_type": profile.licence_type or "",
            "licence_number": profile.licence_number or "",
            "timezone": profile.timezone,
            "board_id": profile.board_id or "",
            "birth_month": str(profile.birth_month or ""),
            "birth_day": profile.birth_day,
        }
        if request.method == "GET"
        else None
    )
    if not standalone:
        del form.display_name  # the host app owns the name
    if form.validate_on_submit():
        if standalone:
            account = session.get(Account, int(current_user.get_id()))
            if account is not None:
                account.name = form.display_name.data or account.name
            profile.display_name = form.display_name.data or profile.display_name
        profile.profession = Profession(form.profession.data)
        profile.licence_type = form.licence_type.data or None
        profile.licence_number = form.licence_number.data or None
        profile.timezone = form.timezone.data or profile.timezone
        profile.board_id = form.board_id.data or None
        profile.birth_month = int(form.birth_month.data) if form.birth_month.data else None
        profile.birth_day = form.birth_day.data
        session.commit()
        flash("Your profile is saved.")
        return redirect(lms_url_for("profile.edit"))
    return render_template(
        "lms/profile/edit.html", form=form, profile=profile, standalone=standalone
    )


@bp.route("/profile/complete", methods=["GET", "POST"])
@login_required
def complete() -> str | Response:
    """First visit: ask only for what the LMS lacks (profession; licence, optional)."""
    profile = signed_in_profile()
    next_page = safe_next(request.args.get("next"), lms_url_for("catalogue.index"))
    if profile.profession is not None:
        return redirect(next_page)
    form = CompleteProfileForm()
    if profile.licence_type or profile.licence_number:
        del form.licence_type, form.licence_number
    if form.validate_on_submit():
        profile.profession = Profession(form.profession.data)
        if "licence_type" in form:
            profile.licence_type = form.licence_type.data or None
            profile.licence_number = form.licence_number.data or None
        session.commit()
        flash("Thank you. Your profile is ready.")
        return redirect(next_page)
    return render_template("lms/profile/complete.html", form=form, profile=profile)
