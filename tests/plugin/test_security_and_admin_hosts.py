"""The LMS in two real-world hosts: Flask-Security-Too (get_id() rotates with every
password change) and Flask-Admin (next to a host's own admin, profile and auth)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_security import hash_password

from lms.database import session
from lms.models import Attempt, Enrolment, Profile, Role
from tests.plugin.conftest import LEARNING_COURSES, cli, give_grade, join_the_course
from tests.plugin.hosts import (
    RESET_TOKENS,
    AdminHostUser,
    SecurityUser,
    admin_db,
    admin_host,
    security_db,
    security_host,
)

FIRST, SECOND, THIRD = (f"{word} horse battery staple" for word in ("first", "second", "third"))


@pytest.fixture
def fs_host(empty_database_url: str) -> Iterator[Flask]:
    app = security_host(empty_database_url, LMS_COURSES_PATH=str(LEARNING_COURSES))
    cli(app, "lms", "db", "upgrade")
    cli(app, "lms", "courses", "sync")
    with app.app_context():
        datastore = app.extensions["security"].datastore
        datastore.create_user(
            email="ana@example.org", password=hash_password(FIRST), first_name="Ana",
            last_name="Alves",
        )  # fmt: skip
        security_db.session.commit()
    yield app
    with app.app_context():
        security_db.session.remove()
        security_db.engine.dispose()


def fs_sign_in(client: FlaskClient, password: str) -> None:
    response = client.post("/login", data={"email": "ana@example.org", "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


def uniquifier(app: Flask) -> str:
    with app.app_context():
        user = security_db.session.scalar(sa.select(SecurityUser))
        assert user is not None
        return str(user.fs_uniquifier)


def assert_keeps_everything(app: Flask, client: FlaskClient, profile_id: int) -> None:
    page = client.get("/learn/dashboard")
    assert page.status_code == 200  # no trip back to profile set-up
    html = page.get_data(as_text=True)
    assert "Self-paced basics" in html  # the enrolment
    assert ">Teaching<" in html  # the instructor role
    assert "Ana Alves" in html  # first_name and last_name, not the email's local part
    with app.app_context():
        profiles = session.scalars(sa.select(Profile)).all()
        assert [p.id for p in profiles] == [profile_id]  # no second, orphaned profile
        assert profiles[0].role is Role.INSTRUCTOR
        assert session.scalar(sa.select(sa.func.count()).where(Enrolment.profile_id == profile_id))
        attempt = session.scalar(sa.select(Attempt).where(Attempt.profile_id == profile_id))
        assert attempt is not None and attempt.score == 2


def test_a_learner_who_changes_and_resets_their_password_keeps_everything(
    fs_host: Flask,
) -> None:
    client = fs_host.test_client()
    fs_sign_in(client, FIRST)
    join_the_course(client)
    cli(fs_host, "lms", "users", "set-role", "ana@example.org", "instructor")
    with fs_host.app_context():
        profile = session.scalar(sa.select(Profile))
        assert profile is not None
        profile_id = profile.id
    give_grade(fs_host, profile_id)
    assert_keeps_everything(fs_host, client, profile_id)

    before = uniquifier(fs_host)
    changed = client.post(
        "/change",
        data={"password": FIRST, "new_password": SECOND, "new_password_confirm": SECOND},
    )
    assert changed.status_code == 302, changed.get_data(as_text=True)
    assert uniquifier(fs_host) != before  # get_id() changed: the old key would be lost
    client = fs_host.test_client()
    fs_sign_in(client, SECOND)
    assert_keeps_everything(fs_host, client, profile_id)

    before = uniquifier(fs_host)
    anonymous = fs_host.test_client()
    assert anonymous.post("/reset", data={"email": "ana@example.org"}).status_code < 400
    token = RESET_TOKENS.pop("ana@example.org")  # the link Flask-Security would mail
    reset = anonymous.post(f"/reset/{token}", data={"password": THIRD, "password_confirm": THIRD})
    assert reset.status_code == 302, reset.get_data(as_text=True)
    assert uniquifier(fs_host) != before
    client = fs_host.test_client()
    fs_sign_in(client, THIRD)
    assert_keeps_everything(fs_host, client, profile_id)


def test_the_lms_header_signs_out_of_flask_security_with_a_post(fs_host: Flask) -> None:
    client = fs_host.test_client()
    fs_sign_in(client, FIRST)
    join_the_course(client)
    html = client.get("/learn/dashboard").get_data(as_text=True)
    # Flask-Security signs out by POST only (SECURITY_LOGOUT_METHODS): a form, not a link.
    assert '<form method="post" action="/logout" class="lms-inline-form">' in html
    assert client.post("/logout").status_code == 302
    assert client.get("/learn/dashboard").headers["Location"].startswith("/login")


def test_rekey_moves_profiles_keyed_by_get_id_to_the_primary_key(fs_host: Flask) -> None:
    """Before 0.2 the profile was keyed by get_id() (fs_uniquifier): once past a password
    change, the learner had their old profile (with history) and a new, empty one."""
    with fs_host.app_context():
        user = security_db.session.scalar(sa.select(SecurityUser))
        assert user is not None
        old = Profile(user_id="old-uniquifier", email=user.email, display_name="Ana")
        session.add(old)
        session.flush()
        newer = Profile(user_id=user.fs_uniquifier, email=user.email, display_name="Ana")
        session.add(newer)
        session.commit()
        old_id, newer_id, user_id = old.id, newer.id, user.id

    output = cli(fs_host, "lms", "users", "rekey")
    assert f"profile {old_id} (ana@example.org): old-uniquifier -> {user_id}" in output
    assert f"profile(s) {newer_id} also belong to ana@example.org" in output
    assert "1 profile(s) re-keyed" in output
    with fs_host.app_context():
        kept = session.get(Profile, old_id)
        assert kept is not None and kept.user_id == str(user_id) and kept.user_marker
    client = fs_host.test_client()
    fs_sign_in(client, FIRST)
    client.get("/learn/")
    with fs_host.app_context():
        assert session.scalar(sa.select(Profile.id).where(Profile.user_id == str(user_id))) == (
            old_id
        )
    assert "0 profile(s) re-keyed" in cli(fs_host, "lms", "users", "rekey")  # once is enough


@pytest.fixture
def fa_host(empty_database_url: str) -> Iterator[Flask]:
    app = admin_host(empty_database_url, LMS_COURSES_PATH=str(LEARNING_COURSES))
    cli(app, "lms", "db", "upgrade")
    cli(app, "lms", "courses", "sync")
    with app.app_context():
        admin_db.session.add(AdminHostUser(email="ana@example.org", first_name="Ana"))
        admin_db.session.commit()
    yield app
    with app.app_context():
        admin_db.session.remove()
        admin_db.engine.dispose()


def test_the_lms_mounts_next_to_flask_admin_and_the_hosts_own_blueprints(fa_host: Flask) -> None:
    assert {"admin", "profile", "auth", "lms"} <= set(fa_host.blueprints)
    assert "lms" in fa_host.extensions and "admin" in fa_host.extensions
    client = fa_host.test_client()
    assert client.get("/auth/login/1").get_data(as_text=True) == "signed in"
    assert "Host admin" in client.get("/admin/").get_data(as_text=True)  # Flask-Admin's
    assert "ana@example.org" in client.get("/admin/adminhostuser/").get_data(as_text=True)
    assert client.get("/profile/").get_data(as_text=True) == "the host's profile page"

    join_the_course(client)
    cli(fa_host, "lms", "users", "set-role", "ana@example.org", "admin")
    lms_admin = client.get("/learn/admin/users")  # the LMS's admin pages, under /learn
    assert lms_admin.status_code == 200
    assert "ana@example.org" in lms_admin.get_data(as_text=True)
    with fa_host.app_context():
        profile = session.scalar(sa.select(Profile))
        assert profile is not None
        assert (profile.user_id, profile.display_name) == ("1", "Ana")
    # Every LMS endpoint sits under the LMS's name; the host's keep theirs.
    assert fa_host.view_functions["admin.index"].__module__.startswith("flask_admin")
    assert all(
        rule.endpoint.startswith(("lms.", "admin", "profile.", "auth.", "static"))
        for rule in fa_host.url_map.iter_rules()
    )
