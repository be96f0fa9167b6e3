"""PostgreSQL: procrastinate's workers (`lms worker`) deliver what requests committed,
each mail once, with several workers at once and one of them killed mid-batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from lms import migrate
from lms.database import session
from lms.mail import send_mail
from lms.models import Job, JobState
from tests.conftest import POSTGRES_URL, make_test_app, new_postgres_database
from tests.jobs.conftest import LRS, SMTPSink

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(not POSTGRES_URL, reason="LMS_TEST_DATABASE_URL is not set"),
]

WORKER = """
import json, sys
from lms.app import create_app
from lms.jobs.engine import run_worker
run_worker(create_app(json.loads(sys.argv[1])), concurrency=int(sys.argv[2]))
"""


@pytest.fixture
def migrated_url() -> Iterator[str]:
    """A new PostgreSQL database set up as a deployment does: `lms db upgrade`."""
    with new_postgres_database() as url:
        engine = sa.create_engine(url)
        migrate.upgrade("head", bind=engine)
        engine.dispose()
        yield url


def config(url: str, sink: SMTPSink, **extra: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "LMS_SMTP_HOST": sink.host,
        "LMS_SMTP_PORT": sink.port,
        "LMS_SMTP_STARTTLS": False,
        "LMS_GRADING_DIGEST_HOUR": None,
        **extra,
    }


def start_worker(
    settings: dict[str, Any], log: Path, concurrency: int = 2
) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:  # the worker keeps its own copy of the file
        return subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps(settings), str(concurrency)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


def wait_until(condition: Callable[[], bool], seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out; worker log:\n{log.read_text()[-4000:]}")


def states(url: str) -> Counter[JobState]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = Counter(dict(connection.execute(  # type: ignore[arg-type]
            sa.select(Job.state, sa.func.count()).group_by(Job.state)
        ).all()))  # fmt: skip
    engine.dispose()
    return found


def mail(url: str, sink: SMTPSink, count: int, start: int = 0) -> None:
    app = make_test_app(url, **{k: v for k, v in config(url, sink).items() if k.startswith("LMS_")})
    with app.app_context():
        for number in range(start, start + count):
            send_mail(f"learner{number}@example.com", f"Message {number}", "Hello")
            session.commit()  # one request each
        session.remove()
        app.extensions["sqlalchemy"].engine.dispose()


def stop(*workers: subprocess.Popen[bytes]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def enrol(url: str, sink: SMTPSink, lrs: LRS, site: str, count: int) -> None:
    """`count` learners enrol in the self-paced credit course: one statement each."""
    from lms.learning.enrolment import enrol_self_paced
    from lms.models import Course, Profile
    from tests.ce.conftest import CE_COURSES

    settings = config(url, sink, **lrs_settings(lrs, site))
    app = make_test_app(url, **{k: v for k, v in settings.items() if k.startswith("LMS_")})
    result = app.test_cli_runner().invoke(args=["lms", "courses", "sync", str(CE_COURSES)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        course = session.scalar(sa.select(Course).where(Course.slug == "cred"))
        assert course is not None
        for number in range(count):
            email = f"enrolled{number}@example.com"
            profile = Profile(user_id=f"u{number}", email=email, display_name=f"L {number}")
            session.add(profile)
            session.flush()
            enrol_self_paced(profile, course)
            session.commit()  # one request each
        session.remove()
        app.extensions["sqlalchemy"].engine.dispose()


def lrs_settings(lrs: LRS, site: str) -> dict[str, Any]:
    return {
        "LMS_XAPI_ENDPOINT": lrs.url,
        "LMS_XAPI_USERNAME": lrs.username,
        "LMS_XAPI_PASSWORD": lrs.password,
        "LMS_BASE_URL": site,
    }


def test_two_workers_deliver_every_mail_and_statement_once(
    migrated_url: str, smtp_sink: SMTPSink, ralph: LRS, tmp_path: Path
) -> None:
    log = tmp_path / "workers.log"
    site = f"http://lms-{uuid.uuid4().hex[:12]}.example"
    settings = config(migrated_url, smtp_sink, **lrs_settings(ralph, site))
    workers = [start_worker(settings, log), start_worker(settings, log)]
    try:
        mail(migrated_url, smtp_sink, 40)
        enrol(migrated_url, smtp_sink, ralph, site, 30)
        wait_until(lambda: states(migrated_url)[JobState.DONE] == 70, 90, log)
    finally:
        stop(*workers)
    recipients = Counter(message["To"] for message in smtp_sink.messages)
    assert len(recipients) == 40
    assert set(recipients.values()) == {1}
    ours = [s for s in ralph.stored() if s["actor"]["account"]["homePage"] == site + "/"]
    assert len(ours) == 30
    assert len({s["id"] for s in ours}) == 30
    assert {s["verb"]["display"]["en-US"] for s in ours} == {"registered"}


@pytest.mark.slow
def test_a_worker_killed_mid_batch_loses_nothing(
    migrated_url: str, smtp_sink: SMTPSink, tmp_path: Path
) -> None:
    """SIGKILL one of two workers while mail is going out; the other carries on, and the
    killed one's jobs are taken up again once their claim lapses (the sweep, each minute).
    A job killed after the server accepted its mail but before the commit is sent again
    with the same Message-ID: receivers see each message id once."""
    smtp_sink.delay = 0.05
    log = tmp_path / "workers.log"
    settings = config(migrated_url, smtp_sink, LMS_JOBS_LEASE_SECONDS=2, LMS_JOBS_SWEEP_SECONDS=2)
    victim = start_worker(settings, log, concurrency=4)
    survivor = start_worker(settings, log, concurrency=4)
    try:
        mail(migrated_url, smtp_sink, 120)
        wait_until(lambda: len(smtp_sink.messages) >= 20, 60, log)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        wait_until(lambda: states(migrated_url)[JobState.DONE] == 120, 150, log)
    finally:
        stop(victim, survivor)
    ids = Counter(message["Message-ID"] for message in smtp_sink.messages)
    recipients = {message["To"] for message in smtp_sink.messages}
    assert len(ids) == 120 and len(recipients) == 120
    assert sum(ids.values()) - 120 <= 4  # at most the killed worker's jobs in flight


def test_without_procrastinates_tables_jobs_run_from_the_table(
    smtp_sink: SMTPSink, caplog: pytest.LogCaptureFixture
) -> None:
    """A host that made the LMS's tables itself (create_all), not by `lms db upgrade`."""
    from lms.database import Base
    from tests.conftest import run_jobs

    with new_postgres_database() as url:
        engine = sa.create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        app = make_test_app(
            url, **{k: v for k, v in config(url, smtp_sink).items() if k.startswith("LMS_")}
        )
        with app.app_context():
            send_mail("ana@example.com", "Hello", "From the table")
            session.commit()
            session.remove()
        assert "procrastinate's tables are missing" in caplog.text
        assert run_jobs(app) == 1
        with app.app_context():
            session.remove()
            app.extensions["sqlalchemy"].engine.dispose()
    assert [m["To"] for m in smtp_sink.messages] == ["ana@example.com"]


