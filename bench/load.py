"""Load and fault checks through a real server: `python -m bench.load`.

    python -m bench.load                       # SQLite (a fresh file)
    python -m bench.load --db postgresql       # PostgreSQL (a new database, dropped after)
    python -m bench.load --db both
    python -m bench.load --scenario multihost  # two app servers + two workers (PostgreSQL)

Each run: a fresh database, migrated and seeded in this process with the app's own
functions (`lms.migrate.upgrade`, `sync_courses` on a small course written here,
`create_account`, `enrol_self_paced`, `create_cohort`), then the standalone app
(`lms:create_app()`, sign-in throttling off: hundreds of sign-ins come from 127.0.0.1)
served by `gunicorn -w 4` on 127.0.0.1 and driven by threads with `http.client`, as
browsers would: sign-in form, CSRF tokens, cookies, the autosave's JSON with X-CSRFToken.

Phases (every request's status and time are recorded; 500s, 503s, client errors and any
"database is locked" are counted, in responses and in the server's log):

a. mixed writers: 32 learners for 10 s, each in a loop of autosaves, submits (start, read
   the attempt page, autosave, confirm) and lesson completions. PostgreSQL: halfway
   through, every connection to the database is terminated from an admin connection (a
   restart as the app sees it; `--restart-command` runs a real one instead); requests
   caught by it may get a 503, every request after it must succeed;
b. limits: 40 learners join a cohort of 5 seats at once (5 join, 35 are told it is full);
   10 learners, 4 tabs each, start and submit a 2-attempt quiz until refused (2 each);
c. burst: 200 learners press Start at the same moment, in two tabs each; one attempt per
   learner is open, then each autosaves, sends the page's form and confirms: the database
   holds exactly the answers each one sent last;
d. duplicates: attempts per learner and number, open attempts per learner and quiz,
   answers per attempt and question, lesson progress, enrolments, certificates.

A summary table, then the checks; the exit status is 1 when any check fails. Bounded:
every request times out after 60 s and every phase has a deadline.

`--scenario multihost` runs `bench.multihost` instead: two gunicorn servers and two
`lms worker` processes on one new PostgreSQL database, `--learners` (200) submitting a
quiz and asking for a reset link at once, one worker killed with SIGKILL mid-batch
(`--fault cut`: every database connection terminated instead; `none`: no fault); it
reports requests/s, the time until every job is done, and the mails and statements
counted at the receivers (an SMTP sink and Ralph's LRS, started by the script; needs
the test extra) against what was queued.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from unittest.mock import patch

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from bench.databases import fresh_database

REPO = Path(__file__).resolve().parents[1]
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "load-test-password"  # noqa: S105 - throw-away accounts in a throw-away database
REQUEST_TIMEOUT = 60
SEATS = 5
ATTEMPT_LIMIT = 2
#: The servers' secret key; the checks need it to read the attempt pages' opaque names.
SERVER_SECRET = secrets.token_hex(32)
#: The gunicorn app: the standalone app with sign-in throttling off.
APP = 'lms:create_app({"RATELIMIT_ENABLED": False})'

COURSE = "load-course"
COHORT_COURSE = "load-cohort-course"
QUIZ = "load-check"
LIMITED_QUIZ = "limited-check"
LESSONS = [f"lesson-{n}" for n in range(1, 7)]

# -- the course the run uses ---------------------------------------------------------------------

QUESTIONS = """
  - slug: decade
    type: single
    prompt: "Since which decade has it been used?"
    choices:
      - text: "The 1960s"
        correct: true
      - text: "The 1990s"
      - text: "The 2010s"
    feedback: "The 1960s."
    source: Load
  - slug: pick
    type: multiple
    prompt: "Pick A and B."
    choices:
      - text: "A"
        correct: true
      - text: "B"
        correct: true
      - text: "C"
      - text: "D"
    feedback: "A and B."
    source: Load
  - slug: truth
    type: true_false
    prompt: "It is true."
    answer: true
    feedback: "It is."
    source: Load
  - slug: name-it
    type: short_answer
    prompt: "Name it."
    accepted: [ketamine]
    feedback: "Ketamine."
    source: Load
  - slug: how-many
    type: numeric
    prompt: "How many?"
    answer: 6
    tolerance: 0.5
    feedback: "Six."
    source: Load
"""


def lesson_file(slug: str, title: str) -> str:
    return (
        f"---\ntitle: {title}\nslug: {slug}\nminutes: 5\nobjectives:\n  - Read it.\n---\n\nText.\n"
    )


COURSE_FILES: dict[str, str] = {
    f"{COURSE}/course.yml": f"""slug: {COURSE}
title: "Load course"
track: self-paced
audience: Nurses
summary: The self-paced course of the load script.
estimated_hours: 1
ce_hours: 0
completion:
  lessons: all
  quizzes: none
