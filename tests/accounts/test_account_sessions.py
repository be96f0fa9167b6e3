"""Sessions: sign in and out, a copied cookie dies with sign-out, password changes."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.accounts.conftest import copy_session
from tests.conftest import PASSWORD, Users, post_form

NEW_PASSWORD = "a brand new password"


def is_signed_in(client: FlaskClient) -> bool:
    return client.get("/profile").status_code == 200


def test_sign_in_and_sign_out(client: FlaskClient, users: Users) -> None:
    users.create("nurse@example.com", name="Nadia Nurse")
    assert users.sign_in("nurse@example.com").headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Nadia Nurse" in home
    assert 'href="/profile" title="Your profile"' in home
    post_form(client, "/sign-out", {})
    home = client.get("/").get_data(as_text=True)
    assert "You are signed out." in home
    assert 'href="/sign-up">Sign up</a>' in home
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def test_a_cookie_copied_before_sign_out_is_refused_after_it(
    app: Flask, client: FlaskClient, users: Users
) -> None:
    users.create("nurse@example.com")
    users.sign_in("nurse@example.com")
    thief = app.test_client()
    copy_session(client, thief)
    assert is_signed_in(thief)  # the copy works while the session lasts

    post_form(client, "/sign-out", {})
    assert not is_signed_in(client)
    assert not is_signed_in(thief)
    assert "Sign in" in thief.get("/").get_data(as_text=True)


def test_signing_in_again_starts_a_new_session(
    app: Flask, client: FlaskClient, users: Users
) -> None:
    users.create("nurse@example.com")
    users.sign_in("nurse@example.com")
    post_form(client, "/sign-out", {})
    old = app.test_client()
    copy_session(client, old)
    users.sign_in("nurse@example.com")
    assert is_signed_in(client)
    assert not is_signed_in(old)  # the signed-out session does not come back to life


def test_changing_the_password_ends_other_sessions_and_keeps_this_one(
    app: Flask, client: FlaskClient, users: Users
) -> None:
    users.create("nurse@example.com")
    users.sign_in("nurse@example.com")
    phone = app.test_client()
    post_form(phone, "/sign-in", {"email": "nurse@example.com", "password": PASSWORD})
    assert is_signed_in(phone)

    response = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/profile"
    page = client.get("/profile").get_data(as_text=True)
    assert "Your password is changed." in page
    assert is_signed_in(client)
    assert not is_signed_in(phone)

    post_form(client, "/sign-out", {})
    assert users.sign_in("nurse@example.com", PASSWORD).status_code == 200  # old: refused
    assert users.sign_in("nurse@example.com", NEW_PASSWORD).status_code == 302


def test_change_password_checks_the_current_one_and_the_new_one(
    client: FlaskClient, users: Users
) -> None:
    users.create("nurse@example.com")
    users.sign_in("nurse@example.com")
    page = client.get("/profile").get_data(as_text=True)
    assert 'href="/account/password">Change your password</a>' in page

    wrong = post_form(
        client,
        "/account/password",
        {"current_password": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert "This is not your current password." in wrong.get_data(as_text=True)
    mismatch = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": "something else"},
    )
    assert "The two passwords are not the same." in mismatch.get_data(as_text=True)
    assert is_signed_in(client)
    post_form(client, "/sign-out", {})
    assert users.sign_in("nurse@example.com", PASSWORD).status_code == 302  # unchanged


def test_change_password_needs_a_signed_in_user(client: FlaskClient) -> None:
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")
    assert client.post("/account/password").status_code == 400  # and a CSRF token


def test_sign_in_with_a_malformed_email_gets_a_message(client: FlaskClient) -> None:
    response = post_form(client, "/sign-in", {"email": "x" * 300, "password": ""})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Enter your password." in html
    assert 'role="alert"' in html