def test_a_worker_starts_procrastinate_again_when_it_stops_by_itself(
    migrated_url: str, smtp_sink: SMTPSink, tmp_path: Path
) -> None:
    """procrastinate's worker stops by itself when one of its side tasks fails, as its
    scheduler's query does here (its table renamed away for a moment; a connection cut
    at the wrong moment does the same). `lms worker` starts it again and delivers on."""
    log = tmp_path / "worker.log"
    settings = config(migrated_url, smtp_sink, LMS_JOBS_SWEEP_SECONDS=1)
    engine = sa.create_engine(migrated_url)
    table = "procrastinate_periodic_defers"
    with engine.begin() as connection:
        connection.exec_driver_sql(f"ALTER TABLE {table} RENAME TO {table}_away")
    worker = start_worker(settings, log)
    try:
        wait_until(lambda: "stopped by itself" in log.read_text(), 30, log)
        with engine.begin() as connection:
            connection.exec_driver_sql(f"ALTER TABLE {table}_away RENAME TO {table}")
        mail(migrated_url, smtp_sink, 3)
        wait_until(lambda: len(smtp_sink.messages) == 3, 30, log)
        assert worker.poll() is None
    finally:
        stop(worker)
        engine.dispose()
    assert sorted(m["To"] for m in smtp_sink.messages) == [
        f"learner{n}@example.com" for n in range(3)
    ]
