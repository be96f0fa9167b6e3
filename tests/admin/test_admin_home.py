"""The admin home lists every admin page, so none is found only by its address."""

from __future__ import annotations

import re

from flask import Flask

from tests.conftest import Users


def test_the_admin_home_lists_every_admin_page(app: Flask, users: Users) -> None:
    users.create("ada@example.com", "admin")
    users.sign_in("ada@example.com")
    header = users.client.get("/dashboard").get_data(as_text=True)
    assert '<a href="/admin">Admin</a>' in header
    page = users.client.get("/admin").get_data(as_text=True)
    found = re.findall(r'<h2 class="lms-small-heading"><a href="([^"]+)">([^<]+)</a></h2>', page)
    assert found == [
        ("/admin/users", "People and roles"),
        ("/teach/cohorts", "Teaching"),
        ("/teach/cohorts/new", "Create a cohort"),
        ("/teach/grading", "Grading"),
        ("/admin/lti", "LTI platforms"),
        ("/admin/outbox", "Mail outbox"),
        ("/admin/jobs", "Background jobs"),
    ]


def test_only_admins_see_the_admin_home(app: Flask, users: Users) -> None:
    users.create("iris@example.com", "instructor")
    users.sign_in("iris@example.com")
    assert users.client.get("/admin").status_code == 403
    assert 'href="/admin"' not in users.client.get("/dashboard").get_data(as_text=True)
