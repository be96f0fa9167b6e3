"""Also noticed in issue 17: cohort invite codes could be guessed without throttling (60
wrong codes at 130 a second, all 400). `/join` now counts every code tried, per learner
and per network address, and logs each refused one."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session
from lms.models import Cohort
from tests.cohorts import conftest as cohort_fixtures
from tests.cohorts.conftest import People, make_cohort
from tests.conftest import csrf_token

people = cohort_fixtures.people
courses = cohort_fixtures.courses


def try_code(client: FlaskClient, code: str, address: str = "127.0.0.1") -> int:
    response = client.post(
        "/join",
        data={"csrf_token": csrf_token(client), "code": code},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code


def invite_code(app: Flask, cohort_id: int) -> str:
    with app.app_context():
        code = session.scalar(sa.select(Cohort.invite_code).where(Cohort.id == cohort_id))
        assert code
        return code


def test_invite_codes_cannot_be_guessed_and_wrong_ones_are_logged(
    app: Flask, people: People, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = invite_code(app, make_cohort(app))
    mia = people.sign_in("mia@example.com")
    # An Alembic env.py run in this process earlier (a host's `flask db upgrade` in
    # another test) turns off the loggers that existed then: turn this one back on.
    monkeypatch.setattr(logging.getLogger("lms.security"), "disabled", False)
    with caplog.at_level(logging.WARNING, logger="lms.security"):
        statuses = [try_code(mia, f"guess-{n}", "10.3.0.1") for n in range(10)]
    assert statuses == [400] * 10
    refused = [r for r in caplog.records if "Invite code refused" in r.getMessage()]
    assert len(refused) == 10 and "10.3.0.1" in refused[0].getMessage()
    # The eleventh try within the hour is refused, even with the right code.
    response = mia.post(
        "/join",
        data={"csrf_token": csrf_token(mia), "code": code},
        environ_base={"REMOTE_ADDR": "10.3.0.2"},
    )
    assert response.status_code == 429
    assert "Too many invite codes tried." in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0

    # One network address, many learners: thirty codes an hour between them.
    others = [people.sign_in(f"learner{n}@example.com") for n in range(4)]
    statuses = [try_code(client, "guess", "10.3.9.9") for client in others for _ in range(8)]
    assert statuses == [400] * 30 + [429] * 2
    # A learner elsewhere with the right code is not held back by them.
    assert try_code(people.sign_in("kim@example.com"), code, "10.3.7.7") == 302


def test_an_invite_link_fills_in_the_code(app: Flask, people: People) -> None:
    code = invite_code(app, make_cohort(app))
    page = people.sign_in("mia@example.com").get(f"/join?code={code}")
    assert f'value="{code}"' in page.get_data(as_text=True)
