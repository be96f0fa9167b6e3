"""The `lms` command, run as a user runs it: a separate process, settings in the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PASSWORD = "a long enough password"


def lms(
    database_url: str, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "FLASK_"))}
    environment |= {"LMS_DATABASE_URL": database_url} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "lms", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def test_db_upgrade_and_user_management(empty_database_url: str) -> None:
    upgraded = lms(empty_database_url, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "LMS database at" in upgraded.stdout

    created = lms(
        empty_database_url,
        "users", "create", "Ana@Example.com", "--role", "instructor", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert "Created instructor ana@example.com." in created.stdout

    again = lms(empty_database_url, "users", "create", "ana@example.com", "--password-stdin",
                stdin=PASSWORD + "\n")  # fmt: skip
    assert again.returncode == 1
    assert "An account for ana@example.com already exists." in again.stderr

    short = lms(empty_database_url, "users", "create", "bo@example.com", "--password-stdin",
                stdin="short\n")  # fmt: skip
    assert short.returncode == 1
    assert "at least 15 characters" in short.stderr

    promoted = lms(empty_database_url, "users", "set-role", "ana@example.com", "admin")
    assert promoted.returncode == 0, promoted.stderr
    assert "role is now admin" in promoted.stdout

    missing = lms(empty_database_url, "users", "set-role", "nobody@example.com", "admin")
    assert missing.returncode == 1
    assert "No LMS user with email nobody@example.com" in missing.stderr

    current = lms(empty_database_url, "db", "current")
    assert current.returncode == 0
    assert current.stdout.strip()[:12] in upgraded.stdout


def test_run_refuses_to_serve_without_a_secret_key(tmp_path: Path) -> None:
    result = lms(f"sqlite:///{tmp_path / 'x.sqlite3'}", "run")
    assert result.returncode == 2
    assert "LMS_SECRET_KEY is not set" in result.stderr


def test_help_lists_the_commands() -> None:
    result = lms("sqlite://", "--help")
    assert result.returncode == 0
    for command in ("db", "users", "run"):
        assert f"  {command} " in result.stdout


@pytest.mark.parametrize("role", ["superuser", ""])
def test_unknown_role_is_refused(tmp_path: Path, role: str) -> None:
    result = lms(f"sqlite:///{tmp_path / 'x.sqlite3'}", "users", "set-role", "a@example.com", role)
    assert result.returncode == 2
    assert "learner" in result.stderr


def test_commands_that_serve_or_mail_need_lms_base_url(empty_database_url: str) -> None:
    """Issue 17, finding 1: links in mail come from LMS_BASE_URL, so what sends mail (or
    serves the site) outside debug mode refuses to run without it; other commands run."""
    assert lms(empty_database_url, "db", "upgrade").returncode == 0
    keyed = {"LMS_SECRET_KEY": "cli-test"}
    digest = lms(empty_database_url, "grading", "digest", env=keyed)
    assert digest.returncode != 0
    assert "LMS_BASE_URL is not set" in digest.stderr
    serve = lms(empty_database_url, "run", "--port", "1", env=keyed)
    assert serve.returncode != 0
    assert "LMS_BASE_URL is not set" in serve.stderr
    with_url = keyed | {"LMS_BASE_URL": "https://learn.example.org"}
    digest = lms(empty_database_url, "grading", "digest", env=with_url)
    assert digest.returncode == 0, digest.stderr
    assert "No grading digest to send" in digest.stdout
