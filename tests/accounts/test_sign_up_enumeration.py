"""Finding 7 (low): sign-up told who has an account, and was not throttled.

"An account with this email already exists" answered anyone who typed an address. Now
sign-up answers "check your email" whatever the address, mails its owner (a link that
makes the account, or a note that one exists), and is throttled per address asked for
and per network address.
"""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session
from lms.models import Account, PendingSignUp
from tests.accounts.conftest import outbox
from tests.conftest import PASSWORD, Users, confirm_link, csrf_token, post_form, sign_up

FORM = {
    "name": "Nadia Nurse",
    "email": "nadia@example.com",
    "password": "a long enough password",
    "confirm": "a long enough password",
    "profession": "nurse",
    "licence_type": "",
    "licence_number": "",
}


def accounts(app: Flask) -> list[str]:
    with app.app_context():
        return list(session.scalars(sa.select(Account.email).order_by(Account.id)))


def comparable(html: str, email: str) -> str:
    html = re.sub(r'(name="csrf_token" [^>]*value|name="csrf-token" content)="[^"]+"', "", html)
    return html.replace(email, "EMAIL")


def ask(client: FlaskClient, data: dict[str, str], address: str = "127.0.0.1") -> object:
    return client.post(
        "/sign-up",
        data={"csrf_token": csrf_token(client), **data},
        environ_base={"REMOTE_ADDR": address},
    )


def test_finding_7_sign_up_answers_the_same_whether_or_not_the_email_has_an_account(
    app: Flask, users: Users
) -> None:
    users.create("nadia@example.com", name="Nadia Nurse")
    known = post_form(app.test_client(), "/sign-up", FORM)
    unknown = post_form(app.test_client(), "/sign-up", FORM | {"email": "new@example.com"})
    assert known.status_code == unknown.status_code == 200
    page = known.get_data(as_text=True)
    assert "Check your email" in page and "already exists" not in page
    assert comparable(page, "nadia@example.com") == comparable(
        unknown.get_data(as_text=True), "new@example.com"
    )

    exists, confirm = outbox(app)  # one mail each, to the address's owner only
    assert exists.to_address == "nadia@example.com"
    assert exists.subject.startswith("You already have an account")
    assert "http://localhost/sign-in" in exists.body
    assert "http://localhost/forgot-password" in exists.body
    assert confirm.to_address == "new@example.com"
    assert "http://localhost/sign-up/confirm/" in confirm.body
    # Nothing changed for the existing account, and no account exists until confirmed.
    assert accounts(app) == ["nadia@example.com"]
    assert users.sign_in("nadia@example.com", PASSWORD).status_code == 302


def test_finding_7_the_mailed_link_makes_the_account_once(app: Flask, client: FlaskClient) -> None:
    post_form(client, "/sign-up", FORM)
    link = confirm_link(app, "nadia@example.com")
    page = client.get(link)  # opening the link (or a mail scanner) creates nothing
    assert page.status_code == 200
    assert "Create my account" in page.get_data(as_text=True)
    assert accounts(app) == []

    done = post_form(client, link, {}, token_from=link)
    assert done.status_code == 302
    assert "Welcome, Nadia Nurse. Your account is ready." in client.get("/").get_data(as_text=True)
    assert accounts(app) == ["nadia@example.com"]
    again = app.test_client().get(link)
    assert again.status_code == 400
    assert "This link cannot be used" in again.get_data(as_text=True)
    assert app.test_client().get("/sign-up/confirm/made-up-token").status_code == 400


def test_finding_7_a_sign_up_in_someone_elses_name_cannot_take_their_address(
    app: Flask,
) -> None:
    """Whoever signs up first with an address they do not own gets no account; the
    owner's own sign-up, confirmed from their mailbox, does (with their password)."""
    squatter = app.test_client()
    theirs = {"password": "squatter owns this", "confirm": "squatter owns this"}
    assert post_form(squatter, "/sign-up", FORM | theirs).status_code == 200
    squatters_link = confirm_link(app, "nadia@example.com")
    owner = app.test_client()
    assert sign_up(app, owner, FORM).status_code == 302
    # The squatter's link (if they ever saw it) is spent with the address.
    assert app.test_client().get(squatters_link).status_code == 400
    signed_in = post_form(
        app.test_client(), "/sign-in", {"email": "nadia@example.com", "password": FORM["password"]}
    )
    assert signed_in.status_code == 302


def test_finding_7_an_expired_link_is_gone(app: Flask, client: FlaskClient) -> None:
    post_form(client, "/sign-up", FORM)
    link = confirm_link(app, "nadia@example.com")
    with app.app_context():
        pending = session.scalars(sa.select(PendingSignUp)).one()
        pending.created_at -= timedelta(days=2)
        session.commit()
    response = client.get(link)
    assert response.status_code == 410
    assert "This link has expired." in response.get_data(as_text=True)
    assert post_form(client, link, {}, token_from="/").status_code == 410
    assert accounts(app) == []


def test_finding_7_sign_up_is_throttled_per_email_and_per_network_address(app: Flask) -> None:
    client = app.test_client()
    # One address asked for from many places: five mails an hour, then a 429.
    statuses = [ask(client, FORM, f"10.0.0.{n}").status_code for n in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    refused = ask(client, FORM, "10.0.1.1")
    assert "Too many sign-ups" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert len(outbox(app)) == 5

    # Many addresses from one place: twenty an hour, then a 429 (elsewhere still fine).
    statuses = [
        ask(client, FORM | {"email": f"person{n}@example.com"}, "10.0.2.2").status_code
        for n in range(22)
    ]
    assert statuses == [200] * 20 + [429] * 2
    assert ask(client, FORM | {"email": "late@example.com"}, "10.0.3.3").status_code == 200
    # A form with mistakes is not counted: it sends nothing.
    for _ in range(8):
        assert ask(client, FORM | {"email": "typo@", "confirm": "x"}, "10.0.4.4").status_code == 200
    assert ask(client, FORM | {"email": "typo@example.com"}, "10.0.4.4").status_code == 200
