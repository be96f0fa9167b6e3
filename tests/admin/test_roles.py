"""Admins manage roles in the UI; nobody else can, and the last admin stays an admin."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session
from lms.models import Profile, Role
from tests.conftest import Users, post_form


def profile_id(app: Flask, email: str) -> int:
    with app.app_context():
        found = session.scalar(sa.select(Profile.id).where(Profile.email == email))
        assert found is not None
        return found


def role_of(app: Flask, email: str) -> Role:
    with app.app_context():
        role = session.scalar(sa.select(Profile.role).where(Profile.email == email))
        assert role is not None
        return role


def signed_in(app: Flask, users: Users, email: str) -> FlaskClient:
    users.client = app.test_client()
    users.sign_in(email)
    return users.client


def test_admin_finds_people_and_changes_a_role(app: Flask, users: Users) -> None:
    users.create("admin@example.com", role="admin")
    users.create("iris@example.com", name="Iris Instructor")
    users.create("nadia@example.com", name="Nadia Nurse")
    admin = signed_in(app, users, "admin@example.com")

    page = admin.get("/admin/users?q=iris").get_data(as_text=True)
    assert "Iris Instructor" in page and "Nadia Nurse" not in page
    target = profile_id(app, "iris@example.com")
    response = post_form(admin, f"/admin/users/{target}/role", {"role": "instructor"})
    assert response.status_code == 302
    assert role_of(app, "iris@example.com") is Role.INSTRUCTOR
    assert "Iris Instructor is now instructor." in admin.get("/admin/users").get_data(as_text=True)

    assert post_form(admin, f"/admin/users/{target}/role", {"role": "owner"}).status_code == 400
    assert post_form(admin, "/admin/users/99999999999/role", {"role": "admin"}).status_code == 404


def test_the_last_admin_cannot_demote_themselves(app: Flask, users: Users) -> None:
    users.create("admin@example.com", role="admin")
    admin = signed_in(app, users, "admin@example.com")
    me = profile_id(app, "admin@example.com")
    response = post_form(admin, f"/admin/users/{me}/role", {"role": "learner"})
    assert response.status_code == 409
    assert "only admin" in response.get_data(as_text=True)
    assert role_of(app, "admin@example.com") is Role.ADMIN


def test_cve_2020_14321_instructors_cannot_promote_anyone(app: Flask, users: Users) -> None:
    users.create("iris@example.com", role="instructor")
    users.create("nadia@example.com")
    instructor = signed_in(app, users, "iris@example.com")
    for email in ("iris@example.com", "nadia@example.com"):
        target = profile_id(app, email)
        response = post_form(instructor, f"/admin/users/{target}/role", {"role": "admin"})
        assert response.status_code == 403
    assert instructor.get("/admin/users").status_code == 403
    assert role_of(app, "iris@example.com") is Role.INSTRUCTOR
    assert role_of(app, "nadia@example.com") is Role.LEARNER


def test_staff_dashboard_shows_what_waits(app: Flask, users: Users, client: FlaskClient) -> None:
    users.create("iris@example.com", role="instructor")
    instructor = signed_in(app, users, "iris@example.com")
    page = instructor.get("/dashboard").get_data(as_text=True)
    assert "Teaching" in page and "Nothing is waiting for grading." in page
    assert 'href="/teach/grading"' in page
