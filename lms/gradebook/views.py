"""Gradebooks, learner records, exports and question statistics (instructors and admins)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template
from werkzeug.wrappers import Response

from lms.access import login_required, role_required
from lms.certificates.forms import ReasonForm
from lms.database import lock_row, session
from lms.gradebook.access import (
    cohort_or_404,
    course_or_404,
    enrolment_or_404,
    staff_profile,
)
from lms.gradebook.export import csv_response, gradebook_rows, progress_rows
from lms.gradebook.queries import build_gradebook, enrolments_of, learner_record
from lms.gradebook.stats import item_statistics
from lms.grading.rubric import record_rubrics
from lms.learning.completion import update_completion
from lms.learning.reading import exempt_from_minimum
from lms.learning.status import Status
from lms.models import Answer, Enrolment, Quiz, Role, TimeExemption
from lms.quizzes.types import question_type
from lms.web import lms_blueprint, lms_url_for, page_number

bp = lms_blueprint("gradebook", __name__)


@bp.get("/teach/cohorts/<lms_id:cohort_id>/gradebook")
@login_required
def cohort_gradebook(cohort_id: int) -> str:
    """A cohort's learners x quizzes, with completion and CE hours."""
    cohort = cohort_or_404(staff_profile(), cohort_id)
    book = build_gradebook(cohort.course, cohort, page_number())
    return render_template("lms/gradebook/gradebook.html", book=book, statuses=Status)


@bp.get("/teach/courses/<slug>/gradebook")
@login_required
def course_gradebook(slug: str) -> str:
    """The self-paced learners of a course."""
    course = course_or_404(staff_profile(), slug)
    book = build_gradebook(course, None, page_number())
    return render_template("lms/gradebook/gradebook.html", book=book, statuses=Status)


def _export(kind: str, cohort_id: int | None = None, slug: str | None = None) -> Response:
    if cohort_id is not None:
        cohort = cohort_or_404(staff_profile(), cohort_id)
        book, name = build_gradebook(cohort.course, cohort, page=None), f"cohort-{cohort.id}"
    else:
        course = course_or_404(staff_profile(), slug or "")
        book, name = build_gradebook(course, None, page=None), f"{course.slug}-self-paced"
    header, rows = gradebook_rows(book) if kind == "gradebook" else progress_rows(book)
    return csv_response(f"{name}-{kind}.csv", header, rows)


@bp.get("/teach/cohorts/<lms_id:cohort_id>/gradebook.csv")
@login_required
def cohort_gradebook_csv(cohort_id: int) -> Response:
    """The cohort's gradebook as CSV."""
    return _export("gradebook", cohort_id=cohort_id)


@bp.get("/teach/cohorts/<lms_id:cohort_id>/progress.csv")
@login_required
def cohort_progress_csv(cohort_id: int) -> Response:
    """The cohort's module progress as CSV."""
    return _export("progress", cohort_id=cohort_id)


@bp.get("/teach/courses/<slug>/gradebook.csv")
@login_required
def course_gradebook_csv(slug: str) -> Response:
    """The self-paced learners' gradebook as CSV."""
    return _export("gradebook", slug=slug)


@bp.get("/teach/courses/<slug>/progress.csv")
@login_required
def course_progress_csv(slug: str) -> Response:
    """The self-paced learners' module progress as CSV."""
    return _export("progress", slug=slug)


@bp.get("/teach/learners/<lms_id:enrolment_id>")
@login_required
def learner(enrolment_id: int) -> str:
    """One learner's record in one course: every attempt, answer, grade and reading time."""
    enrolment = enrolment_or_404(staff_profile(), enrolment_id)
    return render_learner(enrolment)


def render_learner(enrolment: Enrolment, exemption_form: ReasonForm | None = None) -> str:
    record = learner_record(enrolment)
    answers = [answer for attempt in record.attempts for answer in attempt.answers]
    return render_template(
        "lms/gradebook/learner.html",
        record=record,
        describe=describe_answer,
        rubrics=record_rubrics(answers),
        exemption=session.scalar(
            sa.select(TimeExemption).where(TimeExemption.enrolment_id == enrolment.id)
        ),
        exemption_form=exemption_form or ReasonForm(formdata=None),
        needs_time=bool(enrolment.course.ce),
    )


@bp.post("/teach/learners/<lms_id:enrolment_id>/time-exemption")
@role_required(Role.ADMIN)
def time_exemption(enrolment_id: int) -> Response | tuple[str, int]:
    """Admins exempt a learner from the minimum reading time (recorded, with a reason)."""
    profile = staff_profile()
    enrolment = enrolment_or_404(profile, enrolment_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return render_learner(enrolment, form), 400
    lock_row(Enrolment, enrolment.id)
    exempt_from_minimum(enrolment, form.reason.data or "", profile)
    update_completion(enrolment)
    session.commit()
    flash(f"{enrolment.profile.display_name} no longer needs the minimum reading time.")
    return redirect(lms_url_for("gradebook.learner", enrolment_id=enrolment.id))


def describe_answer(answer: Answer) -> str:
    """The learner's response as plain text (escaped by the template)."""
    version = answer.question_version
    return question_type(version).describe(version, answer.response)


def _quiz_or_404(course_id: int, quiz_slug: str) -> Quiz:
    quiz = session.scalar(
        sa.select(Quiz).where(Quiz.course_id == course_id, Quiz.slug == quiz_slug)
    )
    if quiz is None:
        abort(404, description="This course has no such quiz.")
    return quiz


@bp.get("/teach/cohorts/<lms_id:cohort_id>/quizzes/<quiz_slug>/statistics")
@login_required
def cohort_statistics(cohort_id: int, quiz_slug: str) -> str:
    """How each question of a quiz performed in this cohort."""
    cohort = cohort_or_404(staff_profile(), cohort_id)
    quiz = _quiz_or_404(cohort.course_id, quiz_slug)
    learners = [e.profile_id for e in enrolments_of(cohort.course, cohort)]
    return render_template(
        "lms/gradebook/statistics.html",
        quiz=quiz,
        cohort=cohort,
        stats=item_statistics(quiz, learners),
    )


@bp.get("/teach/courses/<slug>/quizzes/<quiz_slug>/statistics")
@login_required
def course_statistics(slug: str, quiz_slug: str) -> str:
    """How each question of a quiz performed, across all learners of the course."""
    course = course_or_404(staff_profile(), slug)
    quiz = _quiz_or_404(course.id, quiz_slug)
    return render_template(
        "lms/gradebook/statistics.html", quiz=quiz, cohort=None, stats=item_statistics(quiz)
    )
