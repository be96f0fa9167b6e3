"""Evaluation pages: the learner's form, and the results staff read (no names)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request
from werkzeug.wrappers import Response

from lms.access import login_required
from lms.database import session
from lms.evaluations.results import MIN_RESPONSES, evaluation_results
from lms.evaluations.service import LIKERT, parse_answers, submission, submit
from lms.gradebook.access import cohort_or_404, course_or_404, staff_profile
from lms.learning.completion import update_completion
from lms.learning.gate import open_evaluation_or_abort
from lms.models import Cohort, Course, Evaluation
from lms.web import lms_blueprint, lms_url_for

bp = lms_blueprint("evaluations", __name__)


@bp.context_processor
def scale() -> dict[str, object]:
    return {"likert_labels": LIKERT, "min_responses": MIN_RESPONSES}


@bp.route("/courses/<slug>/evaluations/<evaluation_slug>", methods=["GET", "POST"])
@login_required
def evaluation(slug: str, evaluation_slug: str) -> str | Response | tuple[str, int]:
    """The course evaluation: answered once, anonymously."""
    access = open_evaluation_or_abort(slug, evaluation_slug)
    done = submission(access.evaluation, access.enrolment)
    errors: dict[str, str] = {}
    if request.method == "POST" and done is None:
        parsed = parse_answers(access.evaluation, request.form)
        if not parsed.errors:
            if submit(access.evaluation, access.enrolment, parsed.answers):
                flash("Thank you: your evaluation is submitted.")
            certificate = update_completion(access.enrolment)
            session.commit()
            if certificate is not None:
                flash("You have completed the course. Your certificate is ready.")
            return redirect(lms_url_for("learning.course_home", slug=slug))
        session.rollback()
        errors = parsed.errors
    page = render_template(
        "lms/evaluations/evaluation.html",
        access=access,
        evaluation=access.evaluation,
        submitted=done,
        errors=errors,
        form=request.form if errors else {},
    )
    return (page, 400) if errors else page


def _evaluation_or_404(course: Course, evaluation_slug: str) -> Evaluation:
    found = session.scalar(
        sa.select(Evaluation).where(
            Evaluation.course_id == course.id, Evaluation.slug == evaluation_slug
        )
    )
    if found is None:
        abort(404, description="This course has no such evaluation.")
    return found


@bp.get("/teach/cohorts/<lms_id:cohort_id>/evaluations/<evaluation_slug>")
@login_required
def cohort_results(cohort_id: int, evaluation_slug: str) -> str:
    """A cohort's answers to an evaluation: totals and comments, no names."""
    cohort: Cohort = cohort_or_404(staff_profile(), cohort_id)
    found = _evaluation_or_404(cohort.course, evaluation_slug)
    results = evaluation_results(found, [cohort.id])
    return render_template("lms/evaluations/results.html", results=results, scope=cohort.name,
                           course=cohort.course)  # fmt: skip


@bp.get("/teach/courses/<slug>/evaluations/<evaluation_slug>")
@login_required
def course_results(slug: str, evaluation_slug: str) -> str:
    """A course's answers: every response for admins, self-paced learners' for its
    instructors."""
    profile = staff_profile()
    course = course_or_404(profile, slug)
    found = _evaluation_or_404(course, evaluation_slug)
    everyone = profile.is_admin
    results = evaluation_results(found, None if everyone else [None])
    scope = "All learners" if everyone else "Self-paced learners"
    return render_template("lms/evaluations/results.html", results=results, scope=scope,
                           course=course)  # fmt: skip
