"""The benchmark: seed, serve with gunicorn, measure with wrk, print a table.

    python -m bench.perf --size M --db sqlite          # one size on one database
    python -m bench.perf --size M --db postgresql
    python -m bench.perf --all                         # S and M on both, medians of 3 runs
    python -m bench.perf --size L --db sqlite --runs 1

Each run, for each size and database: a new database (an SQLite file in a temporary
folder, or a new PostgreSQL database next to --postgres-url, dropped afterwards) seeded by
`bench.seed` (with a pool of learners holding open attempts), then `gunicorn -w 2` serving
`bench.wsgi:app` on 127.0.0.1 (a free port, LMS_SECRET_KEY set), then, one after another,
`wrk -t2 -c16 -d8s --latency` against:

- hello:     GET /bench/hello, a bare Flask route on the same app (the baseline);
- lesson:    GET a lesson page, as 50 learners of the first cohort, 4 lessons each;
- attempt:   GET an open quiz attempt page, as the pool's learners;
- autosave:  POST a JSON autosave of every answer of an open attempt (as quiz.js does),
             with the session cookie and the X-CSRFToken header, as the pool's learners;
- submit:    POST the confirmed submit of an open attempt (confirm=yes, as the confirm
             page's form does), each attempt submitted once; it is scored and the course's
             completion checked. `Accept: application/json`, so that a refused submit
             (already submitted) answers 409 and counts as an error;
- home:      GET the cohort course's home page (its outline), as the same 50 learners;
- dashboard: GET /dashboard, as 50 learners taking both courses;
- grading:   GET /teach/grading, as each cohort's instructor (their 200 learners' essays);
- gradebook: GET the first cohort's gradebook (200 learners; S: 100), as its instructor:
             its first page of 50 learners, with the counts of all of them.

Sessions come from signing in through the app's own form (urllib); requests are replayed
by bench/replay.lua, which also counts any response with an unexpected status as an error.
After the run: the resident memory of each gunicorn worker. Once per run: the startup
time of `lms run` on the seeded database until its first page answers.

Figures are medians over the runs; ratios are medians of each run's page req/s divided by
the same run's baseline req/s (figures move by about 25% between runs on these machines).
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.databases import fresh_database
from bench.seed import SIZES, SeedInfo, seed
from lms.config import normalise_database_url

REPO = Path(__file__).resolve().parents[1]
REPLAY = Path(__file__).with_name("replay.lua")
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
#: Extra learners with 7 open attempts each: 1,050 attempts, enough for 5 s of submits at
#: up to 200 per second (a run that uses them all says so).
POOL = 150

#: (name, what it is, target ratio to the baseline, p95 limit in ms): the targets of the
#: performance issue (steps toward 0.30x on learner pages).
ENDPOINTS: list[tuple[str, str, float | None, float | None]] = [
    ("hello", "baseline: bare Flask route", None, None),
    ("lesson", "lesson page", 0.20, None),
    ("attempt", "quiz attempt page", 0.20, None),
    ("home", "course home", 0.20, None),
    ("autosave", "autosave (JSON POST)", 0.15, None),
    ("submit", "quiz submit (POST)", 0.08, None),
    ("dashboard", "learner dashboard", 0.20, None),
    ("grading", "grading queue", 0.04, None),
    ("gradebook", "gradebook, one cohort", 0.02, 300.0),
    ("gradebook-c2", "gradebook, 2 connections", None, None),
]
STARTUP_TARGET = 2.0
#: Other processes using this much of a core (percent) during a measurement disturb it.
BUSY = 20.0


# -- serving -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, timeout: float, process: subprocess.Popen[bytes]) -> float:
    """Seconds until `url` answers 200 (polling every 20 ms); raises after `timeout`."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (127.0.0.1)
                if response.status == 200:
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.02)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


#: The servers' secret key, which the seed also uses: the pool's autosave bodies name each
#: attempt's questions and choices as its page does, with a key derived from it.
SERVER_SECRET = secrets.token_hex(32)


