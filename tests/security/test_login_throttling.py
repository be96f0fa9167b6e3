"""Sign-in throttling per account and per address, holding under parallel attempts.

Regression test for Moodle CVE-2022-30600 (lockout bypass by parallel logins).
"""

from __future__ import annotations

import re
import threading

from flask import Flask
from flask.testing import FlaskClient

from lms.accounts.throttle import TOO_MANY
from tests.conftest import PASSWORD, Users, csrf_token


def attempt(client: FlaskClient, token: str, email: str, password: str, address: str) -> int:
    response = client.post(
        "/sign-in",
        data={"csrf_token": token, "email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code


def test_cve_2022_30600_parallel_guesses_cannot_bypass_the_account_limit(
    app: Flask, users: Users
) -> None:
    users.create("ana@example.com")
    clients = [app.test_client() for _ in range(25)]
    tokens = [csrf_token(c) for c in clients]
    statuses: list[int] = []
    barrier = threading.Barrier(len(clients))

    def guess(n: int) -> None:
        barrier.wait()
        # Different addresses, so only the per-account limit can stop them.
        status = attempt(clients[n], tokens[n], "ana@example.com", f"guess {n}", f"10.0.0.{n}")
        statuses.append(status)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(429) == 15
    assert statuses.count(200) == 10  # the form again, "not right"

    # The account stays throttled, even for the right password, from anywhere.
    client = app.test_client()
    response = client.post(
        "/sign-in",
        data={"csrf_token": csrf_token(client), "email": "ana@example.com", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert response.status_code == 429
    assert TOO_MANY in response.get_data(as_text=True)
    assert "Retry-After" in response.headers


def test_one_address_cannot_spray_many_accounts(app: Flask, client: FlaskClient) -> None:
    token = csrf_token(client)
    statuses = [
        attempt(client, token, f"user{n}@example.com", "password123", "10.1.1.1") for n in range(32)
    ]
    assert statuses[:30] == [200] * 30
    assert statuses[30:] == [429, 429]
    # Another address is not affected.
    assert attempt(client, token, "user0@example.com", "password123", "10.1.1.2") == 200


def test_unknown_and_known_emails_get_the_same_answer(app: Flask, users: Users) -> None:
    users.create("ana@example.com")
    client = app.test_client()
    token = csrf_token(client)
    known = client.post(
        "/sign-in", data={"csrf_token": token, "email": "ana@example.com", "password": "nope nope"}
    ).get_data(as_text=True)
    unknown = client.post(
        "/sign-in", data={"csrf_token": token, "email": "bob@example.com", "password": "nope nope"}
    ).get_data(as_text=True)
    assert "The email or password is not right." in known

    def comparable(html: str, email: str) -> str:
        # CSRF tokens are signed with a timestamp, so they differ across a second boundary.
        html = re.sub(r'(name="csrf_token" [^>]*value|name="csrf-token" content)="[^"]+"', "", html)
        return html.replace(email, "X")

    assert comparable(known, "ana@example.com") == comparable(unknown, "bob@example.com")


def test_passwords_are_hashed_with_a_modern_algorithm(app: Flask, users: Users) -> None:
    from lms.database import session
    from lms.models import Account

    users.create("ana@example.com")
    with app.app_context():
        account = session.query(Account).one()
        assert account.password_hash.startswith(("scrypt:", "pbkdf2:sha256:"))
        assert PASSWORD not in account.password_hash


def test_reset_requests_have_their_own_budget_and_cannot_lock_anyone_out(
    app: Flask, users: Users
) -> None:
    """Also noticed in issue 17: forgot-password requests counted against the per-account
    sign-in limit, so anyone could lock a person out for 15 minutes by asking for reset
    links in their name. Reset requests now have a budget of their own."""
    users.create("ana@example.com")
    client = app.test_client()
    token = csrf_token(client)
    statuses = [
        client.post(
            "/forgot-password",
            data={"csrf_token": token, "email": "ana@example.com"},
            environ_base={"REMOTE_ADDR": f"10.2.0.{n}"},
        ).status_code
        for n in range(12)
    ]
    assert statuses == [200] * 5 + [429] * 7  # reset links: five per quarter hour
    # Ana still signs in, from anywhere.
    assert attempt(client, token, "ana@example.com", PASSWORD, "10.2.1.1") == 302


def test_the_change_password_page_cannot_be_used_to_guess_the_password(
    app: Flask, users: Users
) -> None:
    """Same class as the findings of issue 17 (an unthrottled guessable input): whoever
    holds a signed-in session could try current passwords on the change-password page
    without limit. It now allows ten tries per account per quarter hour."""
    users.create("ana@example.com")
    client = users.client
    assert users.sign_in("ana@example.com").status_code == 302
    token = csrf_token(client, "/account/password")
    new = "a brand new passphrase"

    def change(current: str) -> int:
        data = {"csrf_token": token, "current_password": current, "password": new, "confirm": new}
        return client.post("/account/password", data=data).status_code

    assert [change(f"guess number {n}") for n in range(10)] == [200] * 10
    assert change(PASSWORD) == 429  # even the right one, until the window passes
