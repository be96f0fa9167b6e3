"""Several hosts on one PostgreSQL (issue 14, "Scale past one machine"): two gunicorn
servers and two `lms worker` processes, learners submitting at once through both servers,
each effect counted where it lands (the SMTP sink, Ralph's LRS). The scenario itself is
`bench.multihost` (also `python -m bench.load --scenario multihost`).

What is asserted, exactly:
- xAPI: every statement queued is at the LRS, each id once (ids are deterministic and a
  retry is a PUT at the same id), and the LRS holds none that was not queued.
- Mail: every message delivered, one Message-ID per message and per recipient; a repeat is
  possible only after a worker died (or lost its connection) between the SMTP server's
  "250" and its commit, and then it carries the same Message-ID (at least once, never a
  second, different message), bounded by the jobs in flight at that moment.

PostgreSQL only (procrastinate); skipped without LMS_TEST_DATABASE_URL. Slow-ish: the
two tests take about a minute together.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import multihost
from bench.receivers import LRS, SMTPSink
from tests.conftest import POSTGRES_URL, new_postgres_database

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.slow,
    pytest.mark.skipif(not POSTGRES_URL, reason="LMS_TEST_DATABASE_URL is not set"),
]


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    with new_postgres_database() as url:
        yield url


def assert_each_mail_delivered(report: multihost.Report, repeats_at_most: int) -> None:
    learners = report.learners
    assert report.mails_expected == learners
    assert report.mail_ids == learners  # every message arrived
    assert report.mail_recipients == learners
    assert report.mixed_ids == 0  # nobody got two different messages
    assert report.mails_received == learners + report.mail_duplicates
    assert report.mail_duplicates <= repeats_at_most


def assert_each_statement_once(report: multihost.Report) -> None:
    assert report.statements_expected >= 2 * report.learners
    assert report.statements_received == report.statements_expected
    assert report.statement_ids == report.statements_expected
    assert report.statements_not_queued == 0


def test_two_hosts_and_two_workers_deliver_every_effect_once_though_a_worker_is_killed(
    empty_postgres: str, smtp_sink: SMTPSink, ralph: LRS, tmp_path: Path
) -> None:
    """200 learners submit a quiz and ask for a reset link at once, half through each
    server; a quarter of the way through the mail, one worker is SIGKILLed (its whole
    process group). The other carries on and takes up the dead one's jobs once their
    lease lapses."""
    learners = 200
    report = multihost.run(
        empty_postgres, smtp_sink, ralph, tmp_path, learners, kill_worker=True, deadline=90
    )
    print(report.text())
    assert report.failed_requests == 0, report.text()
    assert report.jobs_by_state == {"done": 3 * learners}, report.text()
    assert report.killed_worker_at is not None and report.killed_worker_at < learners
    assert report.workers_alive == 1
    assert_each_mail_delivered(report, repeats_at_most=multihost.WORKER_CONCURRENCY)
    assert_each_statement_once(report)
    assert report.verbs["attempted"] == learners
    assert report.verbs.get("passed", 0) + report.verbs.get("failed", 0) == learners


def test_a_database_restart_loses_nothing_and_the_workers_reconnect(
    empty_postgres: str, smtp_sink: SMTPSink, ralph: LRS, tmp_path: Path
) -> None:
    """While the burst's jobs are in flight, every connection to the database is
    terminated (what a PostgreSQL restart looks like to its clients; the shared server
    itself is left alone). The servers answer the next requests, the workers stay up and
    take new work on new connections, and every effect lands once."""
    learners = 50
    report = multihost.run(
        empty_postgres, smtp_sink, ralph, tmp_path, learners, cut_connections=True, deadline=60
    )
    print(report.text())
    assert report.connections_cut, "nothing was connected to cut"
    assert report.after_cut == [200, 200, 200, 200]
    assert report.failed_requests == 0, report.text()
    assert report.workers_alive == 2  # reconnected, not dead
    assert report.jobs_by_state == {"done": 5 * learners}, report.text()
    # Jobs caught by the cut between the SMTP server's answer and their commit.
    assert_each_mail_delivered(report, repeats_at_most=2 * multihost.WORKER_CONCURRENCY)
    assert_each_statement_once(report)
    assert report.verbs["launched"] == report.verbs["completed"] == learners  # after the cut
