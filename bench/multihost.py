"""Several hosts on one PostgreSQL: `python -m bench.load --scenario multihost`.

Two app servers (separate `gunicorn` instances, each its own process group, on free ports)
and two `lms worker` processes (procrastinate) share one new PostgreSQL database, with an
SMTP sink (aiosmtpd) and an LRS (Ralph, file-system backend) on loopback as the
receivers. N learners, each signed in on one of the two servers (alternately), start the
quiz (the LRS gets *attempted*), then all at once submit it (*passed* or *failed*) and,
from a second tab, ask for a password reset link (a mail): 2N statements and N mails.

Faults, as chosen: one worker killed with SIGKILL once a quarter of the mail has gone
out (`kill_worker`), and every connection to the database terminated while the jobs are
in flight, as a PostgreSQL restart looks to its clients (`cut_connections`); the next
requests to both servers must then succeed.

What is counted at the receivers (the only place delivery can be counted honestly):
mails by Message-ID and by recipient, statements by id. The guarantee for xAPI is
exactly once (a retried statement is PUT at the same id and the LRS keeps one); for mail
it is at least once with a stable Message-ID: a worker killed after the SMTP server took
a message but before its commit sends it again, with the same Message-ID, so a duplicate
can only be a repeat of one Message-ID (at most one per job the killed worker held).

`tests/jobs/test_multihost.py` runs this with its fixtures' receivers; the load script
starts its own and prints `Report.text()`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.load import (
    APP,
    COURSE,
    QUIZ,
    REPO,
    SERVER_SECRET,
    Browser,
    Recorder,
    attempt_id,
    csrf_token,
    in_pool,
    quiz_url,
    seed,
    terminate_backends,
    together,
    wait_until_up,
)
from bench.receivers import LRS, SMTPSink, free_port

#: Each app server's gunicorn workers, and each `lms worker`'s jobs at once.
APP_WORKERS = 2
WORKER_CONCURRENCY = 4
#: Short enough that a killed worker's jobs are taken up again within seconds.
LEASE_SECONDS = 5
SWEEP_SECONDS = 2
#: A database restart as clients see it: every connection terminated, three times over
#: a second (the clients' new connections too).
CUTS = 3
CUT_INTERVAL = 0.4


@dataclass
class Report:
    learners: int
    requests: int = 0
    failed_requests: int = 0  # unexpected answers, outside a connection cut
    burst_seconds: float = 0.0
    burst_requests: int = 0
    jobs_seconds: float = 0.0  # from the burst's first request until every job is done
    jobs_done: int = 0
    jobs_by_state: dict[str, int] = field(default_factory=dict)
    mails_expected: int = 0
    mails_received: int = 0
    mail_ids: int = 0  # distinct Message-IDs
    mail_recipients: int = 0
    mail_duplicates: int = 0  # messages received beyond one per Message-ID
    mixed_ids: int = 0  # recipients with more than one Message-ID (must be 0)
    statements_expected: int = 0
    statements_received: int = 0
    statement_ids: int = 0
    statements_not_queued: int = 0  # ids at the LRS that no job of this run carried
    verbs: dict[str, int] = field(default_factory=dict)
    killed_worker_at: int | None = None  # mails delivered when a worker was killed
    connections_cut: int | None = None
    after_cut: list[int] = field(default_factory=list)  # statuses of the next requests
    workers_alive: int = 0
    worker_restarts: int = 0  # procrastinate's worker started again inside `lms worker`
    notes: list[str] = field(default_factory=list)

    @property
    def requests_per_second(self) -> float:
        return self.burst_requests / max(self.burst_seconds, 1e-9)

    def text(self) -> str:
        lines = [
            f"multi-host: 2 app servers (gunicorn -w {APP_WORKERS} each) + 2 `lms worker` "
            f"(concurrency {WORKER_CONCURRENCY}) on one PostgreSQL; {self.learners} learners",
            f"  burst: {self.burst_requests} requests (submit + reset link) in "
            f"{self.burst_seconds:.2f} s = {self.requests_per_second:.0f} req/s; "
            f"all requests {self.requests}, failed {self.failed_requests}",
            f"  every job done {self.jobs_seconds:.1f} s after the burst began "
            f"({self.jobs_done} jobs; by state {self.jobs_by_state})",
            f"  mail: {self.mails_received} received / {self.mails_expected} expected; "
            f"{self.mail_ids} Message-IDs, {self.mail_recipients} recipients, "
            f"{self.mail_duplicates} repeats of a Message-ID, {self.mixed_ids} recipients "
            f"with two different Message-IDs",
            f"  xAPI: {self.statements_received} statements at the LRS / "
            f"{self.statements_expected} queued; {self.statement_ids} distinct ids, "
            f"{self.statements_not_queued} not queued by this run; "
            f"verbs {self.verbs}",
        ]
        if self.killed_worker_at is not None:
            lines.append(
                f"  a worker was killed (SIGKILL) after {self.killed_worker_at} mails had gone out"
            )
        if self.connections_cut is not None:
            lines.append(
                f"  {self.connections_cut} database connections terminated mid-run "
                f"({CUTS} times, {CUT_INTERVAL} s apart); the "
                f"next requests answered {self.after_cut}; workers alive after: "
                f"{self.workers_alive} (procrastinate restarted inside them: "
                f"{self.worker_restarts} times)"
            )
        lines += [f"  {note}" for note in self.notes]
        return "\n".join(lines)


# -- processes -----------------------------------------------------------------------------------


def environment(url: str, sink: SMTPSink, lrs: LRS, site: str) -> dict[str, str]:
    """What every app server and worker is given: the same settings, as on real hosts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "FLASK_"))}
    return env | {
        "LMS_SECRET_KEY": SERVER_SECRET,
        "LMS_BASE_URL": site,
        "LMS_TRUSTED_HOSTS": "127.0.0.1",  # the servers are asked directly, not via the site
        "LMS_DATABASE_URL": url,
        "LMS_JOBS_LEASE_SECONDS": str(LEASE_SECONDS),
        "LMS_JOBS_SWEEP_SECONDS": str(SWEEP_SECONDS),
        "LMS_JOBS_BACKOFF_SECONDS": "1",
        "PYTHONPATH": str(REPO),
        "PYTHONUNBUFFERED": "1",
        **sink.settings(),
        **lrs.settings(),
    }


