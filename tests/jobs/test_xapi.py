"""Learning records: the nurse's journey as xAPI statements (cmi5 shape), sent through the
outbox to a real LRS (Ralph, started on loopback), once; a failing LRS is retried, a
refusing one makes the job dead; the app keeps serving."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pydantic import ValidationError

from lms.database import session, utcnow
from lms.models import Enrolment, Job, JobState
from lms.xapi.statements import CMI5_CATEGORY, MASTERY_SCORE, registration, statement
from tests.ce.conftest import CRED, finish_course
from tests.conftest import Users, post_form, run_jobs
from tests.jobs.conftest import LRS

JOURNEY = [
    ("registered", "course"),
    ("launched", "lesson"),
    ("completed", "lesson"),
    ("attempted", "quiz"),
    ("passed", "quiz"),
    ("attempted", "quiz"),
    ("passed", "quiz"),
    ("satisfied", "course"),
    ("earned", "certificate"),
]


@pytest.fixture
def site(app: Flask) -> str:
    """A base URL of this test's own: statement ids derive from it, and the LRS lives
    for the whole test run."""
    base = f"http://lms-{uuid.uuid4().hex[:12]}.example"
    app.config["LMS_BASE_URL"] = base
    return base


@pytest.fixture
def nurse(
    app: Flask, site: str, ralph: LRS, users: Users, client: FlaskClient, ce_courses: None
) -> FlaskClient:
    ralph.use(app)
    users.create("nora@example.com", name="Nora Nurse")
    users.sign_in("nora@example.com")
    assert post_form(client, f"{CRED}/enrol", {}).status_code == 302
    return client


def queued(app: Flask) -> list[tuple[str, JobState]]:
    with app.app_context():
        rows = session.execute(sa.select(Job.key, Job.state).order_by(Job.id)).all()
        return [(key, state) for key, state in rows]


def verbs(statements: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (s["verb"]["display"]["en-US"], s["object"]["id"].split("/xapi/")[1].split("/")[0])
        for s in statements
    ]


def test_the_nurses_journey_reaches_the_lrs_in_order_once(
    app: Flask,
    nurse: FlaskClient,
    clock: Callable[[float], datetime],
    ralph: LRS,
    site: str,
) -> None:
    finish_course(app, nurse, clock)
    assert all(key.startswith("xapi:") for key, _ in queued(app))
    assert len(queued(app)) == len(JOURNEY)
    assert run_jobs(app) == len(JOURNEY)
    with app.app_context():
        reg = registration(1)
    stored = sorted(ralph.statements(registration=reg), key=lambda s: s["timestamp"])
    assert verbs(stored) == JOURNEY

    by_verb = {s["verb"]["display"]["en-US"]: s for s in stored}
    completed = by_verb["completed"]
    assert completed["result"]["completion"] is True
    assert (
        completed["result"]["duration"].startswith("PT")
        and completed["result"]["duration"] != "PT0S"
    )
    categories = completed["context"]["contextActivities"]["category"]
    assert CMI5_CATEGORY in [category["id"] for category in categories]
    passed = by_verb["passed"]
    assert passed["result"]["success"] is True
    assert passed["result"]["score"]["scaled"] == 1
    assert 0 < passed["context"]["extensions"][MASTERY_SCORE] <= 1
    assert passed["actor"]["account"]["homePage"] == site + "/"
    assert passed["actor"]["account"]["name"].isdigit()
    assert "nora" not in str(stored).lower()  # an account number, never a name or address

    # Sent again (a worker that died before marking them done): the LRS keeps one each.
    with app.app_context():
        session.execute(sa.update(Job).values(state=JobState.PENDING, next_attempt_at=utcnow()))
        session.commit()
    assert run_jobs(app) == len(JOURNEY)
    assert len(ralph.statements(registration=reg)) == len(JOURNEY)
    assert {state for _, state in queued(app)} == {JobState.DONE}


def test_nothing_is_queued_without_an_lrs(
    app: Flask, users: Users, client: FlaskClient, ce_courses: None
) -> None:
    users.create("nora@example.com")
    users.sign_in("nora@example.com")
    assert post_form(client, f"{CRED}/enrol", {}).status_code == 302
    assert queued(app) == []


def test_a_statement_that_does_not_fit_xapi_is_refused_before_it_is_queued(app: Flask) -> None:
    with app.test_request_context():
        good = {"profile_id": 1, "enrolment_id": 1, "course": None, "at": utcnow()}
        quiz = {"id": "http://localhost/xapi/quiz/1", "definition": {"name": {"en": "Quiz"}}}
        assert statement("ok", "passed", obj=quiz, **good)["verb"]["display"] == {"en-US": "passed"}
        with pytest.raises(ValidationError):
            statement("bad", "passed", obj=quiz, result={"score": {"raw": 12, "max": 10}}, **good)
        with pytest.raises(ValidationError):
            statement("bad", "passed", obj={"id": "not a url"}, **good)
        with pytest.raises(ValidationError):
            statement("bad", "completed", obj=quiz, result={"duration": "12 minutes"}, **good)


class _Fake(BaseHTTPRequestHandler):
    """An LRS that answers what `status` says (or never answers: status 0)."""

    def do_PUT(self) -> None:
        server: Any = self.server
        server.calls += 1
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if server.status == 0:
            server.release.wait(5)
            return
        self.send_response(server.status)
        self.end_headers()
        self.wfile.write(b'{"message": "no"}')

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_lrs() -> Iterator[Any]:
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), _Fake)
    server.status, server.calls, server.release = 503, 0, threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/xAPI/"
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def enrol(users: Users, client: FlaskClient) -> None:
    users.create("nora@example.com")
    users.sign_in("nora@example.com")
    assert post_form(client, f"{CRED}/enrol", {}).status_code == 302


@pytest.mark.parametrize("fault", ["down", "slow", "5xx"])
def test_an_lrs_down_slow_or_failing_is_retried(
    app: Flask,
    site: str,
    users: Users,
    client: FlaskClient,
    ce_courses: None,
    fake_lrs: Any,
    fault: str,
) -> None:
    endpoint = f"http://127.0.0.1:{closed_port()}/xAPI/" if fault == "down" else fake_lrs.url
    fake_lrs.status = 0 if fault == "slow" else 503
    app.config.update(LMS_XAPI_ENDPOINT=endpoint, LMS_XAPI_TIMEOUT=0.5)
    enrol(users, client)
    assert run_jobs(app) == 1
    with app.app_context():
        (job,) = session.scalars(sa.select(Job))
        assert job.state == JobState.PENDING and job.attempts == 1
        assert job.next_attempt_at > utcnow()
        assert {"down": "could not be reached", "slow": "timed out", "5xx": "503"}[fault] in (
            job.last_error or ""
        )
    assert client.get(f"{CRED}/").status_code == 200  # the app keeps serving


def test_an_lrs_that_refuses_the_statement_makes_the_job_dead(
    app: Flask,
    site: str,
    users: Users,
    client: FlaskClient,
    ce_courses: None,
    fake_lrs: Any,
) -> None:
    fake_lrs.status = 400
    app.config["LMS_XAPI_ENDPOINT"] = fake_lrs.url
    enrol(users, client)
    assert run_jobs(app) == 1
    assert run_jobs(app, utcnow().replace(year=2100)) == 0  # not retried
    assert fake_lrs.calls == 1
    with app.app_context():
        (job,) = session.scalars(sa.select(Job))
        assert job.state == JobState.DEAD
        assert "400" in (job.last_error or "") and "no" in (job.last_error or "")


def test_ralph_answers_a_malformed_statement_with_a_4xx(ralph: LRS) -> None:
    import httpx

    response = httpx.put(
        ralph.url + "statements",
        params={"statementId": str(uuid.uuid4())},
        json={"actor": "nobody", "verb": {}, "object": {}},
        auth=(ralph.username, ralph.password),
        headers={"X-Experience-API-Version": "1.0.3"},
    )
    assert 400 <= response.status_code < 500


def test_checking_in_to_a_live_session_is_stated_as_attended(
    app: Flask, site: str, ralph: LRS, users: Users, client: FlaskClient, ce_courses: None
) -> None:
    from datetime import timedelta

    from tests.ce.test_live_credit import LIVE, join, make

    ralph.use(app)
    users.create("tess@example.com", name="Tess Therapist")
    users.sign_in("tess@example.com")
    cohort = make(app, starts_in=-timedelta(minutes=10))
    join(client, cohort)
    checked = post_form(client, f"{LIVE}/check-in", {"code": "K7PQ4X"}, token_from=LIVE)
    assert checked.status_code == 302
    assert run_jobs(app) == len(queued(app))
    with app.app_context():
        (enrolment,) = session.scalars(sa.select(Enrolment.id))
        reg = registration(enrolment)
    stored = sorted(ralph.statements(registration=reg), key=lambda s: s["timestamp"])
    assert ("attended", "live-session") in verbs(stored)
    assert verbs(stored)[0] == ("registered", "course")
