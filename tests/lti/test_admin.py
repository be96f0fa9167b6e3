"""The admin's LTI page: what to give a platform, the registered platforms, registering."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session
from lms.models import LtiDeployment, LtiPlatform
from tests.conftest import Users, post_form

GOOD = {
    "name": "Clinic Moodle",
    "issuer": "https://moodle.example.org",
    "client_id": "abc123",
    "auth_login_url": "https://moodle.example.org/mod/lti/auth.php",
    "auth_token_url": "https://moodle.example.org/mod/lti/token.php",
    "keyset_url": "https://moodle.example.org/mod/lti/certs.php",
    "deployment_ids": "1\n2",
    "auth_audience": "",
}


def test_admin_registers_a_platform(app: Flask, client: FlaskClient, users: Users) -> None:
    users.create("ada@example.com", role="admin")
    users.sign_in("ada@example.com")
    page = client.get("/admin/lti")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "/lti/login" in text and "/lti/launch" in text and "/.well-known/jwks.json" in text
    assert "LTI platforms" in client.get("/admin").get_data(as_text=True)

    response = post_form(client, "/admin/lti", GOOD)
    assert response.status_code == 302
    response = post_form(client, "/admin/lti", GOOD | {"deployment_ids": "2, 3"})
    assert response.status_code == 302
    with app.app_context():
        platform = session.scalars(sa.select(LtiPlatform)).one()
        assert (platform.name, platform.client_id) == ("Clinic Moodle", "abc123")
        ids = session.scalars(sa.select(LtiDeployment.deployment_id).order_by(LtiDeployment.id))
        assert ids.all() == ["1", "2", "3"]
    assert "Clinic Moodle" in client.get("/admin/lti").get_data(as_text=True)
    # The key set has a key for the platform to fetch.
    assert len(client.get("/.well-known/jwks.json").get_json()["keys"]) == 1


def test_bad_registrations_are_refused(app: Flask, client: FlaskClient, users: Users) -> None:
    users.create("ada@example.com", role="admin")
    users.sign_in("ada@example.com")
    for changes, message in [
        ({"issuer": "moodle.example.org"}, "Enter an address starting with https://."),
        ({"keyset_url": "javascript:alert(1)"}, "Enter an address starting with https://."),
        ({"deployment_ids": " \n "}, "Enter at least one deployment ID."),
        ({"deployment_ids": ", ,"}, "Give at least one deployment id."),
        ({"name": ""}, "Enter a name for the platform."),
        ({"client_id": "x" * 300}, "Field cannot be longer than 255 characters."),
    ]:
        response = post_form(client, "/admin/lti", GOOD | changes)
        assert response.status_code == 400, changes
        assert message in response.get_data(as_text=True), changes
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count()).select_from(LtiPlatform)) == 0


def test_only_admins(client: FlaskClient, users: Users) -> None:
    assert client.get("/admin/lti").status_code == 302  # to sign in
    users.create("iris@example.com", role="instructor")
    users.sign_in("iris@example.com")
    assert client.get("/admin/lti").status_code == 403
    assert post_form(client, "/admin/lti", GOOD).status_code == 403
