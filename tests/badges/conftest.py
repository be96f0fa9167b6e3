"""Fixtures for Open Badges in the LMS: an app with a base URL and a key file of its own,
and a learner who has earned a certificate in the small credit course (tests/fixtures/ce)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import app_with_tables

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


# The CE course fixtures: a learner enrolled in the credit course, and the server's clock.
from tests.ce.conftest import ce_courses, clock, learner  # noqa: E402, F401