disclaimer: Education, not medical advice.
sources: [Load]
modules: [m1]
""",
    f"{COURSE}/m1/module.yml": "slug: m1\ntitle: Module one\nitems:\n"
    + "".join(f"  - {slug}.md\n" for slug in LESSONS)
    + "  - check.quiz.yml\n  - limited.quiz.yml\n",
    **{
        f"{COURSE}/m1/{slug}.md": lesson_file(slug, f"Lesson {n}")
        for n, slug in enumerate(LESSONS, 1)
    },
    f"{COURSE}/m1/check.quiz.yml": f"slug: {QUIZ}\ntitle: Load check\npass_mark: 50\n"
    f"shuffle: true\nquestions:{QUESTIONS}",
    f"{COURSE}/m1/limited.quiz.yml": f"slug: {LIMITED_QUIZ}\ntitle: Limited check\n"
    f"pass_mark: 50\nattempts: {ATTEMPT_LIMIT}\nquestions:{QUESTIONS}",
    f"{COHORT_COURSE}/course.yml": f"""slug: {COHORT_COURSE}
title: "Load cohort course"
track: cohort
audience: Therapists
summary: The cohort course of the load script.
estimated_hours: 1
ce_hours: 0
disclaimer: Education, not medical advice.
sources: [Load]
modules: [w1]
""",
    f"{COHORT_COURSE}/w1/module.yml": "slug: w1\ntitle: Week one\nweek: 1\nitems:\n  - intro.md\n",
    f"{COHORT_COURSE}/w1/intro.md": lesson_file("intro", "Introduction"),
}


def write_courses(folder: Path) -> Path:
    for name, text in COURSE_FILES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


# -- seeding, with the app's functions -----------------------------------------------------------


@dataclass
class Seeded:
    writers: list[str]
    joiners: list[str]
    limited: list[str]
    burst: list[str]
    cohort_id: int
    seconds: float


def seed(database_url: str, folder: Path, sizes: dict[str, int]) -> Seeded:
    """Migrate, load the course, and make the learners (one cheap password hash for all)."""
    from lms import create_app, migrate
    from lms.accounts.service import create_account
    from lms.cohorts.service import create_cohort
    from lms.content.loader import load_courses
    from lms.content.sync import sync_courses
    from lms.database import session
    from lms.learning.enrolment import enrol_self_paced
    from lms.models import Account, Course, Profile

    started = time.perf_counter()
    cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")

    def set_cheap_password(account: Account, _password: str) -> None:
        account.password_hash = cheap

    app = create_app(
        {
            "SECRET_KEY": "bench-load-seed",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "LMS_BASE_URL": "http://127.0.0.1",
        }
    )
    groups: dict[str, list[str]] = {}
    with app.app_context(), patch.object(Account, "set_password", set_cheap_password):
        migrate.upgrade()
        loaded = load_courses(write_courses(folder / "courses"))
        if not loaded.ok:
            raise RuntimeError("\n".join(str(problem) for problem in loaded.problems))
        sync_courses(loaded.courses)
        course = session.scalars(sa.select(Course).where(Course.slug == COURSE)).one()
        cohort_course = session.scalars(sa.select(Course).where(Course.slug == COHORT_COURSE)).one()
        cohort = create_cohort(
            cohort_course, "Small cohort", date.today(), capacity=SEATS, is_open=True
        )
        for group, count in sizes.items():
            groups[group] = []
            for n in range(1, count + 1):
                email = f"{group}-{n:04d}@load.example"
                account = create_account(email, f"{group.title()} {n}", PASSWORD)
                if group != "joiners":
                    profile = session.scalars(
                        sa.select(Profile).where(Profile.user_id == str(account.id))
                    ).one()
                    enrol_self_paced(profile, course)
                groups[group].append(email)
        session.commit()
        cohort_id = cohort.id
        session.remove()
        app.extensions["sqlalchemy"].engine.dispose()
    return Seeded(
        groups["writers"],
        groups["joiners"],
        groups["limited"],
        groups["burst"],
        cohort_id,
        round(time.perf_counter() - started, 1),
    )


# -- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(database_url: str, workers: int, log: Path) -> Iterator[int]:
    """Serve the standalone app on 127.0.0.1; yields the port. Stopped by its own pid."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "FLASK_"))}
    env |= {
        "LMS_SECRET_KEY": SERVER_SECRET,
        "LMS_BASE_URL": "http://127.0.0.1",
        "LMS_DATABASE_URL": database_url,
        "PYTHONPATH": str(REPO),
    }
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
    command += ["--bind", f"127.0.0.1:{port}", "--timeout", "120", "--error-logfile", "-"]
    command += [APP]
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            wait_until_up(port, process)
            yield port
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


