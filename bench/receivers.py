"""The receivers of background jobs, on loopback: an SMTP sink (aiosmtpd) and an LRS
(Ralph, file-system backend). The jobs tests start them from fixtures
(tests/jobs/conftest.py); `python -m bench.load --scenario multihost` starts its own.
Both need the test extra (`pip install -e '.[test]'`)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

RALPH_SERVER = Path(__file__).with_name("ralph_server.py")
LRS_USER, LRS_PASSWORD = "lms", "lrs-test-password-1"


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

    def use(self, app: Any) -> None:
        app.config.update(
            LMS_SMTP_HOST=self.host,
            LMS_SMTP_PORT=self.port,
            LMS_SMTP_STARTTLS=False,
            LMS_MAIL_SENDER="LMS <courses@lms.example>",
        )

    def settings(self) -> dict[str, str]:
        """The same, as environment variables for an app or worker process."""
        return {
            "LMS_SMTP_HOST": self.host,
            "LMS_SMTP_PORT": str(self.port),
            "LMS_SMTP_STARTTLS": "false",
            "LMS_MAIL_SENDER": "LMS <courses@lms.example>",
        }

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


@contextmanager
def smtp_sink() -> Iterator[SMTPSink]:
    """aiosmtpd on a free port of 127.0.0.1, in a thread of this process."""
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

    def use(self, app: Any, **extra: Any) -> None:
        app.config.update(
            LMS_XAPI_ENDPOINT=self.url,
            LMS_XAPI_USERNAME=self.username,
            LMS_XAPI_PASSWORD=self.password,
            **extra,
        )

    def settings(self) -> dict[str, str]:
        """The same, as environment variables for an app or worker process."""
        return {
            "LMS_XAPI_ENDPOINT": self.url,
            "LMS_XAPI_USERNAME": self.username,
            "LMS_XAPI_PASSWORD": self.password,
        }

    def statements(self, **params: str) -> list[dict[str, Any]]:
        """Every statement the LRS holds that match `params`, oldest first (as an xAPI
        client reads them). Ralph's file-system backend pages by 100 and its `more` link
        repeats itself after the first page: more than 100 is an error here (filter by
        `registration`, or count with `stored`)."""
        import httpx

        found: list[dict[str, Any]] = []
        query: dict[str, str] = {"limit": "100", "ascending": "true", **params}
        url = self.url + "statements"
        seen: set[str] = set()
        while True:
            response = httpx.get(
                url,
                params=query,
                auth=(self.username, self.password),
                headers={"X-Experience-API-Version": "1.0.3"},
                timeout=30,
            )
            response.raise_for_status()
            body = response.json()
            found += body["statements"]
            more = body.get("more")
            if not more:
                return found
            if more in seen:
                raise RuntimeError(f"the LRS pages in a loop ({len(found)} statements read)")
            seen.add(more)
            url, query = self.url.split("/xAPI/")[0] + more, {}

    def stored(self) -> list[dict[str, Any]]:
        """Every statement the LRS has written, read from its file (`fs_lrs.jsonl`, one
        statement a line, as stored): what it received, however many."""
        path = self.root / "data" / "fs_lrs.jsonl"
        if not path.exists():
            return []
        with path.open(encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]


def _ralph_auth_file(path: Path) -> None:
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


@contextmanager
def ralph(root: Path) -> Iterator[LRS]:
    """Ralph (ralph-malph) serving its LRS API with the file-system backend under `root`
    (an empty folder), in a process of its own, stopped when the block ends."""
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
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, str(RALPH_SERVER), str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root,
    )  # fmt: skip
    lrs = LRS(f"http://127.0.0.1:{port}/xAPI/", LRS_USER, LRS_PASSWORD, root)
    try:
        _wait_for(lrs, process, root / "ralph.log")
        yield lrs
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
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
