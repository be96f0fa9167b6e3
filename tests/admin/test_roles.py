"""Admins manage roles in the UI; nobody else can, and the last admin stays an admin."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session
from lms.models import Profile, Role
from tests.conftest import Users, csrf_token, post_form


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


def demote_each_other(clients: list[FlaskClient], ids: list[int]) -> list[int]:
    """Each client demotes the next admin in `ids`, all at once; the status codes."""
    size = len(clients)
    tokens = [csrf_token(client, "/admin/users") for client in clients]
    barrier = threading.Barrier(size)
    statuses = [0] * size

    def demote(n: int) -> None:
        barrier.wait(timeout=30)
        response = clients[n].post(
            f"/admin/users/{ids[(n + 1) % size]}/role",
            data={"csrf_token": tokens[n], "role": "learner"},
        )
        statuses[n] = response.status_code

    threads = [threading.Thread(target=demote, args=(n,)) for n in range(size)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_finding_4_admins_demoting_each_other_at_once_always_leave_an_admin(
    app: Flask, users: Users
) -> None:
    """Two (then three) admins each demote another in parallel requests: on PostgreSQL
    this left no admin every time, as each request counted two admins before either
    change. The admins' rows are now locked before they are counted."""
    emails = ["ada@example.com", "bo@example.com", "cy@example.com"]
    for email in emails:
        users.create(email, role="admin")
    ids = [profile_id(app, email) for email in emails]
    clients = [signed_in(app, users, email) for email in emails]

    for size in (2, 3):
        for _ in range(6):
            with app.app_context():
                for profile in session.scalars(sa.select(Profile).where(Profile.id.in_(ids))):
                    profile.role = Role.ADMIN if profile.id in ids[:size] else Role.LEARNER
                session.commit()
            statuses = demote_each_other(clients[:size], ids[:size])
            with app.app_context():
                admins = session.scalar(
                    sa.select(sa.func.count(Profile.id)).where(Profile.role == Role.ADMIN)
                )
            assert admins is not None and admins >= 1, statuses
            assert statuses.count(302) == size - admins, statuses
            # The others were refused: no longer admins (403 before, 409 once inside).
            assert all(status in (302, 403, 409) for status in statuses), statuses
