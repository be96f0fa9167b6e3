"""The grading pages: the queue, the grading screen, release, return for revision; and,
for learners, resubmitting a returned essay and their notifications.

Who may use what:

- /teach/grading...: instructors and admins (learners 403, anonymous visitors sign in);
  an answer, quiz or cohort outside the instructor's scope answers 404 (`scope`).
- /attempts/<id>/answers/<id>/resubmit: the learner who owns the attempt (others 404).
- /notifications...: any signed-in person, for their own notifications only.

Every POST carries the CSRF token (`lms_blueprint`); views parse, check access, call a rule
from `service`, commit once and redirect (or render the form again with a 4xx).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from lms import notifications
from lms.access import current_profile, login_required, role_required
from lms.database import session, valid_id
from lms.grading.forms import NOTE_MAX_CHARS, GradeForm, clean_text, criteria_of, parse_note
from lms.grading.queue import QueueFilters, build_queue, next_answer_id, parse_filters, queue_ids
from lms.grading.rubric import RubricLine, released_rubrics
from lms.grading.scope import (
    HAND_GRADED,
    answer_or_404,
    may_grade_cohort,
    may_grade_course,
)
from lms.grading.service import (
    GradeConflictError,
    GradingError,
    ReturnedEssay,
    profiles_by_id,
    release_drafts,
    release_grade,
    resubmit,
    return_for_revision,
    returned_essays,
    save_grade,
)
from lms.models import (
    Answer,
    Attempt,
    Cohort,
    Enrolment,
    Grade,
    GradeStatus,
    Notification,
    Profile,
    Quiz,
    Role,
)
from lms.quizzes.types import ESSAY_MAX_CHARS, word_count
from lms.text import format_number, points_text
from lms.web import lms_blueprint, lms_url_for, local_time, page_number, safe_next

bp = lms_blueprint("grading", __name__)

staff_required = role_required(Role.INSTRUCTOR, Role.ADMIN)

NOT_FOUND = "There is nothing at this address that you can grade."


def _profile() -> Profile:
    profile = current_profile()
    assert profile is not None  # login_required ran
    return profile


@bp.context_processor
def grading_helpers() -> dict[str, Any]:
    return {"number_text": format_number, "points_text": points_text, "word_count": word_count}


def returned_essay(attempt: Attempt, number: int) -> ReturnedEssay | None:
    """The attempt's question `number` if it is an essay back with the learner (one query
    per attempt and request, however many items ask)."""
    cache: dict[int, dict[int, ReturnedEssay]] = g.setdefault("lms_grading_returned", {})
    if attempt.id not in cache:
        cache[attempt.id] = returned_essays(attempt)
    return cache[attempt.id].get(number)


def released_rubric(attempt: Attempt, number: int) -> list[RubricLine] | None:
    """The rubric scores of the attempt's question `number` once its grade is released
    (one query per attempt and request, however many items ask)."""
    cache: dict[int, dict[int, list[RubricLine]]] = g.setdefault("lms_grading_rubrics", {})
    if attempt.id not in cache:
        cache[attempt.id] = released_rubrics(attempt)
    return cache[attempt.id].get(number)


@bp.app_context_processor
def learner_helpers() -> dict[str, Any]:
    """For lms/grading/_review_item.html, which the learner's quiz review page includes."""
    return {
        "lms_returned_essay": returned_essay,
        "lms_released_rubric": released_rubric,
        "lms_essay_max_chars": ESSAY_MAX_CHARS,
    }


# -- the queue -----------------------------------------------------------------------------------


@bp.get("/teach/grading")
@staff_required
def queue() -> str:
    """Essay answers waiting for grading in the instructor's scope, oldest first."""
    page = page_number()
    found = build_queue(_profile(), request.args, page)
    return render_template("lms/grading/queue.html", queue=found)


# -- the grading screen --------------------------------------------------------------------------


def _answer_url(answer_id: int, filters: QueueFilters) -> str:
    return url_for(".answer", answer_id=answer_id, **filters.as_args())


def _changed_by(grade: Grade) -> str:
    """Who last changed the grade, and when: for the conflict message."""
    moments: list[tuple[datetime, int | None, str]] = [(grade.graded_at, grade.grader_id, "")]
    if grade.released_at is not None:
        moments.append((grade.released_at, grade.grader_id, "released"))
    moments += [(c.changed_at, c.changed_by_id, "") for c in grade.changes]
    when, who_id, what = max(moments, key=lambda m: m[0])
    names = profiles_by_id([who_id])
    who = names[who_id].display_name if who_id in names else "another instructor"
    if what == "released":
        return f"This answer's grade (by {who}) was released at {local_time(when)}"
    return f"This answer was changed by {who} at {local_time(when)}"


