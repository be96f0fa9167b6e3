"""CE hours read the same on every page (catalogue, course, dashboard, certificate, PDF),
and the favicon every page links to is there."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import pypdf
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session
from lms.models import Course
from tests.conftest import post_form
from tests.learning.conftest import enrolment_of, read_module_one
from tests.learning.test_lessons import _hand_in_quiz


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def complete_the_self_paced_course(app: Flask, client: FlaskClient, email: str) -> str:
    post_form(client, "/courses/sp/enrol", {})
    with app.app_context():
        enrolment_of(email, "sp").enrolled_at -= timedelta(days=4)
        session.commit()
    read_module_one(client)
    _hand_in_quiz(app, email)
    post_form(client, "/courses/sp/lessons/lesson-three/complete", {})
    found = re.search(
        r"/certificates/([A-Z0-9-]+)", client.get("/dashboard").get_data(as_text=True)
    )
    assert found
    return found.group(1)


def give_hours(app: Flask, hours: dict[str, str]) -> None:
    """Set the fixture courses' CE hours (their files declare none: too short for credit)."""
    with app.app_context():
        for slug, amount in hours.items():
            course = session.scalar(sa.select(Course).where(Course.slug == slug))
            assert course is not None
            course.ce_hours = Decimal(amount)
        session.commit()


def test_ce_hours_have_one_format_everywhere(app: Flask, client: FlaskClient, nurse: str) -> None:
    give_hours(app, {"sp": "1.5", "co": "2"})
    code = complete_the_self_paced_course(app, client, nurse)  # the course gives 1.5 hours
    catalogue = plain(client.get("/").get_data(as_text=True))
    assert "CE hours 1.5 " in catalogue
    assert "CE hours 2.0 " in catalogue  # the cohort course: 2 hours
    assert "Study time 1.0 hours" in catalogue
    assert "1.5 CE hours" in plain(client.get("/courses/sp/").get_data(as_text=True))
    assert "1.5 CE hours" in plain(client.get("/dashboard").get_data(as_text=True))
    certificate = plain(client.get(f"/certificates/{code}").get_data(as_text=True))
    assert "CE contact hours 1.5 " in certificate
    pdf = pypdf.PdfReader(io.BytesIO(client.get(f"/certificates/{code}/certificate.pdf").data))
    assert "contact hours: 1.5" in pdf.pages[0].extract_text()
    for page in (catalogue, certificate):
        assert "1.50" not in page


def test_the_favicon_is_linked_and_served(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    found = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert found
    with client.get(found.group(1)) as icon:
        assert icon.status_code == 200
        assert icon.mimetype == "image/svg+xml"
        assert icon.data.startswith(b"<svg")
    # Browsers that ask for /favicon.ico anyway are sent to it, not given a 404.
    fallback = client.get("/favicon.ico")
    assert fallback.status_code in (301, 302, 308)
    assert fallback.headers["Location"].endswith(found.group(1))
