"""Essay grades in the CE record: released, changed by a regrade, withdrawn by a return
for revision; and the quiz graded once its essay is released. One entry each, written in
the same transaction as the change (a rolled-back change leaves none)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from lms.ce.record import AppendOnlyError
from lms.database import session
from lms.models import CEEvent
from tests.grading.conftest import World, client_for, hand_in, post_grade
from tests.grading.test_grading_resubmit import return_answer

GRADES = {"quiz_graded", "grade_released", "grade_changed", "grade_withdrawn"}


def kinds(app: Flask) -> list[str]:
    """The grade entries of the CE record, in order (completing the course adds others)."""
    with app.app_context():
        rows = session.scalars(sa.select(CEEvent.kind).order_by(CEEvent.id))
        return [kind for kind in rows if kind in GRADES]


def test_each_grade_change_writes_one_entry(app: Flask, world: World) -> None:
    _attempt_id, answer_id = hand_in(app, "ana@example.com")
    before = kinds(app)
    iris = client_for(app, "iris@example.com")
    assert post_grade(app, iris, answer_id, action="draft").status_code == 302
    assert kinds(app) == before  # a draft is not credit
    assert post_grade(app, iris, answer_id, action="release").status_code == 302
    released = kinds(app)[len(before) :]
    assert released == ["quiz_graded", "grade_released"] or released == [
        "grade_released",
        "quiz_graded",
    ]
    regrade = post_grade(
        app, iris, answer_id, scores=("2", "1"), action="release", reason="Misread the rubric."
    )
    assert regrade.status_code == 302
    after_regrade = kinds(app)[len(before) + 2 :]
    assert sorted(after_regrade) == ["grade_changed", "quiz_graded"]
    assert return_answer(app, "iris@example.com", answer_id).status_code == 302
    assert kinds(app)[-1] == "grade_withdrawn"
    with app.app_context():
        changed = session.scalar(sa.select(CEEvent).where(CEEvent.kind == "grade_changed"))
        assert changed is not None
        assert (Decimal(changed.before["score"]), Decimal(changed.after["score"])) == (
            Decimal("4.5"),
            Decimal("3"),
        )


def test_a_rolled_back_change_leaves_no_entry_and_entries_never_change(
    app: Flask, world: World
) -> None:
    _attempt_id, answer_id = hand_in(app, "ana@example.com")
    from lms.grading.forms import GradeForm, criteria_of
    from lms.grading.service import save_grade
    from lms.models import Answer, Profile

    with app.test_request_context():  # the grade's notification links to the review
        count = session.scalar(sa.select(sa.func.count(CEEvent.id)))
        answer = session.get(Answer, answer_id)
        iris = session.scalar(sa.select(Profile).where(Profile.email == "iris@example.com"))
        assert answer is not None and iris is not None
        criteria = criteria_of(answer.question_version)
        data = {c.field_name: "1" for c in criteria} | {"action": "release", "version": "0"}
        save_grade(answer, iris, GradeForm.parse(criteria, data, released=False))
        assert session.scalar(sa.select(sa.func.count(CEEvent.id))) > count  # flushed with it
        session.rollback()
        assert session.scalar(sa.select(sa.func.count(CEEvent.id))) == count

        entry = session.scalars(sa.select(CEEvent)).first()
        assert entry is not None
        entry.note = "edited"
        with pytest.raises(AppendOnlyError):
            session.flush()
        session.rollback()
        session.delete(session.scalars(sa.select(CEEvent)).first())
        with pytest.raises(AppendOnlyError):
            session.flush()
        session.rollback()
