"""Retention: the CE record is kept for LMS_CE_RETENTION_YEARS (default 6); `lms ce purge`
deletes only what is older, reports how much, and refuses a date inside the period."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from lms.database import session, utcnow
from lms.models import CEEvent
from tests.ce.conftest import acknowledge, events


def backdate_all_but_the_last(app: Flask, when: datetime) -> tuple[int, int]:
    """Move every entry but the newest to `when` (a Core UPDATE: the app itself never does)."""
    with app.app_context():
        ids = [event.id for event in events()]
        assert len(ids) >= 2
        session.execute(
            sa.update(CEEvent.__table__)
            .where(CEEvent.__table__.c.id.in_(ids[:-1]))
            .values(occurred_at=when)
        )
        session.commit()
        return len(ids) - 1, len(ids)


def test_purge_deletes_entries_past_retention_and_keeps_the_rest(
    app: Flask, learner: FlaskClient, runner: FlaskCliRunner
) -> None:
    acknowledge(learner)  # enrolment and disclosure: entries in the record
    learner.get("/courses/cred/lessons/read-me")
    with app.app_context():
        session.add(
            CEEvent(kind="disclosure_acknowledged", subject="test:new", occurred_at=utcnow())
        )
        session.commit()
    old, total = backdate_all_but_the_last(app, datetime(2015, 3, 1, 12, tzinfo=UTC))

    dry = runner.invoke(args=["lms", "ce", "purge", "--before", "2016-01-01", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"{old} CE record entries are from before 2016-01-01." in dry.output
    with app.app_context():
        assert len(events()) == total  # a dry run deletes nothing

    result = runner.invoke(args=["lms", "ce", "purge", "--before", "2016-01-01"])
    assert result.exit_code == 0, result.output
    assert f"Deleted {old} CE record entries from before 2016-01-01." in result.output
    with app.app_context():
        assert [event.subject for event in events()] == ["test:new"]


def test_purge_refuses_a_date_inside_the_retention_period(
    app: Flask, learner: FlaskClient, runner: FlaskCliRunner
) -> None:
    acknowledge(learner)
    with app.app_context():
        before = len(events())
    assert before >= 1
    last_year = f"{utcnow().year - 1}-01-01"
    result = runner.invoke(args=["lms", "ce", "purge", "--before", last_year])
    assert result.exit_code == 1
    assert "inside the 6-year retention period" in result.output
    assert "Choose a date on or before" in result.output
    with app.app_context():
        assert len(events()) == before


def test_the_retention_period_is_a_setting(
    app: Flask, learner: FlaskClient, runner: FlaskCliRunner
) -> None:
    app.config["LMS_CE_RETENTION_YEARS"] = 10
    eight_years_ago = f"{utcnow().year - 8}-01-01"
    result = runner.invoke(args=["lms", "ce", "purge", "--before", eight_years_ago])
    assert result.exit_code == 1
    assert "inside the 10-year retention period" in result.output


def test_purge_explains_a_malformed_date(runner: FlaskCliRunner, app: Flask) -> None:
    result = runner.invoke(args=["lms", "ce", "purge", "--before", "1 March 2015"])
    assert result.exit_code == 2
    assert "'1 March 2015' is not a date; write it as YYYY-MM-DD." in result.output
    missing = runner.invoke(args=["lms", "ce", "purge"])
    assert missing.exit_code == 2
    assert "Missing option '--before'" in missing.output