def render_screen(
    answer: Answer,
    enrolment: Enrolment,
    form: GradeForm,
    filters: QueueFilters,
    *,
    status: int = 200,
    conflict: str | None = None,
    unsaved: GradeForm | None = None,
    note: str = "",
    note_error: str | None = None,
    problem: str | None = None,
) -> tuple[str, int]:
    profile = _profile()
    grade = answer.grade
    ids = queue_ids(profile, filters)
    people = profiles_by_id(
        [r.returned_by_id for r in answer.revisions]
        + ([c.changed_by_id for c in grade.changes] if grade else [])
    )
    return render_template(
        "lms/grading/answer.html",
        answer=answer,
        attempt=answer.attempt,
        enrolment=enrolment,
        version=answer.question_version,
        grade=grade,
        released=grade is not None and grade.status is GradeStatus.RELEASED,
        form=form,
        unsaved=unsaved,
        conflict=conflict,
        problem=problem,
        note=note,
        note_error=note_error,
        note_max=NOTE_MAX_CHARS,
        people=people,
        filters=filters,
        position=ids.index(answer.id) + 1 if answer.id in ids else None,
        waiting=len(ids),
    ), status


@bp.route("/teach/grading/answers/<lms_id:answer_id>", methods=["GET", "POST"])
@staff_required
def answer(answer_id: int) -> Any:
    """Grade one essay answer: rubric scores, feedback; save, release or go to the next."""
    profile = _profile()
    found, enrolment = answer_or_404(profile, answer_id)
    filters, _problems = parse_filters(request.args)
    criteria = criteria_of(found.question_version)
    grade = found.grade
    if request.method == "GET":
        return render_screen(found, enrolment, GradeForm.for_grade(criteria, grade), filters)

    released = grade is not None and grade.status is GradeStatus.RELEASED
    form = GradeForm.parse(criteria, request.form, released=released)
    current_version = grade.version if grade else 0
    if "version" not in form.errors and form.version != current_version:
        return _conflict(found, form, filters)
    if form.errors:
        return render_screen(found, enrolment, form, filters, status=400)
    try:
        result = save_grade(found, profile, form)
    except GradeConflictError:
        return _conflict(found, form, filters)
    except GradingError as error:
        session.rollback()
        return render_screen(
            found, enrolment, form, filters, status=error.status_code, problem=error.message
        )
    session.commit()
    if result.unchanged:
        flash("Nothing changed, so nothing was saved.")
    elif result.regraded:
        flash("Grade changed. The learner sees the new grade and was told about it.")
    elif result.released:
        flash("Saved and released: the learner can now see the grade and feedback.")
    else:
        flash("Draft saved. The learner sees nothing until it is released.")
    if form.action == "next":
        return _go_next(profile, filters, found.id)
    return redirect(_answer_url(found.id, filters))


def _conflict(found: Answer, typed: GradeForm | None, filters: QueueFilters) -> tuple[str, int]:
    """409: someone saved in between. Show their grade (current values) and what was typed."""
    session.rollback()
    current, enrolment = answer_or_404(_profile(), found.id)
    criteria = criteria_of(current.question_version)
    grade = current.grade
    message = _changed_by(grade) if grade else "This answer changed since you opened it"
    return render_screen(
        current,
        enrolment,
        GradeForm.for_grade(criteria, grade),
        filters,
        status=409,
        conflict=f"{message}; review their grade and save again.",
        unsaved=typed,
    )


def _go_next(profile: Profile, filters: QueueFilters, current: int) -> Response:
    following = next_answer_id(profile, filters, current)
    if following is None:
        flash("That was the last answer waiting.")
        return redirect(url_for(".queue", **filters.as_args()))
    return redirect(_answer_url(following, filters))


