"""Learners are told when feedback is released (in the app and by mail); instructors get a
daily digest when anything waits; `lms grading digest` sends it once a day."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from lms.database import session, utcnow
from lms.models import Notification, OutboxMessage
from lms.notifications import send_grading_digests
from tests.conftest import post_form
from tests.grading.conftest import World, client_for, hand_in, post_grade, text


def outbox(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [
            (m.to_address, m.subject, m.body)
            for m in session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def test_a_learner_reads_and_clears_their_notifications(app: Flask, world: World) -> None:
    attempt_id, answer_id = hand_in(app, "ana@example.com")
    post_grade(app, client_for(app, "iris@example.com"), answer_id, action="release")
    ana = client_for(app, "ana@example.com")
    page = text(ana.get("/notifications"))
    assert "1 unread." in page
    assert "Your instructor released feedback on “Knowledge check”." in page
    with app.app_context():
        notification_id = session.scalar(sa.select(Notification.id))
    opened = post_form(ana, f"/notifications/{notification_id}/read", {})
    assert opened.status_code == 302
    assert opened.headers["Location"] == f"/attempts/{attempt_id}/review"
    assert "Nothing unread." in text(ana.get("/notifications"))

    ben = client_for(app, "ben@example.com")
    assert post_form(ben, f"/notifications/{notification_id}/read", {}).status_code == 404
    assert "No notifications yet." in text(ben.get("/notifications"))
    cleared = post_form(ben, "/notifications/read", {})
    assert "Nothing was unread." in text(ben.get(cleared.headers["Location"]))
    mail = [m for m in outbox(app) if m[0] == "ana@example.com"]
    assert [subject for _to, subject, _body in mail] == ["Feedback on “Knowledge check” is ready"]


def test_the_digest_mails_only_instructors_with_work_waiting_once_a_day(
    app: Flask, world: World
) -> None:
    hand_in(app, "ana@example.com")  # cohort A: Iris (and Ada, an admin) have work
    hand_in(app, "sol@example.com")  # self-paced: Sam
    # Early in the day, so "two hours later" is the same day whenever the test runs.
    now = utcnow().replace(hour=1, minute=0)
    with app.app_context():
        sent = send_grading_digests(now)
        session.commit()
    assert sorted(sent) == ["iris@example.com", "sam@example.com"]
    mails = {to: (subject, body) for to, subject, body in outbox(app)}
    assert "bo@example.com" not in mails and "ada@example.com" not in mails
    subject, body = mails["iris@example.com"]
    day = now.date().isoformat()
    assert subject == f"Grading digest for {day}: 1 answer waiting"
    assert "1 essay answer is waiting for grading in your courses: " in body
    assert "1 in “Knowledge check” (A good course)" in body
    assert "/teach/grading" in body

    with app.app_context():
        assert send_grading_digests(now + timedelta(hours=2)) == []  # same day: nothing again
        session.commit()
        assert sorted(send_grading_digests(now + timedelta(days=1))) == sorted(sent)
        session.commit()


def test_the_cli_command_sends_the_digest(app: Flask, world: World, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["lms", "grading", "digest"])
    assert result.exit_code == 0, result.output
    assert "No grading digest to send" in result.output
    hand_in(app, "ben@example.com")
    result = runner.invoke(args=["lms", "grading", "digest"])
    assert result.exit_code == 0, result.output
    assert "Grading digest sent to 1 instructor(s): bo@example.com." in result.output
    assert [to for to, _s, _b in outbox(app) if "digest" in _s] == ["bo@example.com"]
    again = runner.invoke(args=["lms", "grading", "digest"])
    assert "No grading digest to send" in again.output
