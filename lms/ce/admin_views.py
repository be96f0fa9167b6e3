"""CE exports: learners' transcripts (theirs for learners, anyone's for admins), each
activity's summary and its PARS-style learner file (admins)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, render_template, request

from lms.access import current_profile, login_required, role_required
from lms.ce.exports import (
    PARS_HEADER,
    TRANSCRIPT_HEADER,
    activity_summary,
    pars_rows,
    tab_delimited,
    transcript,
    transcript_pdf,
    transcript_rows,
)
from lms.database import session, valid_id
from lms.gradebook.export import csv_response
from lms.models import Course, Profile, Role


def _download(body: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _transcript(profile: Profile, kind: str) -> Response:
    lines = transcript(profile)
    name = f"ce-transcript-{profile.id}"
    if kind == "pdf":
        body = transcript_pdf(profile, lines, current_app.config["LMS_SITE_NAME"])
        return _download(body, "application/pdf", f"{name}.pdf")
    return csv_response(f"{name}.csv", TRANSCRIPT_HEADER, transcript_rows(lines))


@login_required
def my_transcript(kind: str) -> Response:
    """The signed-in learner's own CE transcript."""
    profile = current_profile()
    assert profile is not None
    return _transcript(profile, kind)


@role_required(Role.ADMIN)
def learner_transcript(profile_id: int, kind: str) -> Response:
    """Any learner's CE transcript."""
    profile = session.get(Profile, profile_id) if valid_id(profile_id) else None
    if profile is None:
        abort(404, description="There is no such person.")
    return _transcript(profile, kind)


def _course_or_404(slug: str) -> Course:
    course = session.scalar(sa.select(Course).where(Course.slug == slug))
    if course is None:
        abort(404, description="There is no course at this address.")
    return course


@role_required(Role.ADMIN)
def index() -> str:
    """The CE exports of every activity."""
    courses = session.scalars(sa.select(Course).order_by(Course.title)).all()
    return render_template("lms/ce/admin.html", courses=courses)


@role_required(Role.ADMIN)
def summary(slug: str) -> Response:
    """One activity's figures as CSV."""
    course = _course_or_404(slug)
    header, rows = activity_summary(course)
    return csv_response(f"{course.slug}-ce-summary.csv", header, rows)


def _date(name: str) -> date | None:
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, description=f"“{value[:20]}” is not a date: write it as 2027-01-31.")


@role_required(Role.ADMIN)
def pars(slug: str) -> Response:
    """The PARS-style learner file (tab-delimited), completions between ?from= and ?to=."""
    course = _course_or_404(slug)
    start, end = _date("from"), _date("to")
    if start and end and start > end:
        abort(400, description="The start date is after the end date.")
    body = tab_delimited(PARS_HEADER, pars_rows(course, start, end))
    return _download(body, "text/tab-separated-values", f"{course.slug}-pars.txt")


RULES = [
    ("/transcript.<any(csv, pdf):kind>", my_transcript),
    ("/admin/ce", index),
    ("/admin/ce/learners/<lms_id:profile_id>/transcript.<any(csv, pdf):kind>", learner_transcript),
    ("/admin/ce/courses/<slug>/summary.csv", summary),
    ("/admin/ce/courses/<slug>/pars.txt", pars),
]


def register(bp: Blueprint) -> None:
    for rule, view in RULES:
        bp.add_url_rule(rule, view_func=view, methods=["GET"])
