"""The CE record holds one entry for every change that affects credit, with who, when,
what and the values before and after; a learner's whole course reads as a story."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient

from lms.database import session
from tests.ce.conftest import enrolment_of, events, finish_course, profile_of
from tests.conftest import Users, post_form


def test_a_learners_course_in_the_ce_record(
    app: Flask, users: Users, learner: FlaskClient, clock: Callable[[float], datetime]
) -> None:
    finish_course(app, learner, clock)
    with app.app_context():
        story = [e.kind for e in events() if e.kind != "lesson_time"]
        assert story == [
            "disclosure_acknowledged",
            "lesson_completed",
            "quiz_graded",
            "quiz_graded",
            "evaluation_submitted",
            "course_completed",
            "certificate_issued",
        ]
        nora = profile_of("nora@example.com")
        enrolment = enrolment_of("nora@example.com")
        for entry in events():
            assert entry.profile_id == nora.id and entry.course_id == enrolment.course_id
            assert entry.occurred_at is not None
        [time] = events("lesson_time")
        assert time.before == {"active_seconds": 0} and time.after["active_seconds"] >= 60
        assert time.subject.startswith("lesson:") and time.actor_id == nora.id
        graded = events("quiz_graded")[-1]
        assert graded.after["passed"] is True and graded.note == "Final assessment"
    # An admin's revocation is recorded with the admin as the actor.
    admin = app.test_client()
    users.client = admin
    users.create("ada@example.com", role="admin")
    users.sign_in("ada@example.com")
    with app.app_context():
        from lms.models import Certificate

        code = session.query(Certificate).one().code
    post_form(admin, f"/admin/certificates/{code}/revoke", {"revoke-reason": "Test."})
    with app.app_context():
        [revoked] = events("certificate_revoked")
        assert revoked.actor_id == profile_of("ada@example.com").id
        assert (revoked.before, revoked.after) == ({"status": "valid"}, {"status": "revoked"})
    page = admin.get(f"/admin/certificates/{code}").get_data(as_text=True)
    assert "CE record of this enrolment" in page and "disclosure_acknowledged" in page
