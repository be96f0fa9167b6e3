"""Fixtures for account tests: a throwaway SMTP server on 127.0.0.1, a host app, helpers."""

from __future__ import annotations

import base64
import email
import email.policy
import re
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms import LMS
from lms.database import Base, session
from lms.models import Account, OutboxMessage
from tests.conftest import csrf_token
from tests.foundation.test_plugin import make_host_app


@dataclass
class FakeSMTP:
    """What the fake SMTP server received."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)


class SMTPHandler(socketserver.StreamRequestHandler):
    """Speaks just enough SMTP (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT) for smtplib."""

    def reply(self, *lines: str) -> None:
        self.wfile.write("".join(f"{line}\r\n" for line in lines).encode())

    def handle(self) -> None:
        received: FakeSMTP = self.server.received  # type: ignore[attr-defined]
        recipients: list[str] = []
        self.reply("220 fake.test ESMTP ready")
        while line := self.rfile.readline(65536):
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb, _, argument = command.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                self.reply("250-fake.test", "250-AUTH PLAIN", "250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 fake.test")
            elif verb == "AUTH":
                _, _, initial = argument.partition(" ")
                _, user, password = base64.b64decode(initial).decode().split("\0")
                received.logins.append((user, password))
                self.reply("235 2.7.0 Authentication successful")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(re.sub(r"(?i)^to:\s*<(.*)>.*$", r"\1", argument))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while (chunk := self.rfile.readline(65536)) not in (b".\r\n", b""):
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                message = email.message_from_bytes(b"".join(data), policy=email.policy.default)
                received.messages.append(message)  # type: ignore[arg-type]
                received.recipients.append(recipients)
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


@pytest.fixture
def smtp_server() -> Iterator[FakeSMTP]:
    """A real SMTP server on a free port of 127.0.0.1, for the length of one test."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SMTPHandler)
    host, port = server.server_address[:2]
    server.received = FakeSMTP(str(host), int(port))  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.received  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def outbox(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        messages = session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
        session.expunge_all()
        return list(messages)


def account(app: Flask, email: str) -> Account:
    with app.app_context():
        found = session.scalar(sa.select(Account).where(Account.email == email))
        assert found is not None
        session.expunge(found)
        return found


def copy_session(source: FlaskClient, target: FlaskClient) -> None:
    """Give `target` a copy of `source`'s session cookie, as a stolen cookie would be."""
    cookie = source.get_cookie("session")
    assert cookie is not None
    target.set_cookie("session", cookie.value)


def post_page_form(client: FlaskClient, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """POST to `path` with the CSRF token from the page itself (host apps have no LMS '/')."""
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data}, **kwargs)


@dataclass
class Host:
    app: Flask
    client: FlaskClient

    def add_user(self, email: str, username: str) -> int:
        models = self.app.extensions["host_models"]
        with self.app.app_context():
            user = models["User"](email=email, username=username)
            models["db"].session.add(user)
            models["db"].session.commit()
            return int(user.id)

    def sign_in(self, user_id: int) -> None:
        assert self.client.get(f"/login/{user_id}").get_data(as_text=True).startswith("signed in")


@pytest.fixture
def host(empty_database_url: str, tmp_path: Path) -> Iterator[Host]:
    """A host app (its own users and sign-in) with the LMS mounted at /learn."""
    app = make_host_app(empty_database_url, tmp_path)
    LMS(app, url_prefix="/learn")
    db = app.extensions["host_models"]["db"]
    with app.app_context():
        db.create_all()
        Base.metadata.create_all(db.engine)
    yield Host(app, app.test_client())
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
