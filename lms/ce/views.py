"""CE pages of a course: its CE information, the disclosure learners acknowledge, and
its course pages (references, glossary)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request
from werkzeug.wrappers import Response

from lms.access import login_required
from lms.ce import admin_views
from lms.ce.details import ce_details
from lms.ce.disclosure import acknowledge
from lms.database import lock_row, session
from lms.learning.gate import get_course_or_404, require_enrolment
from lms.models import CoursePage, Enrolment
from lms.web import lms_blueprint, lms_url_for, safe_next

bp = lms_blueprint("ce", __name__)
admin_views.register(bp)


@bp.get("/courses/<slug>/ce")
def information(slug: str) -> str:
    """Public: the course's CE information (provider, credit, disclosure, dates)."""
    course = get_course_or_404(slug)
    details = ce_details(course)
    if details is None:
        abort(404, description="This course gives no CE credit.")
    return render_template("lms/ce/information.html", course=course, details=details)


@bp.route("/courses/<slug>/disclosure", methods=["GET", "POST"])
@login_required
def disclosure(slug: str) -> str | Response:
    """The disclosure to acknowledge before the first lesson."""
    course = get_course_or_404(slug)
    details = ce_details(course)
    if details is None:
        abort(404, description="This course gives no CE credit, so it has no disclosure.")
    _profile, enrolment = require_enrolment(course)
    next_page = safe_next(
        request.values.get("next"), lms_url_for("learning.course_home", slug=slug)
    )
    if request.method == "POST":
        lock_row(Enrolment, enrolment.id)  # a double click records one acknowledgement
        session.refresh(enrolment)
        if acknowledge(enrolment):
            flash("Thank you: your acknowledgement is recorded.")
        session.commit()
        return redirect(next_page)
    return render_template(
        "lms/ce/disclosure.html",
        course=course,
        details=details,
        enrolment=enrolment,
        next_page=next_page,
    )


@bp.get("/courses/<slug>/pages/<page_slug>")
def page(slug: str, page_slug: str) -> str:
    """Public: one of the course's pages."""
    course = get_course_or_404(slug)
    found = session.scalar(
        sa.select(CoursePage).where(CoursePage.course_id == course.id, CoursePage.slug == page_slug)
    )
    if found is None:
        abort(404, description="This course has no such page.")
    return render_template("lms/ce/page.html", course=course, page=found)
