"""Also noticed in issue 17: responses carried `Server: gunicorn`. The shipped gunicorn
configuration (lms/deploy/gunicorn_conf.py, README's deploy section) leaves it out."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def headers_from_gunicorn(tmp_path: Path, *options: str) -> dict[str, str]:
    """Serve the standalone app with gunicorn on 127.0.0.1; one response's headers."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "FLASK_"))}
    env |= {
        "LMS_SECRET_KEY": "gunicorn-test",
        "LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'lms.sqlite3'}",
        "LMS_BASE_URL": "http://127.0.0.1",
        "PYTHONPATH": str(REPO),
    }
    command = [sys.executable, "-m", "gunicorn", *options, "-w", "1"]
    command += ["-b", f"127.0.0.1:{port}", "lms:create_app()"]
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=output, stderr=output)
        try:
            return first_response_headers(port, process, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def first_response_headers(
    port: int, process: subprocess.Popen[bytes], log: Path
) -> dict[str, str]:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/static/lms/lms.css")
            response = connection.getresponse()
            response.read()
            return {name.lower(): value for name, value in response.getheaders()}
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        finally:
            connection.close()


@pytest.mark.parametrize("config", ["python:lms.deploy.gunicorn_conf"])
def test_the_shipped_gunicorn_config_sends_no_server_header(tmp_path: Path, config: str) -> None:
    plain = headers_from_gunicorn(tmp_path)
    assert plain["server"].startswith("gunicorn")  # what it was: the test can tell
    configured = headers_from_gunicorn(tmp_path, "-c", config)
    assert "server" not in configured, configured
    assert configured["x-content-type-options"] == "nosniff"  # the app's headers stay
