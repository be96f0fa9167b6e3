"""A self-paced course's teaching pages, under /teach/courses/<slug>: its staff page and its
learners. (Its gradebook, exports and statistics are the gradebook's pages.)

Admins see every course; instructors the courses they are assigned to
(`lms_course_instructor`); anyone else on staff gets a 404, learners a 403.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template
from werkzeug.wrappers import Response

from lms.cohorts.forms import InstructorForm
from lms.cohorts.scope import require_admin, staff_profile, staff_required
from lms.cohorts.service import staff_other_than
from lms.database import session
from lms.gradebook.access import course_or_404
from lms.gradebook.queries import build_gradebook, live_quizzes
from lms.grading.queue import SELF_PACED
from lms.learning.status import Status
from lms.learning.structure import course_structure
from lms.models import Certificate, Cohort, Course, Profile
from lms.teaching.offerings import offerings
from lms.teaching.service import (
    assign_course_instructor,
    course_instructors,
    unassign_course_instructor,
)
from lms.web import lms_blueprint, lms_url_for, page_number

bp = lms_blueprint("teaching", __name__)


def evaluation_links(course: Course | None, cohort: Cohort | None = None) -> list[tuple[str, str]]:
    """(label, URL) of the results page of each of the course's evaluations: a cohort's
    answers (`course` may then be None: the cohort's), or (no cohort) the course's."""
    course_id = cohort.course_id if cohort is not None else course.id if course else None
    assert course_id is not None, "evaluation_links needs a course or a cohort"
    structure = course_structure(course_id)  # cached: no query on every staff page
    evaluations = [
        evaluation
        for module in structure.modules
        for evaluation in module.evaluations
        if not (module.is_retired or evaluation.is_retired)
    ]
    links = []
    for evaluation in evaluations:
        label = "Evaluation results" if len(evaluations) == 1 else f"{evaluation.title}: results"
        if cohort is None:
            url = lms_url_for(
                "evaluations.course_results", slug=structure.slug, evaluation_slug=evaluation.slug
            )
        else:
            url = lms_url_for(
                "evaluations.cohort_results", cohort_id=cohort.id, evaluation_slug=evaluation.slug
            )
        links.append((label, url))
    return links


@bp.app_context_processor
def teaching_helpers() -> dict[str, Any]:
    return {"lms_evaluation_links": evaluation_links}


def grading_args(course: Course) -> dict[str, Any]:
    """The grading queue's filters for this course's self-paced learners."""
    return {"cohort": SELF_PACED, "course": course.id}


@bp.get("/teach/courses/<slug>")
@staff_required
def course(slug: str) -> str:
    """A self-paced course at a glance: its learners' numbers, its instructors, what waits
    for grading, and the way to its learners, gradebook and question statistics."""
    profile = staff_profile()
    found = course_or_404(profile, slug)
    return render_template(
        "lms/teaching/course.html",
        course=found,
        offering=offerings(profile, [found])[0],
        quizzes=live_quizzes(course_structure(found.id)),
        instructors=course_instructors(found),
        grading_args=grading_args(found),
    )


@bp.get("/teach/courses/<slug>/learners")
@staff_required
def course_learners(slug: str) -> str:
    """The course's self-paced learners: when they enrolled, how far they are, and their
    certificates, each leading to the learner's record."""
    found = course_or_404(staff_profile(), slug)
    book = build_gradebook(found, None, page_number())
    certificates = {
        c.enrolment_id: c
        for c in session.scalars(
            sa.select(Certificate).where(
                Certificate.enrolment_id.in_([row.enrolment.id for row in book.rows])
            )
        )
    }
    return render_template(
        "lms/teaching/learners.html",
        course=found,
        book=book,
        certificates=certificates,
        statuses=Status,
    )


@bp.route("/teach/courses/<slug>/instructors", methods=["GET", "POST"])
@staff_required
def instructors(slug: str) -> tuple[str, int] | Response:
    """Assign instructors (people with the instructor or admin role) to the course's
    self-paced learners."""
    profile = staff_profile()
    require_admin(profile)
    found = course_or_404(profile, slug)
    assigned = course_instructors(found)
    form = InstructorForm(candidates=staff_other_than(assigned))
    if form.validate_on_submit():
        person = session.get(Profile, int(form.person.data or 0))
        assert person is not None  # one of the choices
        assign_course_instructor(found, person)
        session.commit()
        flash(f"{person.display_name} now teaches the self-paced learners of “{found.title}”.")
        return redirect(lms_url_for("teaching.instructors", slug=found.slug))
    page = render_template(
        "lms/teaching/instructors.html", course=found, instructors=assigned, form=form
    )
    return page, 400 if form.errors else 200


@bp.post("/teach/courses/<slug>/instructors/<lms_id:profile_id>/remove")
@staff_required
def remove_instructor(slug: str, profile_id: int) -> Response:
    """Unassign an instructor from the course's self-paced learners."""
    profile = staff_profile()
    require_admin(profile)
    found = course_or_404(profile, slug)
    person = next((p for p in course_instructors(found) if p.id == profile_id), None)
    if person is None:
        abort(404, description="This person does not teach this course.")
    unassign_course_instructor(found, person)
    session.commit()
    flash(f"{person.display_name} no longer teaches the self-paced learners of “{found.title}”.")
    return redirect(lms_url_for("teaching.instructors", slug=found.slug))
