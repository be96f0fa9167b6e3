"""An admin removes a learner: the profile is pseudonymised and the sign-in deleted, while
the CE record (with a `learner_removed` entry naming the admin and the reason) and the
certificate, as issued, are kept. Refused for oneself, the last admin, and twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session
from lms.models import Account, Certificate, Profile
from tests.ce.conftest import events, finish_course, profile_of
from tests.ce.test_certificates import admin_client
from tests.conftest import PASSWORD, Users, post_form


def remove(admin: FlaskClient, profile_id: int, data: dict[str, str]) -> tuple[int, str]:
    url = f"/admin/users/{profile_id}/remove"
    response = post_form(admin, url, data, token_from=url)
    return response.status_code, response.get_data(as_text=True)


def test_an_admin_removes_a_learner_and_the_ce_record_stays(
    app: Flask, users: Users, learner: FlaskClient, clock: Callable[[float], datetime]
) -> None:
    finish_course(app, learner, clock)
    with app.app_context():
        nora = profile_of("nora@example.com")
        nora_id = nora.id
        before = [(e.id, e.kind) for e in events()]
        certificate = session.scalars(sa.select(Certificate)).one()
        code = certificate.code
    admin = admin_client(app, users)
    people = admin.get("/admin/users").get_data(as_text=True)
    assert f'href="/admin/users/{nora_id}/remove"' in people
    page = admin.get(f"/admin/users/{nora_id}/remove").get_data(as_text=True)
    assert "CE record" in page and "cannot be undone" in page

    status, _ = remove(admin, nora_id, {"reason": "She asked to be removed.", "understood": "y"})
    assert status == 302
    with app.app_context():
        removed = session.get(Profile, nora_id)
        assert removed is not None and removed.forgotten_at is not None
        assert "nora" not in removed.email and removed.display_name != "Nora Nurse"
        assert removed.licence_number is None and removed.user_id is None
        assert session.scalar(sa.select(Account).where(Account.email == "nora@example.com")) is None
        after = events()
        assert [(e.id, e.kind) for e in after[: len(before)]] == before  # untouched
        [entry] = [e for e in after if e.kind == "learner_removed"]
        assert entry.profile_id == nora_id and "She asked to be removed." in entry.note
        admin_id = session.scalar(sa.select(Profile.id).where(Profile.email == "ada@example.com"))
        assert entry.actor_id == admin_id
    # The certificate still verifies, as issued; she can no longer sign in.
    public = app.test_client().get(f"/certificates/{code}").get_data(as_text=True)
    assert "This certificate is valid" in public and "Nora Nurse" in public
    again = app.test_client()
    refused = post_form(again, "/sign-in", {"email": "nora@example.com", "password": PASSWORD})
    assert refused.status_code == 200  # the form again, not a session


def test_removal_needs_a_reason_and_a_confirmation(
    app: Flask, users: Users, learner: FlaskClient
) -> None:
    admin = admin_client(app, users)
    with app.app_context():
        nora_id = profile_of("nora@example.com").id
    status, page = remove(admin, nora_id, {"reason": "", "understood": ""})
    assert status == 400
    assert "Give the reason: it is kept in the CE record." in page
    assert "Tick the box to confirm." in page
    with app.app_context():
        assert profile_of("nora@example.com").forgotten_at is None


def test_an_admin_cannot_remove_themself_or_a_person_twice(
    app: Flask, users: Users, learner: FlaskClient
) -> None:
    admin = admin_client(app, users)
    with app.app_context():
        ada_id = profile_of("ada@example.com").id
        nora_id = profile_of("nora@example.com").id
    confirmed = {"reason": "Test.", "understood": "y"}
    status, page = remove(admin, ada_id, confirmed)
    assert status == 409 and "You cannot remove yourself" in page
    assert remove(admin, nora_id, confirmed)[0] == 302
    status, page = remove(admin, nora_id, confirmed)
    assert status == 409 and "removed already" in page
    assert admin.get("/admin/users/999999/remove").status_code == 404
    # The removed learner's session is gone with her sign-in: to the sign-in page.
    gone = learner.get(f"/admin/users/{nora_id}/remove")
    assert gone.status_code == 302 and "/sign-in" in gone.headers["Location"]