def wait_until_up(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/sign-in")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    raise RuntimeError(f"the server on port {port} did not answer within {timeout} s")


# -- recording requests --------------------------------------------------------------------------


@dataclass
class Call:
    phase: str
    kind: str
    status: int  # 0: no HTTP answer (connection error or timeout)
    began: float
    ended: float
    expected: bool
    locked: bool = False
    error: str = ""


class Recorder:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.lock = threading.Lock()
        self.phase = "setup"
        #: (began, ended) of simulated database restarts.
        self.restarts: list[tuple[float, float]] = []

    def add(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)

    def in_restart(self, call: Call) -> bool:
        return any(call.began <= end and call.ended >= begin for begin, end in self.restarts)

    def failed(self, call: Call) -> bool:
        """An error that counts: unexpected, except a 503 caught by a restart."""
        if call.expected:
            return False
        return not (call.status == 503 and self.in_restart(call))


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def location(self) -> str:
        return urllib.parse.urlsplit(self.headers.get("location", "")).path


class Browser:
    """One learner's browser (or another tab of it): cookies, CSRF token, http.client."""

    def __init__(self, port: int, recorder: Recorder, email: str) -> None:
        self.port, self.recorder, self.email = port, recorder, email
        self.cookies: dict[str, str] = {}
        self.token = ""

    def tab(self) -> Browser:
        other = Browser(self.port, self.recorder, self.email)
        other.cookies, other.token = dict(self.cookies), self.token
        return other

    def request(
        self,
        method: str,
        path: str,
        kind: str,
        expect: tuple[int, ...],
        *,
        form: list[tuple[str, str]] | None = None,
        body: Any = None,
    ) -> Response:
        headers = {"Host": f"127.0.0.1:{self.port}", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        payload = None
        if form is not None:
            payload = urllib.parse.urlencode([("csrf_token", self.token), *form]).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            payload = json.dumps(body).encode()
            headers |= {
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-CSRFToken": self.token,
            }
        began = time.monotonic()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
            try:
                connection.request(method, path, payload, headers)
                answer = connection.getresponse()
                text = answer.read().decode("utf-8", "replace")
                for header in answer.headers.get_all("Set-Cookie") or []:
                    self.take_cookie(header)
                response = Response(
                    answer.status, {k.lower(): v for k, v in answer.getheaders()}, text
                )
            finally:
                connection.close()
        except (OSError, http.client.HTTPException) as error:
            response = Response(0, {}, f"{type(error).__name__}: {error}")
        ended = time.monotonic()
        self.recorder.add(
            Call(
                self.recorder.phase,
                kind,
                response.status,
                began,
                ended,
                response.status in expect,
                "database is locked" in response.body,
                "" if response.status in expect else response.body[:300],
            )
        )
        return response

    def take_cookie(self, header: str) -> None:
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            if morsel["max-age"] == "0" or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, path: str, kind: str, expect: tuple[int, ...] = (200,)) -> Response:
        return self.request("GET", path, kind, expect)

    def post(
        self, path: str, kind: str, expect: tuple[int, ...], form: list[tuple[str, str]]
    ) -> Response:
        return self.request("POST", path, kind, expect, form=form)

    def sign_in(self) -> bool:
        page = self.get("/sign-in", "sign-in page")
        self.token = csrf_token(page.body)
        form = [("email", self.email), ("password", PASSWORD)]
        if self.post("/sign-in", "sign-in", (302,), form).status != 302:
            return False
        self.token = csrf_token(self.get("/dashboard", "dashboard").body)
        return bool(self.token)


def csrf_token(html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    return match.group(1) if match else ""


# -- the attempt page and answers ----------------------------------------------------------------


@dataclass
class Question:
    key: str
    type: str
    values: list[str] = field(default_factory=list)  # choice values, in page order


class AttemptPage(HTMLParser):
    """The questions of an attempt page: keys, types, choice values (as a browser sees)."""

    def __init__(self) -> None:
        super().__init__()
        self.questions: list[Question] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "data-question" in attributes and attributes.get("data-key"):
            self.questions.append(
                Question(str(attributes["data-key"]), str(attributes.get("data-type")))
            )
        elif tag == "input" and attributes.get("type") in ("radio", "checkbox") and self.questions:
            self.questions[-1].values.append(str(attributes.get("value")))


def questions_on(html: str) -> list[Question]:
    page = AttemptPage()
    page.feed(html)
    return page.questions


def make_answers(questions: list[Question], rng: random.Random, label: str) -> dict[str, Any]:
    """Answers as the page names them (question key -> response; choices by their value)."""
    answers: dict[str, Any] = {}
    for q in questions:
        if q.type == "single":
            answers[q.key] = rng.choice(q.values)
        elif q.type == "multiple":
            answers[q.key] = sorted(rng.sample(q.values, rng.randint(1, 3)))
        elif q.type == "true_false":
            answers[q.key] = rng.random() < 0.5
        elif q.type == "short_answer":
            answers[q.key] = f"{label}-{rng.randrange(10**6)}"
        elif q.type == "numeric":
            answers[q.key] = rng.randrange(-1000, 1000)
    return answers


def as_form(answers: dict[str, Any]) -> list[tuple[str, str]]:
    form = []
    for key, value in answers.items():
        if isinstance(value, bool):
            form.append((f"q{key}", "true" if value else "false"))
        elif isinstance(value, list):
            form += [(f"q{key}", str(v)) for v in value]
        else:
            form.append((f"q{key}", str(value)))
    return form


def attempt_id(response: Response) -> int | None:
    match = re.fullmatch(r"/attempts/(\d+)", response.location)
    return int(match.group(1)) if match else None


# -- running threads -----------------------------------------------------------------------------


def together(actions: list[Callable[[], Any]], timeout: float) -> list[Any]:
    """Run the actions in threads released at one moment; results in order (None if it
    raised or did not finish in time: the caller's checks then fail)."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(index: int, action: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = action()
        except Exception as error:  # reported, and the phase's checks fail
            print(f"  a thread failed: {type(error).__name__}: {error}", file=sys.stderr)

    threads = [threading.Thread(target=run, args=pair, daemon=True) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(timeout=max(deadline - time.monotonic(), 0.1))
    return results


def in_pool(actions: list[Callable[[], Any]], width: int, timeout: float) -> list[Any]:
    """Run the actions `width` at a time (for setup such as sign-ins)."""
    results: list[Any] = [None] * len(actions)
    queue = list(enumerate(actions))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not queue:
                    return
                index, action = queue.pop()
            try:
                results[index] = action()
            except Exception as error:
                print(f"  a task failed: {type(error).__name__}: {error}", file=sys.stderr)

    together([work] * width, timeout)
    return results


# -- the checks ----------------------------------------------------------------------------------


@dataclass
class Check:
    what: str
    ok: bool
    detail: str = ""


class Database:
    """Read-only checks on the run's database, from this process."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url, pool_pre_ping=True)

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as connection:
            return list(connection.execute(sa.text(sql), params))

    def stored_answers(self, attempt_ids: list[int]) -> dict[int, dict[str, Any]]:
        """Each attempt's stored answers, named as its page names them (the servers' key)."""
        from lms.models import Answer, QuestionVersion
        from lms.quizzes.tokens import AttemptTokens, names_key

        key = names_key(SERVER_SECRET)
        found: dict[int, dict[str, Any]] = {attempt: {} for attempt in attempt_ids}
        with self.engine.connect() as connection:
            for chunk in range(0, len(attempt_ids), 500):
                ids = attempt_ids[chunk : chunk + 500]
                query = (
                    sa.select(
                        Answer.attempt_id,
                        Answer.question_version_id,
                        QuestionVersion.type,
                        Answer.response,
                    )
                    .join(QuestionVersion, Answer.question_version_id == QuestionVersion.id)
                    .where(Answer.attempt_id.in_(ids))
                )
                for attempt, version, kind, response in connection.execute(query):
                    names = AttemptTokens(attempt, key)
                    if kind == "single" and response is not None:
                        response = names.choice(response)
                    elif kind == "multiple":
                        response = sorted(names.choice(choice) for choice in response)
                    found[attempt][names.question(version)] = response
        return found

    def attempts_by_learner(self, quiz: str, emails: list[str]) -> dict[str, list[Any]]:
        rows = self.rows(
            "SELECT p.email, a.id, a.number, a.status FROM lms_attempt a "
            "JOIN lms_profile p ON p.id = a.profile_id JOIN lms_quiz q ON q.id = a.quiz_id "
            "WHERE q.slug = :quiz ORDER BY a.number",
            quiz=quiz,
        )
        found: dict[str, list[Any]] = {email: [] for email in emails}
        for row in rows:
            if row.email in found:
                found[row.email].append(row)
        return found

    #: What must never hold two rows (table, the columns unique together, a filter).
    UNIQUE = (
        ("attempts per learner, quiz and number", "lms_attempt", "quiz_id, profile_id, number", ""),
        (
            "open attempts per learner and quiz",
            "lms_attempt",
            "quiz_id, profile_id",
            "WHERE status = 'in_progress'",
        ),
        ("answers per attempt and question", "lms_answer", "attempt_id, question_version_id", ""),
        (
            "lesson progress per learner and lesson",
            "lms_lesson_progress",
            "profile_id, lesson_id",
            "",
        ),
        ("enrolments per learner and course", "lms_enrolment", "profile_id, course_id", ""),
        ("certificates per enrolment", "lms_certificate", "enrolment_id", ""),
    )

    def duplicates(self) -> dict[str, int]:
        return {
            what: len(
                self.rows(
                    f"SELECT {columns} FROM {table} {where} "  # noqa: S608 - constants above
                    f"GROUP BY {columns} HAVING COUNT(*) > 1"
                )
            )
            for what, table, columns, where in self.UNIQUE
        }

    def dispose(self) -> None:
        self.engine.dispose()


# -- the phases ----------------------------------------------------------------------------------


@dataclass
class Run:
    db: str
    url: str
    port: int
    recorder: Recorder
    database: Database
    seeded: Seeded
    args: argparse.Namespace
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def check(self, what: str, ok: bool, detail: str = "") -> None:
        self.checks.append(Check(what, ok, detail))

    def browser(self, email: str) -> Browser:
        return Browser(self.port, self.recorder, email)

    def sign_in_all(self, emails: list[str]) -> list[Browser]:
        browsers = [self.browser(email) for email in emails]
        signed = in_pool([b.sign_in for b in browsers], 16, timeout=300)
        self.check(f"{len(emails)} learners signed in", all(signed), f"{sum(map(bool, signed))}")
        return browsers


def quiz_url(quiz: str) -> str:
    return f"/courses/{COURSE}/quizzes/{quiz}/attempts"


def mixed_writers(run: Run, restart: Callable[[], str] | None) -> None:
    """(a) writers for a fixed time: autosaves, start+submit cycles, lesson completions."""
    run.recorder.phase = "setup"
    browsers = run.sign_in_all(run.seeded.writers)
    run.recorder.phase = "a. mixed writers"
    saved: dict[int, dict[str, Any]] = {}  # attempt -> the answers last saved (200)
    unknown: set[int] = set()  # attempts with a save whose outcome is unknown
    submitted: list[int] = []
    began = time.monotonic()
    end = began + run.args.seconds

    def write(number: int, browser: Browser) -> None:
        rng = random.Random(number)  # noqa: S311 - test data, not secrets
        current: tuple[int, list[Question]] | None = None
        while time.monotonic() < end:
            if current is None:
                started = browser.post(quiz_url(QUIZ), "start", (302,), [])
                found = attempt_id(started)
                if found is None:
                    time.sleep(0.05)
                    continue
                page = browser.get(f"/attempts/{found}", "attempt page")
                questions = questions_on(page.body)
                if page.status != 200 or not questions:
                    time.sleep(0.05)
                    continue
                current = (found, questions)
            attempt, questions = current
            roll = rng.random()
            if roll < 0.55:
                answers = make_answers(questions, rng, f"w{number}")
                response = browser.request(
                    "POST",
                    f"/attempts/{attempt}/answers",
                    "autosave",
                    (200,),
                    body={"answers": answers},
                )
                if response.status == 200:
                    saved[attempt] = answers
                elif response.status == 0:
                    unknown.add(attempt)
            elif roll < 0.8:
                lesson = rng.choice(LESSONS)
                browser.post(f"/courses/{COURSE}/lessons/{lesson}/complete", "complete", (302,), [])
            else:
                done = browser.post(
                    f"/attempts/{attempt}/submit", "submit", (302,), [("confirm", "yes")]
                )
                if done.status == 302:
                    submitted.append(attempt)
                    current = None
                elif done.status == 0:
                    unknown.add(attempt)
                    current = None

    restart_thread = None
    if restart is not None:

        def restart_halfway() -> None:
            time.sleep(run.args.seconds / 2)
            begin = time.monotonic()
            run.notes.append(restart())
            run.recorder.restarts.append((begin, time.monotonic()))

        restart_thread = threading.Thread(target=restart_halfway, daemon=True)
        restart_thread.start()
    together(
        [lambda n=n, b=b: write(n, b) for n, b in enumerate(browsers)],
        timeout=run.args.seconds + 2 * REQUEST_TIMEOUT,
    )
    if restart_thread is not None:
        restart_thread.join(timeout=120)

    calls = [c for c in run.recorder.calls if c.phase == "a. mixed writers"]
    failures = [c for c in calls if run.recorder.failed(c)]
    run.check(
        "a. mixed writers: no errors, no 500s",
        not failures,
        f"{len(calls)} requests, {len(failures)} errors, "
        f"{sum(c.status == 500 for c in calls)} x 500" + first_error(failures),
    )
    if restart is not None:
        restarts = run.recorder.restarts
        after = [c for c in calls if restarts and c.began > restarts[-1][1]]
        caught = [c for c in calls if run.recorder.in_restart(c) and c.status == 503]
        run.check(
            "a. after the database restart, requests succeed",
            bool(restarts) and bool(after) and all(c.expected for c in after),
            f"{len(after)} requests after it, {sum(not c.expected for c in after)} failed; "
            f"{len(caught)} caught by it answered 503",
        )
    checked = sorted(set(saved) - unknown)
    stored = run.database.stored_answers(checked)
    wrong = [a for a in checked if stored[a] != saved[a]]
    run.check(
        "a. answers in the database equal the last saved",
        not wrong,
        f"{len(checked)} attempts compared, {len(wrong)} differ; {len(submitted)} submitted",
    )


def seat_limits(run: Run) -> None:
    """(b) many concurrent joins of a cohort with few seats."""
    run.recorder.phase = "setup"
    browsers = run.sign_in_all(run.seeded.joiners)
    run.recorder.phase = "b. seat limits"
    url = f"/courses/{COHORT_COURSE}/cohorts/{run.seeded.cohort_id}/join"
    results = together([lambda b=b: b.post(url, "join", (302, 409), []) for b in browsers], 120)
    joined = sum(1 for r in results if r is not None and r.status == 302)
    full = sum(1 for r in results if r is not None and r.status == 409)
    [(taken,)] = run.database.rows(
        "SELECT COUNT(*) FROM lms_enrolment WHERE cohort_id = :cohort AND status != 'withdrawn'",
        cohort=run.seeded.cohort_id,
    )
    run.check(
        f"b. seats taken == capacity ({SEATS})",
        taken == SEATS and joined == SEATS and joined + full == len(browsers),
        f"{len(browsers)} joined at once: {joined} joined, {full} told it is full, "
        f"{taken} seats taken",
    )


def attempt_limits(run: Run) -> None:
    """(b) concurrent starts beyond the attempt limit, from several tabs per learner."""
    run.recorder.phase = "setup"
    browsers = run.sign_in_all(run.seeded.limited)
    run.recorder.phase = "b. attempt limits"
    tabs = [b if n == 0 else b.tab() for b in browsers for n in range(run.args.tabs)]

    def keep_trying(tab: Browser) -> None:
        for _ in range(ATTEMPT_LIMIT + 3):
            started = tab.post(quiz_url(LIMITED_QUIZ), "start", (302, 403), [])
            found = attempt_id(started)
            if found is None:
                return
            tab.post(f"/attempts/{found}/submit", "submit", (302,), [("confirm", "yes")])

    together([lambda t=t: keep_trying(t) for t in tabs], 300)
    attempts = run.database.attempts_by_learner(LIMITED_QUIZ, run.seeded.limited)
    counts = Counter(len(rows) for rows in attempts.values())
    still_open = sum(r.status == "in_progress" for rows in attempts.values() for r in rows)
    calls = [c for c in run.recorder.calls if c.phase == "b. attempt limits"]
    run.check(
        f"b. attempts == limit ({ATTEMPT_LIMIT}) for every learner",
        set(counts) == {ATTEMPT_LIMIT} and not still_open and all(c.expected for c in calls),
        f"{len(tabs)} tabs; attempts per learner: {dict(counts)}, {still_open} left open, "
        f"{sum(c.status == 403 for c in calls)} starts refused",
    )


def burst(run: Run) -> None:
    """(c) learners press Start within one moment (two tabs each), then answer and submit."""
    run.recorder.phase = "setup"
    browsers = run.sign_in_all(run.seeded.burst)
    tabs = [b.tab() for b in browsers]
    run.recorder.phase = "c. burst: start"
    results = together(
        [lambda b=b: b.post(quiz_url(QUIZ), "start", (302,), []) for b in browsers + tabs], 300
    )
    starts = [c for c in run.recorder.calls if c.phase == "c. burst: start"]
    if starts:
        sent = max(c.began for c in starts) - min(c.began for c in starts)
        served = max(c.ended for c in starts) - min(c.began for c in starts)
        run.notes.append(
            f"burst: {len(starts)} starts sent within {sent:.2f} s, all answered within "
            f"{served:.2f} s"
        )
        run.check("c. the starts were sent within a second", sent < 1.0, f"{sent:.2f} s")
    ids = [attempt_id(r) if r is not None else None for r in results]
    count = len(browsers)
    same = all(ids[n] is not None and ids[n] == ids[count + n] for n in range(count))
    attempts = run.database.attempts_by_learner(QUIZ, run.seeded.burst)
    one_open = all(len(rows) == 1 and rows[0].status == "in_progress" for rows in attempts.values())
    run.check(
        "c. one open attempt per learner while open (both tabs: the same one)",
        same and one_open,
        f"{count} learners, {sum(len(r) for r in attempts.values())} attempts",
    )

    run.recorder.phase = "c. burst: answer+submit"
    final: dict[int, dict[str, Any]] = {}

    def answer(number: int, browser: Browser, attempt: int | None) -> bool:
        if attempt is None:
            return False
        page = browser.get(f"/attempts/{attempt}", "attempt page")
        questions = questions_on(page.body)
        rng = random.Random(10_000 + number)  # noqa: S311 - test data, not secrets
        draft = make_answers(questions, rng, f"b{number}-draft")
        answers = make_answers(questions, rng, f"b{number}")
        saved = browser.request(
            "POST", f"/attempts/{attempt}/answers", "autosave", (200,), body={"answers": draft}
        )
        review = browser.post(
            f"/attempts/{attempt}/submit", "submit form", (200,), as_form(answers)
        )
        final[attempt] = answers
        done = browser.post(f"/attempts/{attempt}/submit", "confirm", (302,), [("confirm", "yes")])
        return (saved.status, review.status, done.status) == (200, 200, 302)

    done = together([lambda n=n, b=b: answer(n, b, ids[n]) for n, b in enumerate(browsers)], 600)
    calls = [c for c in run.recorder.calls if c.phase.startswith("c. burst")]
    failures = [c for c in calls if run.recorder.failed(c)]
    run.check(
        "c. burst: zero errors",
        not failures and all(done),
        f"{len(calls)} requests, {len(failures)} errors" + first_error(failures),
    )
    stored = run.database.stored_answers(sorted(final))
    wrong = [a for a in final if stored[a] != final[a]]
    attempts = run.database.attempts_by_learner(QUIZ, run.seeded.burst)
    submitted = all(
        len(rows) == 1 and rows[0].status in ("graded", "awaiting_grading")
        for rows in attempts.values()
    )
    run.check(
        "c. every answer in the database equals what was sent",
        not wrong and len(final) == count and submitted,
        f"{len(final)} attempts compared, {len(wrong)} differ; one submitted attempt each: "
        f"{submitted}",
    )


def first_error(failures: list[Call]) -> str:
    if not failures:
        return ""
    call = failures[0]
    return f"; first: {call.kind} -> {call.status} {call.error[:160]!r}"


# -- databases -----------------------------------------------------------------------------------


def terminate_backends(url: str) -> Callable[[], str]:
    """A restart as the app sees it: every connection to the run's database is ended."""
    server, name = url.rsplit("/", 1)

    def restart() -> str:
        admin = sa.create_engine(
            f"{server}/postgres", isolation_level="AUTOCOMMIT", pool_pre_ping=True
        )
        try:
            with admin.connect() as connection:
                ended = connection.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                ).all()
        finally:
            admin.dispose()
        return f"restart (simulated): {len(ended)} connections to {name} terminated"

    return restart


def restart_command(command: str, url: str) -> Callable[[], str]:
    """A real restart (`--restart-command`), then wait until the database answers."""

    def restart() -> str:
        began = time.monotonic()
        subprocess.run(shlex.split(command), check=True, timeout=120)  # noqa: S603
        engine = sa.create_engine(url)
        try:
            while True:
                try:
                    with engine.connect() as connection:
                        connection.execute(sa.text("SELECT 1"))
                    break
                except sa.exc.OperationalError:
                    if time.monotonic() - began > 120:
                        raise
                    time.sleep(0.1)
        finally:
            engine.dispose()
        return f"restart: `{command}` and back in {time.monotonic() - began:.1f} s"

    return restart


# -- the report ----------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(fraction * 100) - 1]


def table(run: Run, log_text: str) -> str:
    recorder = run.recorder
    phases = list(dict.fromkeys(c.phase for c in recorder.calls))
    head = (
        f"{'phase':<26}{'requests':>9}{'req/s':>8}{'2xx/3xx':>9}{'4xx ok':>8}{'503':>6}"
        f"{'500':>6}{'errors':>8}{'locked':>8}{'p50 ms':>8}{'p95 ms':>8}"
    )
    lines = [head, "-" * len(head)]
    for phase in [*phases, "total"]:
        calls = (
            recorder.calls if phase == "total" else [c for c in recorder.calls if c.phase == phase]
        )
        if not calls:
            continue
        span = max(c.ended for c in calls) - min(c.began for c in calls)
        times = sorted((c.ended - c.began) * 1000 for c in calls)
        lines.append(
            f"{phase:<26}{len(calls):>9}{len(calls) / max(span, 1e-9):>8.0f}"
            f"{sum(200 <= c.status < 400 for c in calls):>9}"
            f"{sum(400 <= c.status < 500 and c.expected for c in calls):>8}"
            f"{sum(c.status == 503 for c in calls):>6}{sum(c.status == 500 for c in calls):>6}"
            f"{sum(recorder.failed(c) for c in calls):>8}{sum(c.locked for c in calls):>8}"
            f"{percentile(times, 0.5):>8.0f}{percentile(times, 0.95):>8.0f}"
        )
    lines.append("")
    lines.append(f"{'request':<26}{'count':>9}{'p50 ms':>8}{'p95 ms':>8}  statuses")
    for kind in sorted({c.kind for c in recorder.calls}):
        calls = [c for c in recorder.calls if c.kind == kind]
        times = sorted((c.ended - c.began) * 1000 for c in calls)
        statuses = Counter(c.status for c in calls)
        lines.append(
            f"{kind:<26}{len(calls):>9}{percentile(times, 0.5):>8.0f}"
            f"{percentile(times, 0.95):>8.0f}  "
            + ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()))
        )
    lines.append(
        f"server log: {log_text.count('database is locked')} 'database is locked', "
        f"{log_text.count('Traceback')} tracebacks, "
        f"{log_text.count('answered 503')} busy-database 503s logged"
    )
    return "\n".join(lines)