def server_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "FLASK_"))}
    env["LMS_SECRET_KEY"] = SERVER_SECRET
    env["LMS_BASE_URL"] = "http://127.0.0.1"
    env["LMS_DATABASE_URL"] = database_url
    env["PYTHONPATH"] = str(REPO)
    return env


@contextlib.contextmanager
def gunicorn(
    database_url: str, workers: int, shipped_config: bool = True
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
    if shipped_config:  # the configuration deployers get (README), gc.freeze() included
        command += ["--config", "python:lms.deploy.gunicorn_conf"]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "bench.wsgi:app"]
    process = subprocess.Popen(command, cwd=REPO, env=server_env(database_url))  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/bench/hello", 60, process)
        yield base, process
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server this script started (by its process id), then wait for it."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def worker_rss_mb(master: int) -> list[float]:
    """Resident memory (MB) of each child of the gunicorn master `master`."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if int(fields.get("PPid", "0").strip()) == master and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ticks() -> dict[int, tuple[int, int, str]]:
    """{pid: (parent pid, CPU ticks used so far, command line)} of every process, and
    under pid 0 the ticks all CPUs have been busy since boot."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    found = {0: (0, user + nice + system + irq + softirq + steal, "all")}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            command = stat.with_name("cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, UnicodeDecodeError):
            continue
        fields = text[text.rfind(")") + 2 :].split()
        # utime + stime, and cutime + cstime: the children it has waited for (wrk, once it
        # has exited, counts in this process's; a gunicorn worker, in its master's).
        ticks = sum(int(field) for field in fields[11:15])
        found[int(stat.parent.name)] = (int(fields[1]), ticks, command)
    return found


class OtherLoad:
    """CPU used by processes that are not this benchmark's (other people's tests, say):
    all the CPUs' busy time less ours, so that short-lived processes count too.

    Ours: this process and its descendants (wrk, gunicorn and its workers), and the
    PostgreSQL backends of this run's database.
    """

    def __init__(self, database_url: str) -> None:
        self.database = database_url.rsplit("/", 1)[-1]

    def ours(self, processes: dict[int, tuple[int, int, str]]) -> set[int]:
        mine = {os.getpid()}
        for _ in range(3):
            mine |= {pid for pid, (parent, _t, _c) in processes.items() if parent in mine}
        backends = {
            pid
            for pid, (_p, _t, command) in processes.items()
            if command.startswith("postgres:") and f" {self.database} " in command
        }
        return (mine | backends) - {0}

    def percent(self, before: dict[int, tuple[int, int, str]], seconds: float) -> float:
        """Percent of one core the others used since `before` (200% = both cores)."""
        after = cpu_ticks()
        # Ours now and ours then: a process of ours that exited meanwhile (wrk) is in
        # `before` only, its whole time now in its parent's waited-for-children ticks.
        used_by_us = sum(after[pid][1] for pid in self.ours(after)) - sum(
            before[pid][1] for pid in self.ours(before)
        )
        others = after[0][1] - before[0][1] - used_by_us
        return max(100 * others / CLOCK_TICKS / max(seconds, 0.01), 0.0)

    def wait_until_quiet(self, limit: float, threshold: float = BUSY) -> float:
        """Wait (up to `limit` seconds) until the others use under `threshold`% of a core;
        the percent measured last."""
        waited = 0.0
        while True:
            before = cpu_ticks()
            time.sleep(1)
            busy = self.percent(before, 1)
            if busy < threshold or waited >= limit:
                return busy
            if waited == 0:
                say(f"  other processes use {busy:.0f}% CPU: waiting up to {limit:g} s")
            waited += 1