def _posted_version() -> int:
    raw = (request.form.get("version") or "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        abort(400, description="This form is out of date: reload the page and try again.")
    return int(raw)


@bp.post("/teach/grading/answers/<lms_id:answer_id>/release")
@staff_required
def release(answer_id: int) -> Any:
    """Release this answer's draft grade to the learner."""
    profile = _profile()
    found, enrolment = answer_or_404(profile, answer_id)
    filters, _problems = parse_filters(request.args)
    version = _posted_version()
    criteria = criteria_of(found.question_version)
    try:
        release_grade(found, version, by=profile)
    except GradeConflictError:
        return _conflict(found, None, filters)
    except GradingError as error:
        session.rollback()
        return render_screen(
            found,
            enrolment,
            GradeForm.for_grade(criteria, found.grade),
            filters,
            status=error.status_code,
            problem=error.message,
        )
    session.commit()
    flash("Released: the learner can now see the grade and feedback.")
    return redirect(safe_next(request.form.get("next"), _answer_url(found.id, filters)))


@bp.post("/teach/grading/answers/<lms_id:answer_id>/return")
@staff_required
def return_answer(answer_id: int) -> Any:
    """Return the essay to the learner for revision, with a note."""
    profile = _profile()
    found, enrolment = answer_or_404(profile, answer_id)
    filters, _problems = parse_filters(request.args)
    form = GradeForm.for_grade(criteria_of(found.question_version), found.grade)
    note, error = parse_note(request.form)
    if error:
        return render_screen(
            found, enrolment, form, filters, status=400, note=note, note_error=error
        )
    try:
        return_for_revision(found, note, by=profile)
    except GradingError as problem:
        session.rollback()
        return render_screen(
            found, enrolment, form, filters, status=problem.status_code, problem=problem.message
        )
    session.commit()
    flash("Returned to the learner for revision. It comes back to the queue when they resubmit.")
    return redirect(_answer_url(found.id, filters))


@bp.post("/teach/grading/quizzes/<lms_id:quiz_id>/release")
@staff_required
def release_quiz(quiz_id: int) -> Response:
    """Release every draft grade of a quiz in one cohort (or its self-paced learners)."""
    profile = _profile()
    quiz = session.get(Quiz, quiz_id) if valid_id(quiz_id) else None
    if quiz is None:
        abort(404, description=NOT_FOUND)
    raw = (request.form.get("cohort") or "").strip()
    cohort: Cohort | None = None
    if raw == "self-paced":
        if not may_grade_course(profile, quiz.course):
            abort(404, description=NOT_FOUND)
    else:
        cohort_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else 0
        cohort = session.get(Cohort, cohort_id) if valid_id(cohort_id) else None
        if cohort is None or cohort.course_id != quiz.course_id:
            abort(404, description=NOT_FOUND)
        if not may_grade_cohort(profile, cohort):
            abort(404, description=NOT_FOUND)
    count = release_drafts(profile, quiz, cohort)
    session.commit()
    where = cohort.name if cohort else "its self-paced learners"
    if count:
        grades = "grade" if count == 1 else "grades"
        flash(f"Released {count} draft {grades} of “{quiz.title}” for {where}.")
    else:
        flash(f"There were no draft grades of “{quiz.title}” to release for {where}.")
    return redirect(safe_next(request.form.get("next"), url_for(".queue")))


# -- learners ------------------------------------------------------------------------------------


@bp.post("/attempts/<lms_id:attempt_id>/answers/<lms_id:answer_id>/resubmit")
@login_required
def resubmit_answer(attempt_id: int, answer_id: int) -> Any:
    """The learner hands in the revised text of an essay returned to them."""
    profile = _profile()
    found = session.get(Answer, answer_id) if valid_id(answer_id) else None
    if (
        found is None
        or found.attempt_id != attempt_id
        or found.attempt.profile_id != profile.id
        or found.question_version.type not in HAND_GRADED
    ):
        abort(404, description="There is no answer at this address.")
    text = clean_text(request.form.get("response"))
    try:
        resubmit(found, text)
    except GradingError as error:
        session.rollback()
        returned = returned_essays(found.attempt)
        essay = next((e for e in returned.values() if e.answer.id == found.id), None)
        return render_template(
            "lms/grading/resubmit.html",
            answer=found,
            attempt=found.attempt,
            essay=essay,
            text=text[: ESSAY_MAX_CHARS + 1000],
            error=error.message,
        ), error.status_code
    session.commit()
    flash("Your revised answer is handed in. Your instructor will grade it.")
    return redirect(lms_url_for("quizzes.review", attempt_id=attempt_id))


@bp.get("/notifications")
@login_required
def notification_list() -> str:
    """The signed-in person's notifications, newest first."""
    profile = _profile()
    return render_template(
        "lms/grading/notifications.html",
        notifications=notifications.recent(profile),
        unread=notifications.unread_count(profile),
    )


@bp.post("/notifications/<lms_id:notification_id>/read")
@login_required
def notification_read(notification_id: int) -> Response:
    """Mark one of my notifications read, then follow its link (or back to the list)."""
    profile = _profile()
    found = session.get(Notification, notification_id) if valid_id(notification_id) else None
    if found is None or found.profile_id != profile.id:
        abort(404, description="There is no notification at this address.")
    notifications.mark_read(profile, found.id)
    session.commit()
    return redirect(safe_next(found.link, url_for(".notification_list")))


@bp.post("/notifications/read")
@login_required
def notifications_read_all() -> Response:
    """Mark all my notifications read."""
    count = notifications.mark_read(_profile())
    session.commit()
    flash("All notifications marked as read." if count else "Nothing was unread.")
    return redirect(url_for(".notification_list"))
