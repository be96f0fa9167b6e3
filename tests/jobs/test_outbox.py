"""The transactional outbox: mail leaves only after the commit, once; failures are
retried with backoff, then dead, where admins see them and retry or discard them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, abort
from flask.testing import FlaskClient

from lms.database import session, utcnow
from lms.jobs import JobPayloadError, backoff, enqueue
from lms.mail import send_mail
from lms.models import Job, JobState, OutboxMessage
from tests.conftest import Users, csrf_token, post_form, run_jobs
from tests.jobs.conftest import SMTPSink

SENT = "If an account exists for that address, we sent a link to it."


def jobs(app: Flask) -> list[Job]:
    with app.app_context():
        # Not the payload: one test stores garbage there.
        query = sa.select(Job).options(so.defer(Job.payload, raiseload=True)).order_by(Job.id)
        found = list(session.scalars(query))
        session.expunge_all()
        return found


def later(seconds: float) -> object:
    return utcnow() + timedelta(seconds=seconds)


def test_a_rolled_back_request_sends_nothing(
    app: Flask, client: FlaskClient, smtp_sink: SMTPSink
) -> None:
    smtp_sink.use(app)

    def mail_then_fail() -> str:
        send_mail("ana@example.com", "Never", "This request fails after queueing a mail.")
        abort(409, description="Something went wrong after the mail was queued.")

    app.add_url_rule("/mail-then-fail", "mail_then_fail", mail_then_fail)
    assert client.get("/mail-then-fail").status_code == 409
    with app.app_context():
        send_mail("bo@example.com", "Never either", "Rolled back by the caller.")
        session.rollback()
    assert run_jobs(app) == 0
    assert jobs(app) == []
    assert smtp_sink.messages == []


def test_a_committed_request_sends_once_after_the_commit(
    app: Flask, client: FlaskClient, users: Users, smtp_sink: SMTPSink
) -> None:
    smtp_sink.use(app)
    users.create("nurse@example.com")
    response = post_form(client, "/forgot-password", {"email": "nurse@example.com"})
    assert SENT in response.get_data(as_text=True)
    assert smtp_sink.messages == []  # nothing leaves inside the request
    (job,) = jobs(app)
    assert (job.kind, job.state) == ("mail", JobState.PENDING)
    assert job.key.startswith("mail:outbox:")

    assert run_jobs(app) == 1
    assert run_jobs(app) == 0
    assert run_jobs(app, later(3600 * 24)) == 0
    (delivered,) = smtp_sink.messages
    assert delivered["To"] == "nurse@example.com"
    assert "/reset-password/" in delivered.get_content()
    (job,) = jobs(app)
    assert job.state == JobState.DONE and job.attempts == 1


def test_the_same_key_makes_one_job(app: Flask, smtp_sink: SMTPSink) -> None:
    smtp_sink.use(app)
    with app.app_context():
        first = send_mail("ana@example.com", "Digest", "One", key="mail:digest:2026-12-04:1")
        assert enqueue("mail", {"outbox_id": first.id}, key="mail:digest:2026-12-04:1") is None
        session.commit()
    run_jobs(app)
    assert len(smtp_sink.messages) == 1


def test_a_payload_that_is_not_json_is_refused_before_the_commit(app: Flask) -> None:
    with app.app_context():
        with pytest.raises(JobPayloadError, match="not JSON"):
            enqueue("mail", {"outbox_id": object()})
        with pytest.raises(JobPayloadError):
            enqueue("mail", {"score": float("nan")})
        with pytest.raises(ValueError, match="no handler"):
            enqueue("no-such-kind", {})
        session.commit()
    assert jobs(app) == []


def test_a_retry_after_a_crash_mid_job_sends_the_same_message(
    app: Flask, smtp_sink: SMTPSink
) -> None:
    """A worker that dies after sending but before marking the job done: the claim lapses,
    another worker sends again, with the same Message-ID (receivers can tell)."""
    from lms.jobs import HANDLERS, claim

    smtp_sink.use(app)
    with app.app_context():
        send_mail("ana@example.com", "Once", "Hello")
        session.commit()
        claimed = claim()
        assert claimed is not None
        payload = session.scalar(sa.select(Job.payload).where(Job.id == claimed.id))
        HANDLERS["mail"].run(payload, claimed.key)  # the effect...
        session.rollback()  # ...and the worker dies before its commit
    assert run_jobs(app) == 0  # another worker waits for the claim to lapse
    lease = app.config["LMS_JOBS_LEASE_SECONDS"]
    assert run_jobs(app, later(lease + 1)) == 1
    first, second = smtp_sink.messages
    assert first["Message-ID"] == second["Message-ID"]
    (job,) = jobs(app)
    assert (job.state, job.attempts) == (JobState.DONE, 2)


def test_a_refusing_mail_server_is_retried_with_backoff_then_the_job_is_dead(
    app: Flask, client: FlaskClient, users: Users, smtp_sink: SMTPSink
) -> None:
    smtp_sink.use(app)
    app.config.update(LMS_JOBS_MAX_ATTEMPTS=4, LMS_JOBS_BACKOFF_SECONDS=10)
    smtp_sink.refuse = "451 4.3.0 Try again later"
    with app.app_context():
        send_mail("ana@example.com", "Graded", "Your essay was graded.")
        session.commit()
    now = utcnow()
    waits = []
    for attempt in range(1, 5):
        assert run_jobs(app, now) == 1
        assert run_jobs(app, now) == 0  # not before its time
        (job,) = jobs(app)
        assert job.attempts == attempt
        assert "451" in (job.last_error or "")
        waits.append(job.next_attempt_at - now)
        now = job.next_attempt_at
    assert waits[:3] == [timedelta(seconds=10), timedelta(seconds=20), timedelta(seconds=40)]
    (job,) = jobs(app)
    assert job.state == JobState.DEAD
    with app.app_context():
        (message,) = session.scalars(sa.select(OutboxMessage))
        assert message.sent_at is None and "451" in (message.error or "")

    # The app keeps serving meanwhile, and admins see what is stuck.
    users.create("admin@example.com", role="admin")
    users.sign_in("admin@example.com")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Dead" in page and "451" in page and job.key in page

    smtp_sink.refuse = None  # the mail server is mended; the admin retries
    token = csrf_token(client, "/admin/jobs")
    response = client.post(f"/admin/jobs/{job.id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    assert run_jobs(app) == 1
    assert len(smtp_sink.messages) == 1
    assert jobs(app)[0].state == JobState.DONE


def test_backoff_doubles_up_to_the_cap(app: Flask) -> None:
    app.config.update(LMS_JOBS_BACKOFF_SECONDS=30, LMS_JOBS_BACKOFF_MAX_SECONDS=3600)
    with app.app_context():
        assert [backoff(n).total_seconds() for n in (1, 2, 3, 7, 8, 500)] == [
            30, 60, 120, 1920, 3600, 3600,
        ]  # fmt: skip


def test_a_job_edited_to_garbage_goes_dead_and_the_others_still_run(
    app: Flask, smtp_sink: SMTPSink
) -> None:
    smtp_sink.use(app)
    with app.app_context():
        send_mail("ana@example.com", "First", "One")
        send_mail("bo@example.com", "Second", "Two")
        session.commit()
        first = session.scalars(sa.select(Job.id).order_by(Job.id)).first()
        assert first is not None
        garbage = "'\"garbage\"'" if session.get_bind().dialect.name == "postgresql" else "'{{{'"
        session.execute(sa.text(f"UPDATE lms_job SET payload = {garbage} WHERE id = {first}"))
        session.execute(
            sa.text("UPDATE lms_job SET kind = 'no-such-kind' WHERE id = :id"),
            {"id": first + 1},
        )
        send_mail("cy@example.com", "Third", "Three")
        session.commit()
    assert run_jobs(app) == 3
    assert run_jobs(app, later(3600 * 24)) == 0  # no crash loop
    states = [(job.state, job.attempts) for job in jobs(app)]
    assert states == [(JobState.DEAD, 1), (JobState.DEAD, 1), (JobState.DONE, 1)]
    assert "no-such-kind" in (jobs(app)[1].last_error or "")
    assert [m["To"] for m in smtp_sink.messages] == ["cy@example.com"]


def test_admin_jobs_page_is_for_admins_and_needs_the_csrf_token(
    app: Flask, client: FlaskClient, users: Users
) -> None:
    assert client.get("/admin/jobs").status_code == 302
    users.create("learner@example.com")
    users.sign_in("learner@example.com")
    assert client.get("/admin/jobs").status_code == 403
    assert client.post("/admin/jobs/1/retry").status_code in (400, 403)
    users.create("admin@example.com", role="admin")
    users.sign_in("admin@example.com")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "No dead jobs." in page
    assert client.post("/admin/jobs/1/retry").status_code == 400  # no CSRF token
    token = csrf_token(client, "/admin/jobs")
    for path in ("/admin/jobs/1/retry", "/admin/jobs/1/discard", "/admin/jobs/99999999999/retry"):
        assert client.post(path, data={"csrf_token": token}).status_code == 404


def dead_job(app: Flask) -> int:
    with app.app_context():
        job_id = enqueue("mail", {"outbox_id": "not a number"}, key="mail:broken")
        session.commit()
    run_jobs(app)
    assert job_id is not None
    return job_id


def test_admins_discard_a_dead_job(app: Flask, client: FlaskClient, users: Users) -> None:
    job_id = dead_job(app)
    users.create("admin@example.com", role="admin")
    users.sign_in("admin@example.com")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "outbox_id" in page  # the error says what is wrong with it
    token = csrf_token(client, "/admin/jobs")
    response = client.post(f"/admin/jobs/{job_id}/discard", data={"csrf_token": token})
    assert response.status_code == 302
    assert jobs(app) == []


def test_the_jobs_commands_list_retry_and_discard(app: Flask, runner: object) -> None:
    job_id = dead_job(app)
    result = runner.invoke(args=["lms", "jobs", "list"])  # type: ignore[attr-defined]
    assert result.exit_code == 0, result.output
    assert "dead: 1" in result.output and "mail:broken" in result.output
    assert "outbox_id" in result.output
    result = runner.invoke(args=["lms", "jobs", "retry", str(job_id)])  # type: ignore[attr-defined]
    assert result.exit_code == 0 and "will be retried" in result.output
    assert jobs(app)[0].state == JobState.PENDING
    run_jobs(app)
    result = runner.invoke(args=["lms", "jobs", "discard", str(job_id), "12345"])  # type: ignore[attr-defined]
    assert result.exit_code == 1
    assert f"Job(s) {job_id} discarded." in result.output
    assert "No dead job 12345" in result.output
    assert jobs(app) == []


def test_lms_worker_once_runs_what_is_due(app: Flask, runner: object, smtp_sink: SMTPSink) -> None:
    smtp_sink.use(app)
    app.config["LMS_GRADING_DIGEST_HOUR"] = None
    with app.app_context():
        send_mail("ana@example.com", "Hello", "From the worker")
        session.commit()
    result = runner.invoke(args=["lms", "worker", "--once"])  # type: ignore[attr-defined]
    assert result.exit_code == 0, result.output
    assert "Ran 1 job(s)." in result.output
    assert len(smtp_sink.messages) == 1


def test_the_daily_digest_is_scheduled_once_a_day(app: Flask) -> None:
    from lms.jobs.periodic import schedule_due

    app.config["LMS_GRADING_DIGEST_HOUR"] = 7
    day = utcnow().replace(hour=6, minute=0)
    with app.app_context():
        assert schedule_due(day) == []
        morning = day.replace(hour=7, minute=1)
        key = f"periodic:grading-digest:{morning.date().isoformat()}"
        assert schedule_due(morning) == [key]
        assert schedule_due(morning + timedelta(hours=3)) == []  # another worker, later
    assert run_jobs(app) == 1
    assert [(job.key, job.state) for job in jobs(app)] == [(key, JobState.DONE)]


def test_the_in_process_worker_sends_soon_after_the_commit(app: Flask, smtp_sink: SMTPSink) -> None:
    """What `lms run` and `lms demo` start: a thread woken by the commit."""
    import time

    from lms.jobs.worker import start_in_process

    smtp_sink.use(app)
    app.config.update(LMS_GRADING_DIGEST_HOUR=None, LMS_JOBS_POLL_SECONDS=30)
    worker = start_in_process(app)
    try:
        with app.app_context():
            send_mail("ana@example.com", "Soon", "Sent by the thread")
            session.commit()
            session.remove()
        deadline = time.monotonic() + 10
        while not smtp_sink.messages and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.close()
    assert [m["To"] for m in smtp_sink.messages] == ["ana@example.com"]
