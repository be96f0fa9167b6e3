"""Fixtures for background jobs: a real SMTP sink (aiosmtpd) and a real LRS (Ralph) on
loopback (see bench/receivers.py), started for the test and stopped after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.receivers import LRS, SMTPSink, free_port
from bench.receivers import ralph as run_ralph
from bench.receivers import smtp_sink as run_smtp_sink
from tests.ce.conftest import ce_courses, clock  # noqa: F401  (the credit courses, for xAPI)

__all__ = ["LRS", "SMTPSink", "free_port"]


@pytest.fixture
def smtp_sink() -> Iterator[SMTPSink]:
    """aiosmtpd on a free port of 127.0.0.1."""
    with run_smtp_sink() as sink:
        yield sink


@pytest.fixture(scope="session")
def ralph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LRS]:
    """Ralph (ralph-malph) serving its LRS API with the file-system backend, once per run."""
    with run_ralph(tmp_path_factory.mktemp("ralph")) as lrs:
        yield lrs
