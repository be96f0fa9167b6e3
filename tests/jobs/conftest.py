"""Fixtures for background jobs: a real SMTP sink (aiosmtpd) and a real LRS (Ralph) on
loopback, started for the test and stopped after it."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.ce.conftest import ce_courses, clock  # noqa: F401  (the credit courses, for xAPI)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SMTPSink:
    """What the SMTP server received; set `refuse` to have it answer 451 to every mail."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: str | None = None
    delay: float = 0.0  # seconds each message takes (a slow server)

    def use(self, app: Flask) -> None:
        app.config.update(
            LMS_SMTP_HOST=self.host,
            LMS_SMTP_PORT=self.port,
            LMS_SMTP_STARTTLS=False,
            LMS_MAIL_SENDER="LMS <courses@lms.example>",
        )

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


class _Handler:
    def __init__(self, sink: SMTPSink) -> None:
        self.sink = sink

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.sink.refuse:
            return self.sink.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.sink.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_sink() -> Iterator[SMTPSink]:
    """aiosmtpd on a free port of 127.0.0.1."""
    from aiosmtpd.controller import Controller

    sink = SMTPSink("127.0.0.1", free_port())
    controller = Controller(_Handler(sink), hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@dataclass(frozen=True)
class LRS:
    """Ralph's LRS on loopback, its statements kept in files under `root`."""

    url: str  # the xAPI base, e.g. http://127.0.0.1:8100/xAPI/
    username: str
    password: str
    root: Path

    def use(self, app: Flask, **extra: Any) -> None:
        app.config.update(
            LMS_XAPI_ENDPOINT=self.url,
            LMS_XAPI_USERNAME=self.username,
            LMS_XAPI_PASSWORD=self.password,
            **extra,
        )

    def statements(self, **params: str) -> list[dict[str, Any]]:
        """Every statement the LRS holds, oldest first (as an xAPI client reads them)."""
        import httpx

        found: list[dict[str, Any]] = []
        query: dict[str, str] = {"limit": "500", "ascending": "true", **params}
        url = self.url + "statements"
        while True:
            response = httpx.get(
                url,
                params=query,
                auth=(self.username, self.password),
                headers={"X-Experience-API-Version": "1.0.3"},
                timeout=10,
            )
            response.raise_for_status()
            body = response.json()
            found += body["statements"]
            more = body.get("more")
            if not more:
                return found
            url, query = self.url.split("/xAPI/")[0] + more, {}


LRS_USER, LRS_PASSWORD = "lms", "lrs-test-password-1"


def _ralph_auth_file(path: Path) -> None:
    import json

    import bcrypt

    hashed = bcrypt.hashpw(LRS_PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    path.write_text(
        json.dumps(
            [
                {
                    "agent": {"mbox": "mailto:lms@example.com", "objectType": "Agent"},
                    "scopes": ["all"],
                    "hash": hashed,
                    "username": LRS_USER,
                }
            ]
        )
    )


@pytest.fixture(scope="session")
def ralph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LRS]:
    """Ralph (ralph-malph) serving its LRS API with the file-system backend, once per run."""
    root = tmp_path_factory.mktemp("ralph")
    auth = root / "auth.json"
    _ralph_auth_file(auth)
    port = free_port()
    env = {
        **os.environ,
        "RALPH_APP_DIR": str(root / "app"),
        "RALPH_AUTH_FILE": str(auth),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH": str(root / "data"),
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(root / "data"),
        "RALPH_RUNSERVER_PORT": str(port),
        "RALPH_RUNSERVER_HOST": "127.0.0.1",
        "RALPH_RUNSERVER_AUTH_BACKENDS": "basic",
        "RALPH_LRS_RESTRICT_BY_AUTHORITY": "False",
        "RALPH_LRS_RESTRICT_BY_SCOPES": "False",
    }
    (root / "data").mkdir()
    log = (root / "ralph.log").open("w")
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("ralph_server.py")), str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root,
    )  # fmt: skip
    lrs = LRS(f"http://127.0.0.1:{port}/xAPI/", LRS_USER, LRS_PASSWORD, root)
    try:
        _wait_for(lrs, process, root / "ralph.log")
        yield lrs
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def _wait_for(lrs: LRS, process: subprocess.Popen[bytes], log: Path) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Ralph stopped:\n{log.read_text()}")
        try:
            httpx.get(lrs.url.replace("/xAPI/", "/__heartbeat__"), timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"Ralph did not start:\n{log.read_text()}")
