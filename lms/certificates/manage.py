"""Certificate management for admins: list and filter, revoke with a reason, reissue under
a new number, and the list as CSV (formula-safe)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request
from werkzeug.wrappers import Response

from lms.access import current_profile, role_required
from lms.certificates.forms import CertificateFilterForm, ReasonForm
from lms.certificates.service import CertificateError, find_certificate, reissue, revoke
from lms.database import session
from lms.gradebook.export import csv_response
from lms.models import CEEvent, Certificate, Course, Enrolment, Profile, Role
from lms.web import lms_url_for, page_number

PAGE_SIZE = 50


def filtered(form: CertificateFilterForm) -> sa.Select[tuple[Certificate]]:
    query = (
        sa.select(Certificate)
        .join(Enrolment, Certificate.enrolment_id == Enrolment.id)
        .join(Course, Enrolment.course_id == Course.id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )
    if form.course.data:
        query = query.where(Course.slug == form.course.data)
    if form.cohort.data:
        query = query.where(Enrolment.cohort_id == form.cohort.data)
    status = form.status.data
    if status == "valid":
        query = query.where(
            Certificate.revoked_at.is_(None), Certificate.superseded_by_id.is_(None)
        )
    elif status == "revoked":
        query = query.where(Certificate.revoked_at.is_not(None))
    elif status == "superseded":
        query = query.where(
            Certificate.superseded_by_id.is_not(None), Certificate.revoked_at.is_(None)
        )
    if form.issued_from.data:
        start = datetime.combine(form.issued_from.data, time.min, tzinfo=UTC)
        query = query.where(Certificate.issued_at >= start)
    if form.issued_to.data:
        end = datetime.combine(form.issued_to.data, time.min, tzinfo=UTC) + timedelta(days=1)
        query = query.where(Certificate.issued_at < end)
    return query


def _filters() -> CertificateFilterForm:
    form = CertificateFilterForm(request.args)
    if not form.validate():
        problems = "; ".join(
            f"{form[name].label.text}: {' '.join(errors)}" for name, errors in form.errors.items()
        )
        abort(400, description=f"The filters could not be read ({problems}).")
    return form


@role_required(Role.ADMIN)
def certificates() -> str:
    """Every certificate, filtered by course, cohort, date and status."""
    form = _filters()
    page = page_number()
    found = current_app.extensions["sqlalchemy"].paginate(
        filtered(form), page=page, per_page=PAGE_SIZE, error_out=False
    )
    courses = session.scalars(sa.select(Course).order_by(Course.title)).all()
    filters = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "lms/certificates/manage.html", found=found, form=form, courses=courses, filters=filters
    )


@role_required(Role.ADMIN)
def certificates_csv() -> Response:
    """The filtered list as CSV."""
    form = _filters()
    header = ["Number", "Status", "Learner", "Email", "Licence", "Course", "Credits",
              "Completed", "Issued", "Revoked", "Superseded by"]  # fmt: skip
    rows = []
    for certificate in session.scalars(filtered(form)):
        profile = certificate.enrolment.profile
        credits = "; ".join(f"{c['type']}: {c['amount']}" for c in certificate.credits)
        rows.append([
            certificate.code, certificate.status, certificate.learner_name, profile.email,
            certificate.licence or "", certificate.course_title, credits,
            _day(certificate.completed_at), _day(certificate.issued_at),
            _day(certificate.revoked_at),
            certificate.superseded_by.code if certificate.superseded_by else "",
        ])  # fmt: skip
    return csv_response("certificates.csv", header, rows)


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else ""


def _certificate_or_404(code: str) -> Certificate:
    certificate = find_certificate(code)
    if certificate is None:
        abort(404, description="No certificate has this number.")
    return certificate


def _admin() -> Profile:
    profile = current_profile()
    assert profile is not None  # role_required ran
    return profile


@role_required(Role.ADMIN)
def certificate(code: str) -> str:
    """One certificate: its status, its CE record, and revoke or reissue."""
    found = _certificate_or_404(code)
    events = session.scalars(
        sa.select(CEEvent)
        .where(CEEvent.enrolment_id == found.enrolment_id)
        .order_by(CEEvent.occurred_at, CEEvent.id)
    ).all()
    return render_template(
        "lms/certificates/manage_one.html",
        certificate=found,
        events=events,
        revoke_form=ReasonForm(prefix="revoke"),
        reissue_form=ReasonForm(prefix="reissue"),
    )


def _with_reason(code: str, action: str) -> Response | tuple[str, int]:
    found = _certificate_or_404(code)
    form = ReasonForm(prefix=action)
    if not form.validate_on_submit():
        forms = {"revoke_form": ReasonForm(prefix="revoke", formdata=None),
                 "reissue_form": ReasonForm(prefix="reissue", formdata=None)}  # fmt: skip
        forms[f"{action}_form"] = form
        page = render_template("lms/certificates/manage_one.html", certificate=found,
                               events=[], **forms)  # fmt: skip
        return page, 400
    try:
        if action == "revoke":
            changed = revoke(found, form.reason.data or "", _admin())
            message = f"Certificate {found.code} is revoked." if changed else (
                f"Certificate {found.code} was already revoked.")  # fmt: skip
            target = found
        else:
            target = reissue(found, form.reason.data or "", _admin())
            message = f"Certificate {found.code} is replaced by {target.code}."
    except CertificateError as error:
        session.rollback()
        abort(400, description=str(error))
    session.commit()
    flash(message)
    return redirect(lms_url_for("certificates.certificate", code=target.code))


@role_required(Role.ADMIN)
def revoke_certificate(code: str) -> Response | tuple[str, int]:
    """Revoke (with a reason, shown to admins only)."""
    return _with_reason(code, "revoke")


@role_required(Role.ADMIN)
def reissue_certificate(code: str) -> Response | tuple[str, int]:
    """Reissue under a new number; the old one says it was superseded."""
    return _with_reason(code, "reissue")


RULES = [
    ("/admin/certificates", certificates, ["GET"]),
    ("/admin/certificates.csv", certificates_csv, ["GET"]),
    ("/admin/certificates/<code>", certificate, ["GET"]),
    ("/admin/certificates/<code>/revoke", revoke_certificate, ["POST"]),
    ("/admin/certificates/<code>/reissue", reissue_certificate, ["POST"]),
]


def register(bp: Blueprint) -> None:
    """Add these pages to the `certificates` blueprint."""
    for rule, view, methods in RULES:
        bp.add_url_rule(rule, view_func=view, methods=methods)