def tracebacks(log_text: str) -> str:
    """Each traceback of the server log, from its first line to the exception's."""
    found = re.findall(r"Traceback \(most recent call last\):\n(?:[ \t].*\n)+\S.*", log_text)
    return "\n\n".join(found) or "(none: the 500 left no traceback)"


def run_one(db: str, args: argparse.Namespace) -> bool:
    sizes = {
        "writers": args.writers,
        "joiners": args.joiners,
        "limited": args.limited,
        "burst": args.burst,
    }
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"\n=== bench.load on {db} (load average before: {load}) ===", flush=True)
    with (
        tempfile.TemporaryDirectory(prefix="lms-load-") as tmp,
        fresh_database(db, Path(tmp), args.postgres_url, "lms_load") as url,
    ):
        folder = Path(tmp)
        seeded = seed(url, folder, sizes)
        print(f"seeded {sum(sizes.values())} learners in {seeded.seconds} s", flush=True)
        log = folder / "server.log"
        recorder = Recorder()
        database = Database(url)
        try:
            with gunicorn(url, args.workers, log) as port:
                run = Run(db, url, port, recorder, database, seeded, args)
                restart = None
                if db == "postgresql":
                    restart = (
                        restart_command(args.restart_command, url)
                        if args.restart_command
                        else terminate_backends(url)
                    )
                print(
                    f"gunicorn -w {args.workers} on 127.0.0.1:{port}; {args.writers} writers "
                    f"for {args.seconds} s, then limits, then a burst of {args.burst}",
                    flush=True,
                )
                mixed_writers(run, restart)
                seat_limits(run)
                attempt_limits(run)
                burst(run)
            log_text = log.read_text(errors="replace")
            duplicates = database.duplicates()
        finally:
            database.dispose()
    locked = sum(c.locked for c in recorder.calls) + log_text.count("database is locked")
    errors_500 = sum(c.status == 500 for c in recorder.calls)
    run.check('no "database is locked" (responses and server log)', locked == 0, str(locked))
    run.check("no 500s", errors_500 == 0, str(errors_500))
    run.check(
        "d. duplicates found: 0",
        not any(duplicates.values()),
        ", ".join(f"{what}: {n}" for what, n in duplicates.items()),
    )
    print(table(run, log_text))
    if errors_500:  # say why: the server's log goes with its temporary folder
        print("\nthe server log's tracebacks:\n" + tracebacks(log_text))
    for note in run.notes:
        print(note)
    print()
    for check in run.checks:
        detail = f"  ({check.detail})" if check.detail else ""
        print(f"  {'PASS' if check.ok else 'FAIL'}  {check.what}{detail}")
    total_errors = sum(recorder.failed(c) for c in recorder.calls)
    print(
        f"\n{db}: requests {len(recorder.calls)}, errors {total_errors}, locked {locked}, "
        f"500s {errors_500}, duplicates found: {sum(duplicates.values())}"
    )
    return all(check.ok for check in run.checks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES,
        help="a PostgreSQL server (a database is created next to this one and dropped)",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--writers", type=int, default=32, help="(a) concurrent writers")
    parser.add_argument("--seconds", type=float, default=10, help="(a) how long they write")
    parser.add_argument("--joiners", type=int, default=40, help=f"(b) joins of {SEATS} seats")
    parser.add_argument("--limited", type=int, default=10, help="(b) learners at the limit")
    parser.add_argument("--tabs", type=int, default=4, help="(b) tabs per learner at the limit")
    parser.add_argument("--burst", type=int, default=200, help="(c) learners in the burst")
    parser.add_argument(
        "--restart-command",
        help="PostgreSQL: restart the server with this command halfway through (a) instead "
        "of terminating the run's connections; only where nobody else uses the server, "
        "e.g. 'pg_ctlcluster --skip-systemctl-redirect 15 main restart'",
    )
    parser.add_argument(
        "--scenario",
        choices=["load", "multihost"],
        default="load",
        help="load: the phases above; multihost: two app servers and two workers on "
        "PostgreSQL (bench.multihost)",
    )
    parser.add_argument("--learners", type=int, default=200, help="(multihost) learners")
    parser.add_argument(
        "--fault",
        choices=["kill", "cut", "none"],
        default="kill",
        help="(multihost) SIGKILL a worker mid-batch, or cut every database connection",
    )
    args = parser.parse_args(argv)
    if args.scenario == "multihost":
        from bench import multihost

        return multihost.main(args.postgres_url, args.learners, args.fault)
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = {db: run_one(db, args) for db in databases}
    print("\n" + ", ".join(f"{db}: {'PASS' if ok else 'FAIL'}" for db, ok in results.items()))
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
