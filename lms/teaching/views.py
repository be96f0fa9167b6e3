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
from lms.models import Certificate, Course, Profile
from lms.teaching.offerings import offerings
from lms.teaching.service import (
    assign_course_instructor,
    course_instructors,
    unassign_course_instructor,
)
from lms.web import lms_blueprint, lms_url_for, optional_url

bp = lms_blueprint("teaching", __name__)

#: A course evaluation's results page (its anonymous answers), linked from the staff pages.
EVALUATION_RESULTS = "evaluations.course_results"


def evaluation_results_links(course: Course) -> list[tuple[str, str]]:
    """(title, URL) of the results page of each evaluation the course uses, in course order;
    none while this version of the LMS has no such page."""
    return [
        (evaluation.title, url)
        for module in course.modules
        for evaluation in module.evaluations
        if not evaluation.is_retired
        and (
            url := optional_url(
                EVALUATION_RESULTS, slug=course.slug, evaluation_slug=evaluation.slug
            )
        )
    ]


@bp.app_context_processor
def teaching_helpers() -> dict[str, Any]:
    return {
        "lms_evaluation_results": EVALUATION_RESULTS,
        "lms_evaluation_results_links": evaluation_results_links,
    }


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
    book = build_gradebook(found, None)
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
