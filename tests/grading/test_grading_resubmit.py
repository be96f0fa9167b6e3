"""Revise and resubmit: the instructor returns an essay with a note, the learner sees the
note and edits it on their review page, resubmits, and both versions are kept."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Flask

from lms.database import session
from lms.models import Answer, AnswerRevision, AttemptStatus, Grade, GradeChange, GradeStatus
from tests.conftest import post_form
from tests.grading.conftest import (
    ESSAY,
    World,
    client_for,
    grade_url,
    hand_in,
    post_grade,
    stored_attempt,
    text,
)

REVISED = "I would first ask for consent, then listen closely and keep the room calm and safe."
NOTE = "Say how you would check consent before the session starts."


def return_answer(app: Flask, email: str, answer_id: int, note: str = NOTE) -> Any:
    client = client_for(app, email)
    return post_form(
        client, f"{grade_url(answer_id)}/return", {"note": note}, token_from=grade_url(answer_id)
    )


def resubmit(app: Flask, email: str, attempt_id: int, answer_id: int, essay: str) -> Any:
    client = client_for(app, email)
    return post_form(
        client,
        f"/attempts/{attempt_id}/answers/{answer_id}/resubmit",
        {"response": essay},
        token_from=f"/attempts/{attempt_id}/review",
    )


def test_return_resubmit_and_grade_keeps_both_versions(app: Flask, world: World) -> None:
    attempt_id, answer_id = hand_in(app, "ana@example.com")
    iris = client_for(app, "iris@example.com")
    assert (
        post_grade(app, iris, answer_id, feedback="A draft before the return.").status_code == 302
    )

    empty = return_answer(app, "iris@example.com", answer_id, note="  ")
    assert empty.status_code == 400
    assert "Write a note" in text(empty)
    returned = return_answer(app, "iris@example.com", answer_id)
    assert returned.status_code == 302
    again = return_answer(app, "iris@example.com", answer_id)
    assert again.status_code == 409

    # Back with the learner: out of the queue, not gradable, and the learner sees the note.
    assert "Ana Learner" not in text(iris.get("/teach/grading"))
    blocked = post_grade(app, iris, answer_id, version="1")
    assert blocked.status_code == 409
    assert "back with the learner for revision" in text(blocked)
    ana = client_for(app, "ana@example.com")
    review = text(ana.get(f"/attempts/{attempt_id}/review"))
    assert "Returned for revision" in review
    assert NOTE in review
    assert f'action="/attempts/{attempt_id}/answers/{answer_id}/resubmit"' in review
    assert "A draft before the return." not in review

    too_short = resubmit(app, "ana@example.com", attempt_id, answer_id, "Consent first, always.")
    assert too_short.status_code == 400
    page = text(too_short)
    assert "write at least 10" in page
    assert "Consent first, always." in page  # what was typed is kept
    # Someone else's browser cannot resubmit it.
    other = resubmit(app, "ben@example.com", attempt_id, answer_id, REVISED)
    assert other.status_code == 404
    wrong_attempt = resubmit(app, "ana@example.com", attempt_id + 1000, answer_id, REVISED)
    assert wrong_attempt.status_code == 404

    done = resubmit(app, "ana@example.com", attempt_id, answer_id, REVISED)
    assert done.status_code == 302
    review = text(ana.get(f"/attempts/{attempt_id}/review"))
    assert "Awaiting grading" in review and REVISED in review
    assert "Returned for revision" not in review
    twice = resubmit(app, "ana@example.com", attempt_id, answer_id, REVISED)
    assert twice.status_code == 409

    with app.app_context():
        answer = session.get(Answer, answer_id)
        assert answer is not None
        assert (answer.response, answer.revision, answer.returned_at) == (REVISED, 2, None)
        revisions = session.scalars(sa.select(AnswerRevision)).all()
        assert [(r.revision, r.response, r.note) for r in revisions] == [(1, ESSAY, NOTE)]
        assert revisions[0].returned_by_id is not None and revisions[0].submitted_at is not None

    screen = text(iris.get(grade_url(answer_id)))
    assert REVISED in screen and ESSAY in screen
    assert "Earlier versions" in screen and "Revision 1" in screen and NOTE in screen
    queue = text(iris.get("/teach/grading"))
    assert "Ana Learner" in queue and "Revision 2" in queue

    assert post_grade(app, iris, answer_id, scores=("3", "2"), action="release").status_code == 302
    assert stored_attempt(app, attempt_id) == (AttemptStatus.GRADED, Decimal(10), True)


def test_returning_a_released_grade_withdraws_it_until_regraded(app: Flask, world: World) -> None:
    attempt_id, answer_id = hand_in(app, "ana@example.com")
    iris = client_for(app, "iris@example.com")
    post_grade(app, iris, answer_id, scores=("1", "1"), feedback="Too thin.", action="release")
    assert stored_attempt(app, attempt_id) == (AttemptStatus.GRADED, Decimal(7), False)

    assert return_answer(app, "iris@example.com", answer_id).status_code == 302
    assert stored_attempt(app, attempt_id) == (AttemptStatus.AWAITING_GRADING, None, None)
    with app.app_context():
        grade = session.scalar(sa.select(Grade).where(Grade.answer_id == answer_id))
        assert grade is not None and grade.status is GradeStatus.DRAFT
        change = session.scalar(sa.select(GradeChange))
        assert change is not None and change.reason.startswith("Returned for revision")
    review = text(client_for(app, "ana@example.com").get(f"/attempts/{attempt_id}/review"))
    assert NOTE in review
    assert "Too thin." not in review

    assert resubmit(app, "ana@example.com", attempt_id, answer_id, REVISED).status_code == 302
    assert post_grade(app, iris, answer_id, scores=("3", "2"), action="release").status_code == 302
    assert stored_attempt(app, attempt_id) == (AttemptStatus.GRADED, Decimal(10), True)
