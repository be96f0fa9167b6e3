"""Forgotten passwords: the same answer for every email, a link that works once."""

from __future__ import annotations

import re
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner

from tests.accounts.conftest import outbox
from tests.conftest import PASSWORD, Users, post_form

NEW_PASSWORD = "a brand new password"
SENT = "If an account exists for that address, we sent a link to it."


def ask_for_link(client: FlaskClient, email: str) -> str:
    response = post_form(client, "/forgot-password", {"email": email})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return re.sub(r'<meta name="csrf-token" content="[^"]*">', "", html)


def reset_path(app: Flask) -> str:
    (message,) = outbox(app)
    match = re.search(r"http://localhost(/reset-password/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def flip(token: str, at: int) -> str:
    """The token with one character changed (one that changes the decoded bytes)."""
    return token[:at] + ("B" if token[at] == "A" else "A") + token[at + 1 :]


def choose(client: FlaskClient, path: str, password: str = NEW_PASSWORD) -> object:
    return post_form(client, path, {"password": password, "confirm": password})


def test_known_and_unknown_emails_get_the_same_answer(
    app: Flask, client: FlaskClient, users: Users
) -> None:
    users.create("nurse@example.com", name="Nadia Nurse")
    known = ask_for_link(client, "Nurse@Example.com")
    unknown = ask_for_link(client, "nobody@example.com")
    assert SENT in known
    assert known == unknown
    message, note = outbox(app)  # one mail each, alike in number and subject
    assert message.to_address == "nurse@example.com"
    assert message.subject.startswith("Reset your password")
    assert "Hello Nadia Nurse," in message.body
    assert "http://localhost/reset-password/" in message.body
    # The unknown address is told there is no account with it (and nothing more).
    assert (note.to_address, note.subject) == ("nobody@example.com", message.subject)
    assert "There is no account with it" in note.body
    assert "/reset-password/" not in note.body and "http://localhost/sign-up" in note.body


def test_the_forgot_password_form_checks_the_email(app: Flask, client: FlaskClient) -> None:
    for email, message in [("", "Enter your email address."), ("x" * 300, "at most 254")]:
        response = post_form(client, "/forgot-password", {"email": email})
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert outbox(app) == []


def test_the_reset_link_works_once(app: Flask, client: FlaskClient, users: Users) -> None:
    users.create("nurse@example.com")
    ask_for_link(client, "nurse@example.com")
    path = reset_path(app)
    form = client.get(path)
    assert form.status_code == 200
    assert form.headers["Referrer-Policy"] == "no-referrer"
    assert "Choose a new password" in form.get_data(as_text=True)

    mismatch = post_form(client, path, {"password": NEW_PASSWORD, "confirm": "other password"})
    assert "The two passwords are not the same." in mismatch.get_data(as_text=True)

    done = choose(client, path)
    assert done.status_code == 302
    assert done.headers["Location"] == "/sign-in"
    assert "Your password is set." in client.get("/sign-in").get_data(as_text=True)
    assert users.sign_in("nurse@example.com", PASSWORD).status_code == 200  # old: refused
    assert users.sign_in("nurse@example.com", NEW_PASSWORD).status_code == 302
    post_form(client, "/sign-out", {})

    again = client.get(path)
    assert again.status_code == 410
    html = again.get_data(as_text=True)
    assert "This link has already been used." in html
    assert 'href="/forgot-password">Ask for a new link</a>' in html
    assert choose(client, path, "a third password!").status_code == 410
    assert users.sign_in("nurse@example.com", NEW_PASSWORD).status_code == 302


def test_a_reset_ends_every_session(app: Flask, client: FlaskClient, users: Users) -> None:
    users.create("nurse@example.com")
    laptop = app.test_client()
    post_form(laptop, "/sign-in", {"email": "nurse@example.com", "password": PASSWORD})
    assert laptop.get("/profile").status_code == 200
    ask_for_link(client, "nurse@example.com")
    choose(client, reset_path(app))
    assert laptop.get("/profile").status_code == 302


def test_an_expired_link_is_refused(
    app: Flask, client: FlaskClient, users: Users, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["LMS_PASSWORD_RESET_MAX_AGE"] = 60
    users.create("nurse@example.com")
    ask_for_link(client, "nurse@example.com")
    path = reset_path(app)
    assert client.get(path).status_code == 200
    later = int(time.time()) + 61
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    response = client.get(path)
    assert response.status_code == 410
    assert "This link has expired." in response.get_data(as_text=True)
    assert choose(client, path).status_code == 410


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: flip(token, token.rindex(".") + 1),  # the signature
        lambda token: flip(token, 2),  # the payload
        lambda token: "not-a-token",
        lambda token: "x" * 5000,
    ],
)
def test_a_tampered_link_is_refused(
    app: Flask, client: FlaskClient, users: Users, tamper: object
) -> None:
    users.create("nurse@example.com")
    ask_for_link(client, "nurse@example.com")
    path = reset_path(app)
    token = path.rsplit("/", 1)[1]
    bad = f"/reset-password/{tamper(token)}"  # type: ignore[operator]
    response = client.get(bad)
    assert response.status_code == 400
    assert "This link is not valid." in response.get_data(as_text=True)
    assert choose(client, bad).status_code == 400
    assert users.sign_in("nurse@example.com", PASSWORD).status_code == 302  # unchanged


def test_a_password_change_kills_an_earlier_reset_link(
    app: Flask, client: FlaskClient, users: Users
) -> None:
    users.create("nurse@example.com")
    ask_for_link(client, "nurse@example.com")
    path = reset_path(app)
    users.sign_in("nurse@example.com")
    post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert client.get(path).status_code == 410
