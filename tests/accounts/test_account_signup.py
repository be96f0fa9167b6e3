"""Sign up: a new learner asks for an account with their profession, confirms it from the
mailed link and is signed in."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session
from lms.models import Account, Profession, Profile
from tests.conftest import post_form, sign_up

GOOD = {
    "name": "Nadia Nurse",
    "email": "Nadia@Example.com ",
    "password": "a long enough password",
    "confirm": "a long enough password",
    "profession": "nurse",
    "licence_type": "RN",
    "licence_number": "98765",
}


def account_count(app: Flask) -> int:
    with app.app_context():
        return session.scalar(sa.select(sa.func.count()).select_from(Account)) or 0


def test_sign_up_creates_the_account_and_signs_in(app: Flask, client: FlaskClient) -> None:
    page = client.get("/sign-up").get_data(as_text=True)
    assert '<label for="profession">Profession</label>' in page
    assert 'autocomplete="new-password"' in page

    response = sign_up(app, client, GOOD, "/sign-up?next=/profile")
    assert response.status_code == 302
    assert response.headers["Location"] == "/profile"

    profile_page = client.get("/profile").get_data(as_text=True)
    assert "Welcome, Nadia Nurse. Your account is ready." in profile_page
    assert '<option selected value="nurse">Nurse</option>' in profile_page
    with app.app_context():
        profile = session.scalar(sa.select(Profile).where(Profile.email == "nadia@example.com"))
        assert profile is not None
        assert (profile.display_name, profile.profession) == ("Nadia Nurse", Profession.NURSE)
        assert (profile.licence_type, profile.licence_number) == ("RN", "98765")

    post_form(client, "/sign-out", {})
    signed_in = post_form(
        client, "/sign-in", {"email": "nadia@example.com", "password": GOOD["password"]}
    )
    assert signed_in.status_code == 302


def test_sign_up_goes_to_the_catalogue_and_never_off_site(app: Flask, client: FlaskClient) -> None:
    response = sign_up(app, client, GOOD, "/sign-up?next=https://evil.example/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Nadia Nurse" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"password": "short", "confirm": "short"}, "password", "Use 15 to 200 characters."),
        ({"password": "x" * 201, "confirm": "x" * 201}, "password", "Use 15 to 200 characters."),
        ({"confirm": "another long password"}, "confirm", "The two passwords are not the same."),
        ({"password": "", "confirm": ""}, "password", "Choose a password."),
    ],
)
def test_a_bad_password_is_refused_with_a_message(
    app: Flask, client: FlaskClient, change: dict[str, str], field: str, message: str
) -> None:
    response = post_form(client, "/sign-up", GOOD | change)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<p class="lms-error" id="{field}-error">{message}</p>' in html
    assert f'aria-describedby="{field}-error"' in html or f"{field}-hint {field}-error" in html
    assert account_count(app) == 0


@pytest.mark.parametrize(
    ("profession", "message"),
    [("", "Choose your profession."), ("astronaut", "Choose your profession from the list.")],
)
def test_a_profession_is_required(
    app: Flask, client: FlaskClient, profession: str, message: str
) -> None:
    response = post_form(client, "/sign-up", GOOD | {"profession": profession})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert '<a href="#profession">Profession: ' in html  # the error summary links to it
    assert account_count(app) == 0


def test_licence_type_and_number_go_together(app: Flask, client: FlaskClient) -> None:
    response = post_form(client, "/sign-up", GOOD | {"licence_type": ""})
    assert "Add the licence type too, or leave both empty." in response.get_data(as_text=True)
    assert account_count(app) == 0
    no_licence = GOOD | {"licence_type": "", "licence_number": ""}
    assert sign_up(app, client, no_licence).status_code == 302
    with app.app_context():
        profile = session.scalar(sa.select(Profile))
        assert profile is not None
        assert (profile.licence_type, profile.licence_number) == (None, None)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "N" * 121, "Use at most 120 characters."),
        ("email", "n" * 250 + "@example.com", "Use at most 254 characters."),
        ("email", "not an email", "Enter an email address like name@example.com."),
        ("licence_type", "R" * 81, "Use at most 80 characters."),
        ("licence_number", "9" * 81, "Use at most 80 characters."),
        ("name", "   ", "Enter your name."),
    ],
)
def test_oversized_and_malformed_fields_get_messages(
    app: Flask, client: FlaskClient, field: str, value: str, message: str
) -> None:
    response = post_form(client, "/sign-up", GOOD | {field: value})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert account_count(app) == 0


def test_missing_fields_and_a_huge_body_are_refused_without_error(
    app: Flask, client: FlaskClient
) -> None:
    response = post_form(client, "/sign-up", {})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for message in ("Enter your name.", "Enter your email address.", "Choose a password."):
        assert message in html
    huge = post_form(client, "/sign-up", GOOD | {"name": "x" * (3 * 1024 * 1024)})
    assert huge.status_code == 413
    assert account_count(app) == 0
