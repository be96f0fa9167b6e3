"""`lms demo`: migrates, loads both courses, creates demo accounts, prints them, serves."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "FLASK_"))}
    return env | {"LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}


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
                 "Cohort invite code:"):  # fmt: skip
        assert line in first.stdout
    second = subprocess.run(
        command, env=environment(tmp_path), capture_output=True, text=True, timeout=180,
        check=False,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert (
        first.stdout.split("Cohort invite code:")[1]
        == second.stdout.split("Cohort invite code:")[1]
    )


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
        assert "Essentials of Psychedelic Care" in body
        assert "Relational Psychedelic-Assisted Therapy" in body
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert f"Serving on http://127.0.0.1:{port}/" in output
