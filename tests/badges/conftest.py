"""Fixtures for Open Badges in the LMS: an app with a base URL and a key file of its own,
and a learner who has earned a certificate in the small credit course (tests/fixtures/ce)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session
from lms.models import Certificate
from tests.ce import conftest as ce_fixtures
from tests.ce.conftest import finish_course
from tests.conftest import app_with_tables

# The CE course fixtures: a learner enrolled in the credit course, and the server's clock.
ce_courses = ce_fixtures.ce_courses
clock = ce_fixtures.clock
learner = ce_fixtures.learner

BASE_URL = "https://cpd.example.org"


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "badges.pem"


@pytest.fixture
def app(database_url: str, key_file: Path) -> Iterator[Flask]:
    """The test app with LMS_BASE_URL set (links never come from the request's Host) and
    its signing key at `key_file` (not made yet)."""
    with app_with_tables(
        database_url,
        LMS_BASE_URL=BASE_URL,
        LMS_TRUSTED_HOSTS="localhost",
        LMS_BADGES_KEY_FILE=str(key_file),
        LMS_BADGES_ISSUER_NAME="Test Provider",
        LMS_BADGES_ISSUER_EMAIL="ce@cpd.example.org",
    ) as app:
        yield app


def make_key(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["lms", "badges", "init-key"])
    assert result.exit_code == 0, result.output


def earn_certificate(app: Flask, learner: FlaskClient, clock: Callable[[float], datetime]) -> str:
    """The learner finishes the credit course; its certificate's number."""
    finish_course(app, learner, clock)
    with app.app_context():
        code = session.scalar(sa.select(Certificate.code).order_by(Certificate.id.desc()))
    assert code
    return code


@pytest.fixture
def earned(app: Flask, learner: FlaskClient, clock: Callable[[float], datetime]) -> str:
    make_key(app)
    return earn_certificate(app, learner, clock)
