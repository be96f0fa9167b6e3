"""The profile page (both modes) and the first visit of a host app's user."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session
from lms.models import Account, Profession, Profile
from tests.accounts.conftest import Host, post_page_form
from tests.conftest import Users, post_form

SAVE = {
    "display_name": "Nadia R. Nurse",
    "profession": "physician",
    "licence_type": "MD",
    "licence_number": "A-123",
    "timezone": "America/New_York",
}


def stored_profile(app: Flask, user_id: str) -> Profile:
    with app.app_context():
        profile = session.scalar(sa.select(Profile).where(Profile.user_id == user_id))
        assert profile is not None
        session.expunge(profile)
        return profile


def test_the_profile_page_saves(app: Flask, client: FlaskClient, users: Users) -> None:
    account_id = users.create("nurse@example.com", name="Nadia Nurse")
    users.sign_in("nurse@example.com")
    page = client.get("/profile").get_data(as_text=True)
    assert 'value="Nadia Nurse"' in page
    assert "nurse@example.com" in page
    assert '<option selected value="UTC">UTC</option>' in page
    zones = page[page.index('id="timezone"') :]
    assert zones.index('value="Africa/Abidjan"') < zones.index('value="Europe/Paris"')

    response = post_form(client, "/profile", SAVE)
    assert response.status_code == 302
    assert response.headers["Location"] == "/profile"
    page = client.get("/profile").get_data(as_text=True)
    assert "Your profile is saved." in page
    assert 'title="Your profile">Nadia R. Nurse</a>' in page
    assert '<option selected value="America/New_York">America/New York</option>' in page
    profile = stored_profile(app, str(account_id))
    assert profile.profession is Profession.PHYSICIAN
    assert (profile.licence_type, profile.licence_number) == ("MD", "A-123")
    assert profile.timezone == "America/New_York"
    with app.app_context():
        account = session.get(Account, account_id)
        assert account is not None and account.name == "Nadia R. Nurse"


def test_a_bad_profile_is_not_saved_at_all(app: Flask, client: FlaskClient, users: Users) -> None:
    account_id = users.create("nurse@example.com", name="Nadia Nurse")
    users.sign_in("nurse@example.com")
    for change, message in [
        ({"timezone": "Mars/Olympus_Mons"}, "Choose your time zone from the list."),
        ({"profession": "wizard"}, "Choose your profession from the list."),
        ({"licence_type": ""}, "Add the licence type too, or leave both empty."),
        ({"display_name": "N" * 121}, "Use at most 120 characters."),
        ({"display_name": ""}, "Enter your name."),
    ]:
        response = post_form(client, "/profile", SAVE | change)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert message in html
        assert 'role="alert"' in html
    profile = stored_profile(app, str(account_id))
    assert (profile.display_name, profile.profession, profile.timezone) == (
        "Nadia Nurse",
        None,
        "UTC",
    )


def test_the_profile_needs_a_signed_in_user(client: FlaskClient) -> None:
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=%2Fprofile"
    assert client.post("/profile", data={"profession": "nurse"}).status_code == 400  # no CSRF


def test_standalone_accounts_are_not_sent_to_profile_completion(
    client: FlaskClient, users: Users
) -> None:
    users.create("admin@example.com", role="admin")  # made by the CLI: no profession
    users.sign_in("admin@example.com")
    assert client.get("/").status_code == 200
    assert client.get("/admin/outbox").status_code == 200


def test_a_host_user_completes_the_profile_on_first_visit(host: Host) -> None:
    user_id = host.add_user("ana@example.com", "ana")
    assert host.client.get("/learn/").status_code == 200  # anonymous: nothing to ask
    host.sign_in(user_id)

    first = host.client.get("/learn/dashboard?tab=all")
    assert first.status_code == 302
    assert first.headers["Location"] == "/learn/profile/complete?next=/learn/dashboard?tab%3Dall"
    assert host.client.get("/").get_data(as_text=True) == "host home"  # host routes untouched

    page = host.client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Welcome, ana" in page
    assert 'id="profession"' in page and 'id="licence_type"' in page
    assert 'id="display_name"' not in page and "Sign up" not in page

    missing = post_page_form(host.client, "/learn/profile/complete", {"profession": ""})
    assert "Choose your profession." in missing.get_data(as_text=True)
    done = post_page_form(
        host.client,
        "/learn/profile/complete?next=/learn/dashboard?tab%3Dall",
        {"profession": "guide", "licence_type": "", "licence_number": ""},
    )
    assert done.status_code == 302
    assert done.headers["Location"] == "/learn/dashboard?tab=all"
    assert host.client.get("/learn/").status_code == 200
    profile = stored_profile(host.app, str(user_id))
    assert profile.profession is Profession.GUIDE
    assert (profile.email, profile.display_name) == ("ana@example.com", "ana")


def test_profile_completion_returns_only_to_this_site(host: Host) -> None:
    host.sign_in(host.add_user("ana@example.com", "ana"))
    response = post_page_form(
        host.client,
        "/learn/profile/complete?next=https://evil.example/",
        {"profession": "coach"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/learn/"


def test_a_host_user_profile_shows_name_and_email_read_only(host: Host) -> None:
    user_id = host.add_user("ana@example.com", "ana")
    host.sign_in(user_id)
    post_page_form(host.client, "/learn/profile/complete", {"profession": "coach"})
    page = host.client.get("/learn/profile").get_data(as_text=True)
    assert "<dd>ana</dd>" in page and "<dd>ana@example.com</dd>" in page
    assert 'id="display_name"' not in page
    assert "Change your password" not in page

    save = {k: v for k, v in SAVE.items() if k != "display_name"}
    response = post_page_form(host.client, "/learn/profile", save | {"display_name": "Hacker"})
    assert response.status_code == 302
    profile = stored_profile(host.app, str(user_id))
    assert profile.display_name == "ana"  # the host owns the name
    assert profile.profession is Profession.PHYSICIAN
    assert profile.timezone == "America/New_York"