@contextmanager
def process_group(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` as a process group of its own; on leaving, SIGTERM the group, then
    SIGKILL what is left (gunicorn's and procrastinate's children included)."""
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        yield process
    finally:
        end_group(process)


def end_group(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # any child left behind
    process.wait(5)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL a whole process group at once: no clean-up, no goodbye (a host lost)."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


def app_server(stack: ExitStack, env: dict[str, str], log: Path) -> int:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(APP_WORKERS)]
    command += ["--bind", f"127.0.0.1:{port}", "--timeout", "120", "--error-logfile", "-"]
    process = stack.enter_context(process_group([*command, APP], env, log))
    wait_until_up(port, process)
    return port


def job_worker(stack: ExitStack, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "lms", "worker", "--concurrency", str(WORKER_CONCURRENCY)]
    return stack.enter_context(process_group(command, env, log))


# -- the database's view -------------------------------------------------------------------------


class Jobs:
    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url, pool_pre_ping=True)

    def states(self) -> dict[str, int]:
        for _ in range(50):  # the connection may be cut under us: ask again
            try:
                with self.engine.connect() as connection:
                    rows = connection.execute(
                        sa.text(
                            "SELECT state, count(*) FROM lms_job "
                            "WHERE kind IN ('mail', 'xapi') GROUP BY state"
                        )
                    )
                    return {str(state): int(count) for state, count in rows}
            except sa.exc.OperationalError:
                time.sleep(0.1)
        raise RuntimeError("the database did not answer")

    def statement_ids(self) -> set[str]:
        """The ids of the statements queued (the `xapi:<statement id>` job keys)."""
        with self.engine.connect() as connection:
            keys = connection.execute(sa.text("SELECT key FROM lms_job WHERE kind = 'xapi'"))
            return {key.removeprefix("xapi:") for (key,) in keys}

    def unfinished(self) -> list[tuple[Any, ...]]:
        with self.engine.connect() as connection:
            return [
                tuple(row)
                for row in connection.execute(
                    sa.text(
                        "SELECT j.id, j.key, j.state, j.attempts, j.locked_until, "
                        "j.next_attempt_at, left(j.last_error, 120), "
                        "(SELECT string_agg(p.status::text, ',') FROM procrastinate_jobs p "
                        " WHERE (p.args->>'job_id')::int = j.id) FROM lms_job j "
                        "WHERE j.state <> 'done' ORDER BY j.id LIMIT 10"
                    )
                )
            ]

    def dispose(self) -> None:
        self.engine.dispose()


def stuck(jobs: Jobs) -> str:
    return "; ".join(str(row) for row in jobs.unfinished()) + f" (now {time.time():.0f})"


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {seconds:.0f} s")
        time.sleep(0.1)


# -- the learners --------------------------------------------------------------------------------


def run(
    url: str,
    sink: SMTPSink,
    lrs: LRS,
    folder: Path,
    learners: int = 200,
    *,
    kill_worker: bool = False,
    cut_connections: bool = False,
    deadline: float = 120,
) -> Report:
    """Seed `url` (a new, empty PostgreSQL database), run the scenario, count what the
    receivers got. Every process started here is stopped before it returns."""
    report = Report(learners)
    seeded = seed(url, folder, {"writers": 0, "joiners": 0, "limited": 0, "burst": learners})
    emails = seeded.burst
    site = f"http://lms-{uuid.uuid4().hex[:12]}.example"
    env = environment(url, sink, lrs, site)
    recorder = Recorder()
    jobs = Jobs(url)
    with ExitStack() as stack:
        stack.callback(jobs.dispose)
        workers = [job_worker(stack, env, folder / f"worker{n}.log") for n in (1, 2)]
        ports = [app_server(stack, env, folder / f"app{n}.log") for n in (1, 2)]
        browsers = [Browser(ports[n % 2], recorder, email) for n, email in enumerate(emails)]
        signed_in = in_pool([b.sign_in for b in browsers], 16, deadline)
        if not all(signed_in):
            raise RuntimeError(f"{signed_in.count(True)} of {learners} learners signed in")
        starts = in_pool(
            [lambda b=b: b.post(quiz_url(QUIZ), "start", (302,), []) for b in browsers],
            16,
            deadline,
        )
        attempts = [attempt_id(r) if r is not None else None for r in starts]
        if None in attempts:
            raise RuntimeError("a learner could not start the quiz")
        anonymous = [Browser(b.port, recorder, b.email) for b in browsers]
        for tab in anonymous:  # the reset form's CSRF token, before the burst
            tab.token = csrf_token(tab.get("/forgot-password", "reset page").body)

        killer = None
        if kill_worker:
            killer = threading.Thread(
                target=kill_when,
                args=(lambda: len(sink.messages) >= learners // 4, workers[0], sink, report),
                daemon=True,
            )
        recorder.phase = "burst"
        began = time.monotonic()
        if killer is not None:
            killer.start()

        def submit(browser: Browser, tab: Browser, attempt: int) -> None:
            browser.post(f"/attempts/{attempt}/submit", "submit", (302,), [("confirm", "yes")])
            tab.post("/forgot-password", "reset link", (200,), [("email", tab.email)])

        together(
            [
                lambda b=b, t=t, a=a: submit(b, t, a)
                for b, t, a in zip(browsers, anonymous, attempts, strict=True)
            ],
            deadline,
        )
        burst = [c for c in recorder.calls if c.phase == "burst"]
        report.burst_requests = len(burst)
        report.burst_seconds = max(c.ended for c in burst) - min(c.began for c in burst)
        if cut_connections:
            wait_for(lambda: len(sink.messages) >= learners // 4, deadline, "a quarter of the mail")
            recorder.phase = "cut"
            cut = time.monotonic()
            restart = terminate_backends(url)
            report.connections_cut = 0
            for _ in range(CUTS):  # and again, as clients come back during a restart
                ended = restart()
                report.connections_cut += int(ended.split(": ")[1].split()[0])
                time.sleep(CUT_INTERVAL)
            recorder.restarts.append((cut, time.monotonic()))
            # Whatever a caught request answered, the next ones on both servers succeed.
            recorder.phase = "after the cut"
            for browser in browsers[:2]:
                browser.get("/dashboard", "dashboard after the cut", (200, 503))
            report.after_cut = [
                browser.get("/dashboard", "dashboard after the cut").status
                for browser in browsers[:4]
            ]
            # New work after the cut, which the workers must pick up on new connections:
            # each learner completes a lesson (*launched* and *completed*).
            in_pool(
                [
                    lambda b=b: b.post(
                        f"/courses/{COURSE}/lessons/lesson-1/complete", "complete", (302,), []
                    )
                    for b in browsers
                ],
                16,
                deadline,
            )
        if killer is not None:
            killer.join(deadline)
        expected_jobs = (5 if cut_connections else 3) * learners

        def all_done() -> bool:
            states = jobs.states()
            return states.get("done", 0) >= expected_jobs and set(states) <= {"done"}

        try:
            wait_for(all_done, deadline, "every job done")
        except TimeoutError as error:  # reported; the caller's checks fail
            report.notes.append(f"{error}; still in lms_job: {stuck(jobs)}")
        finally:
            report.jobs_seconds = time.monotonic() - began
            report.jobs_by_state = jobs.states()
            report.jobs_done = report.jobs_by_state.get("done", 0)
            report.workers_alive = sum(w.poll() is None for w in workers)
            report.worker_restarts = sum(
                (folder / f"worker{n}.log").read_text(errors="replace").count("stopped by itself")
                for n in (1, 2)
            )
            queued = jobs.statement_ids()
    report.requests = len(recorder.calls)
    report.failed_requests = sum(recorder.failed(c) for c in recorder.calls)
    count_mail(report, sink, emails)
    count_statements(report, lrs, site, queued)
    return report


def kill_when(
    condition: Callable[[], bool], worker: subprocess.Popen[bytes], sink: SMTPSink, report: Report
) -> None:
    try:
        wait_for(condition, 120, "the moment to kill a worker")
    except TimeoutError:
        return
    kill_group(worker)
    report.killed_worker_at = len(sink.messages)


def count_mail(report: Report, sink: SMTPSink, emails: list[str]) -> None:
    ours = [m for m in sink.messages if m["To"] in set(emails)]
    ids = Counter(str(m["Message-ID"]) for m in ours)
    by_recipient: dict[str, set[str]] = {}
    for message in ours:
        by_recipient.setdefault(str(message["To"]), set()).add(str(message["Message-ID"]))
    report.mails_expected = len(emails)
    report.mails_received = len(ours)
    report.mail_ids = len(ids)
    report.mail_recipients = len(by_recipient)
    report.mail_duplicates = sum(ids.values()) - len(ids)
    report.mixed_ids = sum(len(found) > 1 for found in by_recipient.values())


def count_statements(report: Report, lrs: LRS, site: str, queued: set[str]) -> None:
    home = site + "/"
    ours = [s for s in lrs.stored() if s["actor"]["account"]["homePage"] == home]
    report.statements_expected = len(queued)
    report.statements_not_queued = len({s["id"] for s in ours} - queued)
    report.statements_received = len(ours)
    report.statement_ids = len({s["id"] for s in ours})
    report.verbs = dict(Counter(s["verb"]["display"]["en-US"] for s in ours))


def main(postgres_url: str, learners: int, fault: str = "kill") -> int:
    """The load script's scenario: its own receivers, database and processes."""
    import tempfile

    from bench.databases import fresh_database
    from bench.receivers import ralph, smtp_sink

    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"\n=== bench.load multihost (load average before: {load}) ===", flush=True)
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lms-multihost-")))
        (folder / "ralph").mkdir()
        sink = stack.enter_context(smtp_sink())
        lrs = stack.enter_context(ralph(folder / "ralph"))
        url = stack.enter_context(
            fresh_database("postgresql", folder, postgres_url, "lms_multihost")
        )
        report = run(
            url,
            sink,
            lrs,
            folder,
            learners,
            kill_worker=fault == "kill",
            cut_connections=fault == "cut",
        )
    print(report.text())
    repeats = {"kill": WORKER_CONCURRENCY, "cut": 2 * WORKER_CONCURRENCY}.get(fault, 0)
    checks = {
        "every mail delivered, one Message-ID per message and recipient": (
            report.mail_ids == report.mails_expected == report.mail_recipients
            and report.mixed_ids == 0
        ),
        f"repeats only of a Message-ID, at most {repeats} (jobs in flight at the fault)": (
            report.mail_duplicates <= repeats
        ),
        "every statement queued is at the LRS exactly once": (
            report.statements_received == report.statement_ids == report.statements_expected
            and report.statements_not_queued == 0
        ),
        f"workers still running: {2 - (fault == 'kill')} of 2": (
            report.workers_alive == 2 - (fault == "kill")
        ),
        "every job done, no request failed": (
            set(report.jobs_by_state) == {"done"} and report.failed_requests == 0
        ),
    }
    print()
    for what, ok in checks.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {what}")
    print(f"\nmultihost: {'PASS' if all(checks.values()) else 'FAIL'}")
    return 0 if all(checks.values()) else 1
