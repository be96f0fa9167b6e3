"""The learner's quiz pages: the quiz, taking an attempt, autosave, submit, review.

Views check access, call a rule from `attempts`, `grading` or `review`, commit, render.
An attempt belongs to its learner: anyone else gets a 404, as if it did not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy.orm as so
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from lms.access import current_profile, login_required
from lms.database import session
from lms.dates import zone
from lms.learning.completion import update_completion
from lms.learning.gate import (
    QuizAccess,
    open_quiz_in_or_abort,
    open_quiz_or_abort,
    started_quiz_access,
)
from lms.models import Attempt, AttemptStatus, Quiz
from lms.quizzes.attempts import (
    AttemptClosedError,
    AttemptError,
    close_if_overdue,
    close_overdue,
    closed_message,
    grace,
    laid_out_questions,
    last_saved_at,
    save_answers,
    seconds_left,
    start_attempt,
    submission_problems,
    submit_attempt,
    time_allowed,
)
from lms.quizzes.forms import parse_form_answers, parse_json_answers
from lms.quizzes.grading import attempt_percent, quiz_outcome
from lms.quizzes.review import build_review
from lms.quizzes.types import ResponseError
from lms.text import format_number, points_text
from lms.web import lms_blueprint, render_error

bp = lms_blueprint("quizzes", __name__)

TIME_RAN_OUT = "Time ran out, so your attempt was submitted with the answers saved before then."


# -- access --------------------------------------------------------------------------------------


def own_attempt_or_abort(attempt_id: int, *, started: bool = False) -> tuple[Attempt, QuizAccess]:
    """The signed-in learner's attempt (404 for anyone else's), after the quiz's gate.

    `started`: for saving and handing in answers, the lighter `started_quiz_access` (no
    outline: autosave is the page's most frequent request, and the submit computes the
    outline once, for completion)."""
    profile = current_profile()
    attempt = session.get(
        Attempt, attempt_id, options=[so.joinedload(Attempt.quiz).joinedload(Quiz.course)]
    )
    if attempt is None or profile is None or attempt.profile_id != profile.id:
        abort(404, description="There is no attempt at this address.")
    if started:
        return attempt, started_quiz_access(attempt.quiz.course, attempt.quiz)
    return attempt, open_quiz_in_or_abort(attempt.quiz.course, attempt.quiz.slug)


# -- responses -----------------------------------------------------------------------------------


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


@bp.errorhandler(HTTPException)
def handle_error(error: HTTPException) -> Any:
    """Errors as JSON for the autosave script, as a page for everyone else."""
    if wants_json():
        return jsonify(status="error", error=error.description), error.code or 500
    return render_error(error)


def json_body() -> Any:
    """The request's JSON, or None when it is not JSON (or nested too deeply to read:
    json.loads raises RecursionError, not ValueError, on "[[[[..." and that was a 500)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def clock_time(moment: datetime | None, fmt: str = "%H:%M") -> str:
    """A time in the learner's time zone (UTC if theirs is unknown)."""
    if moment is None:
        return ""
    profile = current_profile()
    return moment.astimezone(zone(profile.timezone if profile else None)).strftime(fmt)


@bp.context_processor
def quiz_helpers() -> dict[str, Any]:
    return {
        "clock_time": clock_time,
        "number_text": format_number,
        "points_text": points_text,
        "percent": attempt_percent,
    }


def questions_per_attempt(quiz: Quiz) -> int:
    pool = sum(1 for q in quiz.questions if not q.is_retired)
    return min(quiz.draw, pool) if quiz.draw else pool


def handed_in(access: QuizAccess, message: str | None = None) -> None:
    """This request submitted an attempt: the course may now be complete; commit."""
    update_completion(access.enrolment)
    session.commit()
    if message:
        flash(message)


def closed_response(attempt: Attempt, message: str | None = None) -> Response:
    """Answer a save or submit on an attempt that is no longer open."""
    message = message or closed_message(attempt)
    review_url = url_for(".review", attempt_id=attempt.id)
    if wants_json():
        response = jsonify(status="closed", error=message, review_url=review_url)
        response.status_code = 409
        return response
    flash(message)
    return redirect(review_url)


def render_attempt(
    attempt: Attempt,
    access: QuizAccess,
    errors: dict[int, str] | None = None,
    form: MultiDict[str, str] | None = None,
) -> str:
    """The attempt page; after a form post with errors, what was typed is shown again."""
    errors = errors or {}
    questions = laid_out_questions(attempt)
    items = []
    for q in questions:
        context = q.kind.render_context(q.version, q.choices, q.response)
        if form is not None and q.version.id in errors and "value" in context:
            context["value"] = form.get(q.field_name, "")
        items.append((q, context, errors.get(q.version.id)))
    return render_template(
        "lms/quizzes/attempt.html",
        attempt=attempt,
        access=access,
        items=items,
        errors=list(errors.values()),
        saved_at=last_saved_at(questions),
        seconds_left=seconds_left(attempt),
        grace_seconds=int(grace().total_seconds()),
    )


def render_confirm(attempt: Attempt, access: QuizAccess) -> str:
    questions = laid_out_questions(attempt)
    return render_template(
        "lms/quizzes/confirm.html",
        attempt=attempt,
        access=access,
        questions=questions,
        unanswered=[q for q in questions if not q.answered],
        problems=submission_problems(questions),
        seconds_left=seconds_left(attempt),
    )


# -- pages ---------------------------------------------------------------------------------------


