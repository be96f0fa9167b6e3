"""Grading an essay: rubric scores checked, drafts invisible to the learner, release (per
answer and per cohort) making the attempt's score final, and regrades with history."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import Flask

from lms.database import session
from lms.models import (
    AttemptStatus,
    Certificate,
    Grade,
    GradeChange,
    GradeStatus,
    Notification,
    OutboxMessage,
)
from tests.conftest import post_form
from tests.grading.conftest import (
    World,
    client_for,
    grade_url,
    hand_in,
    page_version,
    post_grade,
    stored_attempt,
    text,
)


def grade_row(app: Flask, answer_id: int) -> Grade | None:
    with app.app_context():
        grade = session.scalar(sa.select(Grade).where(Grade.answer_id == answer_id))
        if grade is not None:
            session.expunge(grade)
        return grade


def test_the_grading_screen_shows_question_rubric_and_the_answer(app: Flask, world: World) -> None:
    _attempt_id, answer_id = hand_in(app, "ana@example.com")
    iris = client_for(app, "iris@example.com")
    page = text(iris.get(grade_url(answer_id)))
    assert "Reflect on it." in page
    assert "Insight" in page and "Shows insight." in page and "Care" in page
    assert "I would listen closely, explain each step" in page
    assert "14 words" in page
    assert 'class="lms-essay-text"' in page
    for label in ("Save draft", "Save and release", "Save and next"):
        assert label in page
    assert '<label for="feedback">' in page
    assert 'name="version" value="0"' in page
    assert "grading.js" in page


def test_scores_outside_the_rubric_are_form_errors_and_nothing_is_saved(
    app: Flask, world: World
) -> None:
    _attempt_id, answer_id = hand_in(app, "ana@example.com")
    iris = client_for(app, "iris@example.com")
    cases = [
        (("4", "1"), "at most 3 points"),
        (("-1", "1"), "cannot be negative"),
        (("abc", "1"), "is not a number of points"),
        (("2,5", "1"), "Use a point for halves"),
        (("2.25", "1"), "whole or half points"),
        (("", "1"), "give a score from 0 to 3"),
        (("1e2", "1"), "is not a number of points"),
        (("NaN", "1"), "is not a number of points"),
    ]
    for scores, message in cases:
        response = post_grade(app, iris, answer_id, scores=scores)
        assert response.status_code == 400, scores
        assert message in text(response), scores
    too_long = post_grade(app, iris, answer_id, feedback="x" * 10_001)
    assert too_long.status_code == 400
    assert "the most is 10,000" in text(too_long)
    assert grade_row(app, answer_id) is None

    half = post_grade(app, iris, answer_id, scores=("2.5", ".5"))
    assert half.status_code == 302
    saved = grade_row(app, answer_id)
    assert saved is not None
    assert saved.score == Decimal("3")
    assert sorted(saved.criterion_scores.values()) == ["0.5", "2.5"]


def test_a_draft_is_invisible_to_the_learner_until_released(app: Flask, world: World) -> None:
    attempt_id, answer_id = hand_in(app, "ana@example.com")
    ana = client_for(app, "ana@example.com")
    iris = client_for(app, "iris@example.com")
    feedback = "Lovely attunement to the room; name the consent step."

    saved = post_grade(app, iris, answer_id, feedback=feedback)
    assert saved.status_code == 302
    assert "Draft saved" in text(iris.get(saved.headers["Location"]))
    review = text(ana.get(f"/attempts/{attempt_id}/review"))
    assert "Awaiting grading" in review
    assert feedback not in review
    assert "4.5 of 5 points" not in review
    assert feedback not in text(ana.get("/dashboard"))
    assert stored_attempt(app, attempt_id) == (AttemptStatus.AWAITING_GRADING, None, None)
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Notification.id))) == 0

    released = post_form(
        iris,
        f"{grade_url(answer_id)}/release",
        {"version": page_version(iris, answer_id)},
        token_from=grade_url(answer_id),
    )
    assert released.status_code == 302
    review = text(ana.get(f"/attempts/{attempt_id}/review"))
    assert feedback in review
    assert "4.5 of 5 points" in review
    assert "<strong>95.0%</strong>" in review  # 5 auto-graded points + 4.5 of 5
    assert "Passed" in review
    assert feedback in text(ana.get("/dashboard"))
    assert stored_attempt(app, attempt_id) == (AttemptStatus.GRADED, Decimal("9.5"), True)

    with app.app_context():
        notes = session.scalars(sa.select(Notification)).all()
        assert [n.message for n in notes] == [
            "Your instructor released feedback on “Knowledge check”. See the review."
        ]
        assert notes[0].link == f"/attempts/{attempt_id}/review"
        mail = session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.to_address == "ana@example.com")
        ).all()
        assert [m.subject for m in mail] == ["Feedback on “Knowledge check” is ready"]
        assert f"/attempts/{attempt_id}/review" in mail[0].body
        assert feedback not in mail[0].body  # the feedback itself stays in the app
        # The course's rule (lessons + this quiz) is met: completion and a certificate.
        assert session.scalar(sa.select(sa.func.count(Certificate.id))) == 1
    notifications_page = text(ana.get("/notifications"))
    assert "released feedback on “Knowledge check”" in notifications_page


def test_save_and_release_in_one_step_makes_a_failing_attempt_final(
    app: Flask, world: World
) -> None:
    attempt_id, answer_id = hand_in(app, "ana@example.com")
    iris = client_for(app, "iris@example.com")
    response = post_grade(app, iris, answer_id, scores=("0", "0"), action="release")
    assert response.status_code == 302
    assert "Saved and released" in text(iris.get(response.headers["Location"]))
    # 5 of 10 points is 50%, under the 75% pass mark.
    assert stored_attempt(app, attempt_id) == (AttemptStatus.GRADED, Decimal(5), False)
    review = text(client_for(app, "ana@example.com").get(f"/attempts/{attempt_id}/review"))
    assert "Not passed" in review


def test_releasing_a_cohorts_drafts_in_bulk_leaves_other_cohorts_alone(
    app: Flask, world: World
) -> None:
    a_attempt, a_answer = hand_in(app, "ana@example.com")
    b_attempt, b_answer = hand_in(app, "ben@example.com")
    admin = client_for(app, "ada@example.com")
    for answer_id in (a_answer, b_answer):
        assert post_grade(app, admin, answer_id).status_code == 302

    queue = text(admin.get("/teach/grading"))
    assert "Release 1 draft grade" in queue
    iris = client_for(app, "iris@example.com")
    url = f"/teach/grading/quizzes/{world.quiz_id}/release"
    # Iris teaches cohort A only: cohort B's drafts are not hers to release.
    refused = post_form(iris, url, {"cohort": str(world.cohort_b)}, token_from="/teach/grading")
    assert refused.status_code == 404
    released = post_form(iris, url, {"cohort": str(world.cohort_a)}, token_from="/teach/grading")
    assert released.status_code == 302
    assert "Released 1 draft grade of “Knowledge check” for Cohort A." in text(
        iris.get(released.headers["Location"])
    )
    assert stored_attempt(app, a_attempt)[0] is AttemptStatus.GRADED
    assert stored_attempt(app, b_attempt)[0] is AttemptStatus.AWAITING_GRADING
    b_grade = grade_row(app, b_answer)
    assert b_grade is not None and b_grade.status is GradeStatus.DRAFT
    again = post_form(iris, url, {"cohort": str(world.cohort_a)}, token_from="/teach/grading")
    assert "no draft grades" in text(iris.get(again.headers["Location"]))
    for bad in ("", "abc", "99999999999", "self-paced"):
        response = post_form(iris, url, {"cohort": bad}, token_from="/teach/grading")
        assert response.status_code == 404, bad
    assert (
        post_form(iris, "/teach/grading/quizzes/999999/release", {"cohort": "1"}).status_code == 404
    )


def test_a_regrade_needs_a_reason_keeps_history_and_the_learner_sees_the_new_grade(
    app: Flask, world: World
) -> None:
    attempt_id, answer_id = hand_in(app, "ana@example.com")
    iris = client_for(app, "iris@example.com")
    post_grade(app, iris, answer_id, scores=("3", "2"), feedback="Excellent.", action="release")
    assert stored_attempt(app, attempt_id) == (AttemptStatus.GRADED, Decimal(10), True)

    no_reason = post_grade(app, iris, answer_id, scores=("1", "1"), feedback="Thin.")
    assert no_reason.status_code == 400
    assert "say why you are changing it" in text(no_reason)
    bo_is_not_allowed = post_grade(
        app, client_for(app, "bo@example.com"), answer_id, version="2", reason="x"
    )
    assert bo_is_not_allowed.status_code == 404

    ada = client_for(app, "ada@example.com")
    changed = post_grade(
        app,
        ada,
        answer_id,
        scores=("1", "1"),
        feedback="Thin on consent.",
        reason="Missed the consent step on a second reading.",
    )
    assert changed.status_code == 302
    with app.app_context():
        changes = session.scalars(sa.select(GradeChange)).all()
        assert len(changes) == 1
        change = changes[0]
        assert (change.old_score, change.new_score) == (Decimal(5), Decimal(2))
        assert (change.old_feedback, change.new_feedback) == ("Excellent.", "Thin on consent.")
        assert change.reason == "Missed the consent step on a second reading."
        assert change.changed_at is not None
        grade = session.scalar(sa.select(Grade).where(Grade.answer_id == answer_id))
        assert grade is not None and grade.status is GradeStatus.RELEASED
        assert change.changed_by_id != grade.grader_id  # Ada changed Iris's grade
    assert stored_attempt(app, attempt_id) == (AttemptStatus.GRADED, Decimal(7), False)

    screen = text(iris.get(grade_url(answer_id)))
    assert "History" in screen
    assert "Ada Admin" in screen
    assert "5 → 2" in screen
    assert "Missed the consent step on a second reading." in screen

    review = text(client_for(app, "ana@example.com").get(f"/attempts/{attempt_id}/review"))
    assert "Thin on consent." in review
    assert "Excellent." not in review
    assert "2 of 5 points" in review
    assert "Not passed" in review
    with app.app_context():
        messages = session.scalars(sa.select(Notification.message).order_by(Notification.id))
        assert (
            list(messages)[-1]
            == "Your instructor changed your grade on “Knowledge check”. See the review."
        )
        subjects = session.scalars(sa.select(OutboxMessage.subject).order_by(OutboxMessage.id))
        assert list(subjects)[-1] == "Your grade on “Knowledge check” was changed"

    unchanged = post_grade(
        app, ada, answer_id, scores=("1", "1"), feedback="Thin on consent.", reason="Checked."
    )
    assert "Nothing changed" in text(ada.get(unchanged.headers["Location"]))
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(GradeChange.id))) == 1
