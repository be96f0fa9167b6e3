"""`lms demo`: migrates, loads both courses, seeds a demo that looks lived in, prints the
accounts and what to try as whom, serves."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from lms.cli.demo import prepare_demo
from lms.database import session, utcnow
from lms.learning.progress import course_outline
from lms.models import (
    Attempt,
    AttemptStatus,
    Attendance,
    Certificate,
    Cohort,
    Enrolment,
    Grade,
    GradeStatus,
    Profile,
    Role,
)
from tests.conftest import make_test_app


def environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "FLASK_"))}
    return env | {
        "LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "LMS_BADGES_KEY_FILE": str(tmp_path / "badges-key.pem"),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_prepares_everything_and_is_idempotent(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "lms", "demo", "--no-serve"]
    first = subprocess.run(
        command, env=environment(tmp_path), capture_output=True, text=True, timeout=180,
        check=False,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    for line in ("admin@example.com", "instructor@example.com", "nurse@example.com",
                 "therapist@example.com", "password for all: ketamine demo ward",
                 "Cohort invite code:", "Written answers waiting for grading: "):  # fmt: skip
        assert line in first.stdout
    # What to try, as whom.
    assert "Theo, a therapist in week 3 of the demo cohort" in first.stdout
    assert "grade the reflections waiting in Grading" in first.stdout
    assert "Admin (people and roles, the\n" in first.stdout  # wrapped for a terminal
    second = subprocess.run(
        command, env=environment(tmp_path), capture_output=True, text=True, timeout=180,
        check=False,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert first.stdout == second.stdout  # nothing seeded twice
    # The finished learners' certificates come with their Open Badges, signed once.
    assert (tmp_path / "badges-key.pem").stat().st_mode & 0o777 == 0o600
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    with engine.connect() as connection:
        certificates = connection.scalar(sa.text("SELECT count(*) FROM lms_certificate"))
        badges = connection.scalar(sa.text("SELECT count(*) FROM lms_badge_credential"))
    engine.dispose()
    assert certificates and badges == certificates


def test_the_demo_looks_lived_in(empty_database_url: str) -> None:
    """A cohort in week 3 with ten learners at different stages, essays waiting, feedback
    released, attendance taken; self-paced learners, one with a certificate; everyone
    with a profession. On SQLite and PostgreSQL."""
    app = make_test_app(empty_database_url)
    with app.app_context():
        prepare_demo()
        prepare_demo()  # idempotent
        everyone = session.scalars(sa.select(Profile)).all()
        assert len(everyone) == 16
        assert all(p.profession is not None for p in everyone)
        assert {p.email for p in everyone if p.role is Role.ADMIN} == {"admin@example.com"}

        cohort = session.scalars(sa.select(Cohort)).one()
        assert cohort.name == "Demo cohort"
        assert [i.email for i in cohort.instructors] == ["instructor@example.com"]
        opened = sorted(line.opens_at for line in cohort.calendar)
        now = utcnow()
        assert opened[2] <= now < opened[3], "week 3 is open, week 4 is not"
        learners = session.scalars(
            sa.select(Enrolment).where(Enrolment.cohort_id == cohort.id)
        ).all()
        assert len(learners) == 10
        assert "therapist@example.com" in {e.profile.email for e in learners}
        progress = sorted(course_outline(e).percent for e in learners)
        # the furthest is three weeks into five (the final week holds the final assessment
        # and the evaluation, so that is a little under half of the course's items)
        assert progress[0] == 0 and progress[-1] > 40 and len(set(progress)) >= 5, progress

        grades = session.scalars(sa.select(Grade)).all()
        statuses = {g.status for g in grades}
        assert statuses == {GradeStatus.DRAFT, GradeStatus.RELEASED}
        awaiting = session.scalar(
            sa.select(sa.func.count(Attempt.id)).where(
                Attempt.status == AttemptStatus.AWAITING_GRADING
            )
        )
        assert (awaiting or 0) >= 4
        marks = session.scalars(sa.select(Attendance)).all()
        assert len({m.live_session_id for m in marks}) == 2, "two sessions held so far"
        upcoming = [s for s in cohort.live_sessions if now < s.starts_at < now + timedelta(days=7)]
        assert len(upcoming) == 1, "this week's live session is still to come"

        paced = session.scalars(sa.select(Enrolment).where(Enrolment.cohort_id.is_(None))).all()
        assert len(paced) == 4
        assert "nurse@example.com" in {e.profile.email for e in paced}
        certificates = session.scalars(sa.select(Certificate)).all()
        assert [c.learner_name for c in certificates] == ["Paul Physician"]
        session.remove()
        app.extensions["sqlalchemy"].engine.dispose()


def test_demo_serves_the_catalogue(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "lms", "demo", "--port", str(port)],
        env=environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.2)
        assert "Ketamine and Anxiety: Role, Scope" in body
        assert "Ketamine and Anxiety: Relational Practice" in body
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert f"Serving on http://127.0.0.1:{port}/" in output