@bp.get("/courses/<slug>/quizzes/<quiz_slug>")
@login_required
def quiz(slug: str, quiz_slug: str) -> str:
    """The quiz's page: what it asks, the learner's attempts, and Start or Resume."""
    access = open_quiz_or_abort(slug, quiz_slug)
    if close_overdue(access.quiz, access.profile):
        handed_in(access, TIME_RAN_OUT)
    return render_template(
        "lms/quizzes/quiz.html",
        access=access,
        quiz=access.quiz,
        outcome=quiz_outcome(access.quiz, access.profile),
        question_count=questions_per_attempt(access.quiz),
        pool_size=sum(1 for q in access.quiz.questions if not q.is_retired),
        time_allowed=time_allowed(access.quiz, access.enrolment),
    )


@bp.post("/courses/<slug>/quizzes/<quiz_slug>/attempts")
@login_required
def start(slug: str, quiz_slug: str) -> Response:
    """Start an attempt, or go back to the open one."""
    access = open_quiz_or_abort(slug, quiz_slug)
    try:
        started, resumed = start_attempt(access.quiz, access.profile, access.enrolment)
    except AttemptError as error:
        session.rollback()
        abort(error.status_code, description=error.message)
    session.commit()
    if resumed:
        flash("Welcome back: your answers so far are saved.")
    return redirect(url_for(".attempt", attempt_id=started.id))


@bp.get("/attempts/<lms_id:attempt_id>")
@login_required
def attempt(attempt_id: int) -> str | Response:
    """Take the attempt: every question on one page, saved answers filled in."""
    found, access = own_attempt_or_abort(attempt_id)
    if close_if_overdue(found):
        handed_in(access, TIME_RAN_OUT)
    if found.status is not AttemptStatus.IN_PROGRESS:
        return redirect(url_for(".review", attempt_id=found.id))
    return render_attempt(found, access)


@bp.post("/attempts/<lms_id:attempt_id>/answers")
@login_required
def save(attempt_id: int) -> Any:
    """Save answers as a draft: JSON from the page's script, or the form without it."""
    found, access = own_attempt_or_abort(attempt_id, started=True)
    if close_if_overdue(found):
        handed_in(access)
        return closed_response(found, TIME_RAN_OUT)
    if found.status is not AttemptStatus.IN_PROGRESS:
        return closed_response(found)
    questions = laid_out_questions(found)
    if request.is_json:
        try:
            parsed = parse_json_answers(questions, json_body())
        except ResponseError as error:
            return jsonify(status="error", error=str(error)), 400
    else:
        parsed = parse_form_answers(questions, request.form)
    try:
        saved_at = save_answers(found, parsed.responses)
    except AttemptClosedError as error:
        session.rollback()
        return closed_response(found, error.message)
    left = seconds_left(found)  # before the commit expires the attempt's row
    session.commit()

    if request.is_json:
        body = {
            "status": "invalid" if parsed.errors else "saved",
            "saved_at": saved_at.isoformat(),
            "seconds_left": left,
        }
        if parsed.errors:
            keys = {q.version.id: q.key for q in questions}
            body["error"] = parsed.summary()
            body["errors"] = {keys[version]: message for version, message in parsed.errors.items()}
            return jsonify(body), 400
        return jsonify(body)
    if parsed.errors:
        return render_attempt(found, access, parsed.errors, request.form), 400
    flash(f"Saved at {clock_time(saved_at)}.")
    return redirect(url_for(".attempt", attempt_id=found.id))


@bp.post("/attempts/<lms_id:attempt_id>/submit")
@login_required
def submit(attempt_id: int) -> Any:
    """Submit: from the attempt page, save and ask to confirm; once confirmed, hand in."""
    found, access = own_attempt_or_abort(attempt_id, started=True)
    if close_if_overdue(found):
        handed_in(access)
        return closed_response(found, TIME_RAN_OUT)
    if found.status is not AttemptStatus.IN_PROGRESS:
        return closed_response(found, "This attempt was already submitted.")

    if request.form.get("confirm") != "yes":
        parsed = parse_form_answers(laid_out_questions(found), request.form)
        try:
            save_answers(found, parsed.responses)
        except AttemptClosedError as error:
            session.rollback()
            return closed_response(found, error.message)
        session.commit()
        if parsed.errors:
            return render_attempt(found, access, parsed.errors, request.form), 400
        return render_confirm(found, access)

    questions = laid_out_questions(found)
    if submission_problems(questions):
        return render_confirm(found, access), 400
    if submit_attempt(found, versions=[q.version for q in questions]):
        handed_in(access, "Your answers are submitted.")
    else:
        session.rollback()
        flash("This attempt was already submitted.")
    return redirect(url_for(".review", attempt_id=found.id))


@bp.get("/attempts/<lms_id:attempt_id>/review")
@login_required
def review(attempt_id: int) -> str | Response:
    """A submitted attempt: score, and what the quiz's review policy shows."""
    found, access = own_attempt_or_abort(attempt_id)
    if close_if_overdue(found):
        handed_in(access, TIME_RAN_OUT)
    if found.status is AttemptStatus.IN_PROGRESS:
        flash("Submit the attempt to see its results.")
        return redirect(url_for(".attempt", attempt_id=found.id))
    outcome = quiz_outcome(access.quiz, access.profile)
    return render_template(
        "lms/quizzes/review.html",
        access=access,
        quiz=access.quiz,
        outcome=outcome,
        review=build_review(found, outcome),
    )