def startup_seconds(database_url: str) -> float:
    """`lms run` on the seeded database: seconds from launch until GET / answers 200."""
    port = free_port()
    lms = Path(sys.executable).with_name("lms")
    command = [str(lms), "run", "--host", "127.0.0.1", "--port", str(port)]
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603
        command,
        cwd=REPO,
        env=server_env(database_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/", 30, process)
        return time.perf_counter() - started
    finally:
        stop(process)


# -- sessions ------------------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Session:
    cookie: str  # "session=..."
    csrf: str


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def sign_in(base: str, email: str, password: str) -> Session:
    """Sign in through the sign-in form; the session cookie and a CSRF token for it."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    with opener.open(f"{base}/sign-in", timeout=30) as response:
        token = CSRF_META.search(response.read().decode())
    assert token, "no CSRF token on the sign-in page"
    form = {"csrf_token": token.group(1), "email": email, "password": password}
    request = urllib.request.Request(  # noqa: S310 (127.0.0.1)
        f"{base}/sign-in", data=urllib.parse.urlencode(form).encode(), method="POST"
    )
    try:
        opener.open(request, timeout=30)
        raise RuntimeError(f"signing in as {email} did not redirect")
    except urllib.error.HTTPError as error:  # the 302 after signing in
        if error.code != 302:
            raise
    with opener.open(f"{base}/profile", timeout=30) as response:  # a fresh CSRF token
        page = response.read().decode()
    token = CSRF_META.search(page)
    assert token, f"{email}: not signed in"
    cookie = next(c for c in jar if c.name == "session")
    return Session(f"session={cookie.value}", token.group(1))


def sign_in_all(base: str, emails: list[str], password: str) -> dict[str, Session]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        sessions = pool.map(lambda email: sign_in(base, email, password), emails)
        return dict(zip(emails, sessions, strict=True))


# -- the request files -----------------------------------------------------------------------------


def line(
    method: str,
    path: str,
    session: Session | None = None,
    *,
    csrf_header: bool = False,
    content_type: str = "",
    accept: str = "",
    body: str = "",
) -> str:
    fields = [
        method,
        path,
        session.cookie if session else "",
        session.csrf if session and csrf_header else "",
        content_type,
        accept,
        body,
    ]
    assert not any("\t" in f or "\n" in f for f in fields)
    return "\t".join(fields)


@dataclass
class Plan:
    name: str
    lines: list[str]
    status: int = 200
    once: bool = False
    connections: int | None = None  # default: --connections
    keys: list[int] = field(default_factory=list)  # ONCE plans: the attempt id of each line

    def still_open(self, database_url: str) -> Plan:
        """This plan without the lines whose attempt a disturbed run already submitted."""
        engine = sa.create_engine(normalise_database_url(database_url))
        try:
            with engine.connect() as connection:
                open_ids = set(
                    connection.scalars(
                        sa.text("SELECT id FROM lms_attempt WHERE status = 'in_progress'")
                    )
                )
        finally:
            engine.dispose()
        kept = [(k, line) for k, line in zip(self.keys, self.lines, strict=True) if k in open_ids]
        return replace(self, lines=[line for _, line in kept], keys=[k for k, _ in kept])


def plans(info: SeedInfo, sessions: dict[str, Session]) -> list[Plan]:
    learners = [sessions[e] for e in info.cohort_learners]
    pool_attempts = [
        (sessions[learner.email], attempt)
        for index in range(max(len(p.attempts) for p in info.pool))
        for learner in info.pool
        if index < len(learner.attempts)
        for attempt in [learner.attempts[index]]
    ]
    first = info.cohorts[0]
    json_post = {"content_type": "application/json", "accept": "application/json"}
    gradebook = [
        line("GET", f"/teach/cohorts/{first['id']}/gradebook", sessions[first["instructor"]])
    ]
    return [
        Plan("hello", [line("GET", "/bench/hello")]),
        Plan(
            "lesson",
            [line("GET", path, s) for s in learners for path in info.lesson_paths],
        ),
        Plan("attempt", [line("GET", f"/attempts/{a['id']}", s) for s, a in pool_attempts]),
        Plan(
            "autosave",
            [
                line(
                    "POST",
                    f"/attempts/{a['id']}/answers",
                    s,
                    csrf_header=True,
                    body=a["autosave"],
                    **json_post,
                )
                for s, a in pool_attempts
            ],
        ),
        Plan(
            "submit",
            [
                line(
                    "POST",
                    f"/attempts/{a['id']}/submit",
                    s,
                    content_type="application/x-www-form-urlencoded",
                    accept="application/json",
                    body=urllib.parse.urlencode({"csrf_token": s.csrf, "confirm": "yes"}),
                )
                for s, a in pool_attempts
            ],
            status=302,
            once=True,
            keys=[a["id"] for _s, a in pool_attempts],
        ),
        Plan("home", [line("GET", f"/courses/{info.cohort_course}/", s) for s in learners]),
        Plan("dashboard", [line("GET", "/dashboard", s) for s in learners]),
        Plan(
            "grading",
            [line("GET", "/teach/grading", sessions[c["instructor"]]) for c in info.cohorts],
        ),
        Plan("gradebook", gradebook),
        # The same page without queueing: one request at a time per worker.
        Plan("gradebook-c2", gradebook, connections=2),
    ]


# -- measuring -------------------------------------------------------------------------------------


@dataclass
class Measure:
    requests: int
    seconds: float
    rps: float
    p50: float  # milliseconds
    p95: float
    p99: float
    errors: int
    note: str = ""
    #: CPU that other processes used meanwhile, in percent of one core.
    others_cpu: float = 0.0


def run_wrk(
    base: str,
    plan: Plan,
    folder: Path,
    args: argparse.Namespace,
    seconds: float,
    load: OtherLoad | None = None,
) -> Measure:
    requests_file = folder / f"{plan.name}.tsv"
    requests_file.write_text("\n".join(plan.lines) + "\n")
    connections = plan.connections or args.connections
    threads = min(args.threads, connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(REPLAY),
        base,
        "--",
        str(requests_file),
        "1" if plan.once else "0",
        str(threads),
        str(plan.status),
    ]
    before = cpu_ticks() if load else {}
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    others = load.percent(before, time.perf_counter() - started) if load else 0.0
    found = re.search(r"^BENCH (\{.*\})$", result.stdout, re.MULTILINE)
    if result.returncode != 0 or not found:
        raise RuntimeError(f"wrk failed for {plan.name}:\n{result.stdout}\n{result.stderr}")
    data = json.loads(found.group(1))
    requests = data["requests"] - data["leftover"]
    duration = data["duration_us"] / 1e6
    errors = sum(data[k] for k in ("connect", "read", "write", "timeout", "unexpected"))
    notes = []
    if plan.once and data["leftover"]:
        notes.append(f"used all {data['lines']} attempts in {duration:.1f} s")
    if others >= BUSY:
        notes.append(f"other processes used {others:.0f}% of a core meanwhile")
    return Measure(
        requests=requests,
        seconds=round(duration, 2),
        rps=round(requests / duration, 1),
        p50=data["p50_us"] / 1000,
        p95=data["p95_us"] / 1000,
        p99=data["p99_us"] / 1000,
        errors=errors,
        note="; ".join(notes),
        others_cpu=round(others, 1),
    )


@dataclass
class RunResult:
    size: str
    db: str
    learners: int
    seed_seconds: float
    rows: int
    startup: float
    rss_mb: list[float]
    measures: dict[str, Measure] = field(default_factory=dict)


def one_run(size: str, kind: str, run: int, args: argparse.Namespace) -> RunResult:
    learners = args.learners or SIZES[size]
    with (
        tempfile.TemporaryDirectory(prefix="lms-bench-") as tmp,
        fresh_database(kind, Path(tmp), args.postgres_url, f"lms_bench_{size.lower()}{run}") as url,
    ):
        folder = Path(tmp)
        say(f"[{size} {kind} run {run}] seeding {learners:,} learners (+{args.pool} pool)")
        info = seed(url, learners, pool=args.pool, secret_key=SERVER_SECRET)
        rows = sum(info.counts.values())
        say(f"  seeded {rows:,} rows in {info.seconds} s; measuring `lms run` startup")
        OtherLoad(url).wait_until_quiet(args.quiet_wait)
        startup = statistics.median(startup_seconds(url) for _ in range(3))
        with gunicorn(url, args.workers, not args.plain_gunicorn) as (base, process):
            emails = [*info.cohort_learners, *(p.email for p in info.pool)]
            emails += [c["instructor"] for c in info.cohorts]
            started = time.perf_counter()
            sessions = sign_in_all(base, emails, info.password)
            say(f"  signed in {len(sessions)} people in {time.perf_counter() - started:.1f} s")
            result = RunResult(size, kind, learners, info.seconds, rows, startup, [])
            load = OtherLoad(url)
            for planned in plans(info, sessions):
                for attempt in range(args.retries + 1):
                    load.wait_until_quiet(args.quiet_wait)
                    plan = planned.still_open(url) if planned.once else planned
                    if not plan.once and args.warmup:  # both workers warm (templates...)
                        run_wrk(base, plan, folder, args, args.warmup)
                    measure = run_wrk(base, plan, folder, args, args.duration, load)
                    if measure.others_cpu < BUSY or attempt == args.retries:
                        break
                    say(f"  {plan.name}: disturbed by other processes, measuring again")
                result.measures[plan.name] = measure
                say(
                    f"  {plan.name:<10} {measure.rps:>8.1f} req/s  p50 {measure.p50:7.1f} ms  "
                    f"p95 {measure.p95:7.1f} ms  p99 {measure.p99:7.1f} ms  "
                    f"errors {measure.errors}  {measure.note}"
                )
            result.rss_mb = worker_rss_mb(process.pid)
    return result


# -- reporting -------------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    label: str
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int
    ratio: float | None
    verdict: str
    notes: list[str] = field(default_factory=list)


def summarise(runs: list[RunResult]) -> list[Row]:
    rows = []
    for name, label, target, p95_limit in ENDPOINTS:
        measures = [r.measures[name] for r in runs]
        ratios = [r.measures[name].rps / r.measures["hello"].rps for r in runs]
        row = Row(
            name,
            label,
            statistics.median(m.rps for m in measures),
            statistics.median(m.p50 for m in measures),
            statistics.median(m.p95 for m in measures),
            statistics.median(m.p99 for m in measures),
            sum(m.errors for m in measures),
            None if name == "hello" else statistics.median(ratios),
            "",
            [m.note for m in measures if m.note],
        )
        misses = []
        if target is not None and row.ratio is not None and row.ratio < target:
            misses.append(f"ratio < {target:.2f}")
        if p95_limit is not None and row.p95 >= p95_limit:
            misses.append(f"p95 >= {p95_limit:g} ms")
        if row.errors:
            misses.append("errors")
        if min(m.requests for m in measures) == 0:
            misses.append("no request completed in a run")
        wanted = []
        if target is not None:
            wanted.append(f">= {target:.2f}x")
        if p95_limit is not None:
            wanted.append(f"p95 < {p95_limit:g} ms")
        if misses:
            row.verdict = "MISSED (" + ", ".join(misses) + ")"
        elif wanted:
            row.verdict = "met (" + ", ".join(wanted) + ")"
        else:
            row.verdict = "no errors" if name != "hello" else "-"
        rows.append(row)
    return rows


def table(runs: list[RunResult], markdown: bool = False) -> str:
    first = runs[0]
    startup = statistics.median(r.startup for r in runs)
    rss = [mb for r in runs for mb in r.rss_mb]
    head = (
        f"Size {first.size} ({first.learners:,} learners, {first.rows:,} rows), "
        f"{first.db}, median of {len(runs)} run(s); seeding took "
        f"{statistics.median(r.seed_seconds for r in runs):.1f} s"
    )
    verdict = "met" if startup < STARTUP_TARGET else "MISSED"
    tail = [
        f"`lms run` startup to first page: {startup:.2f} s (target < {STARTUP_TARGET:g} s: "
        f"{verdict})",
        "RSS per gunicorn worker after the run: "
        + (f"{min(rss):.0f}-{max(rss):.0f} MB" if rss else "unknown"),
    ]
    rows = summarise(runs)
    notes = [f"{r.name}: {n}" for r in rows for n in r.notes]
    columns = ["endpoint", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "x baseline", "target"]
    body = [
        [
            r.label,
            f"{r.rps:,.0f}",
            f"{r.p50:.1f}",
            f"{r.p95:.1f}",
            f"{r.p99:.1f}",
            str(r.errors),
            "1.000" if r.ratio is None else f"{r.ratio:.3f}",
            r.verdict,
        ]
        for r in rows
    ]
    if markdown:
        lines = [f"**{head}**", "", "| " + " | ".join(columns) + " |"]
        lines.append("|" + "|".join(["---"] + ["--:"] * 6 + ["---"]) + "|")
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
        lines += ["", *(f"- {t}" for t in tail + notes)]
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in [columns, *body]) for i in range(len(columns))]

    def fmt(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i in (0, 7) else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([head, fmt(columns), *(fmt(cells) for cells in body), *tail, *notes])


def load_run(data: dict[str, Any]) -> RunResult:
    measures = {name: Measure(**m) for name, m in data.pop("measures").items()}
    return RunResult(**data, measures=measures)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.perf", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="M")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--all", action="store_true", help="S and M on SQLite and PostgreSQL")
    parser.add_argument("--runs", type=int, help="runs to take medians of (default 1; --all: 3)")
    parser.add_argument("--learners", type=int, help="any number of learners (overrides --size)")
    parser.add_argument("--pool", type=int, default=POOL, help="learners with open attempts")
    parser.add_argument("--duration", type=float, default=8, help="seconds per endpoint")
    parser.add_argument("--warmup", type=float, default=1, help="seconds of warm-up (GETs)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=300,
        help="before each endpoint, wait up to this many seconds for other processes to "
        "use under 20%% of a core (each figure notes what they used while it ran)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=2,
        help="measure an endpoint again (up to this many times) when other processes used "
        "20%% of a core or more meanwhile",
    )
    parser.add_argument(
        "--plain-gunicorn",
        action="store_true",
        help="serve without lms.deploy.gunicorn_conf (to measure what it changes)",
    )
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    parser.add_argument(
        "--from-json", type=Path, help="print the tables of figures saved with --json, and exit"
    )
    parser.add_argument("--markdown", type=Path, help="also write the tables here (Markdown)")
    args = parser.parse_args(argv)
    # Stopped from outside: still stop the servers and drop the databases this run made.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.from_json:
        saved = [[load_run(r) for r in rs] for rs in json.loads(args.from_json.read_text())]
        print("\n\n".join(table(rs, markdown=bool(args.markdown)) for rs in saved))
        return 0
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install -y wrk)")
    configs = (
        [(s, d) for s in ("S", "M") for d in ("sqlite", "postgresql")]
        if args.all
        else [(args.size, args.db)]
    )
    runs = args.runs or (3 if args.all else 1)
    results: list[list[RunResult]] = []
    for size, kind in configs:
        results.append([one_run(size, kind, run, args) for run in range(1, runs + 1)])
        print("\n" + table(results[-1]) + "\n", flush=True)
    if args.json:
        args.json.write_text(json.dumps([[asdict(r) for r in rs] for rs in results], indent=2))
    if args.markdown:
        args.markdown.write_text("\n\n".join(table(rs, markdown=True) for rs in results) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
