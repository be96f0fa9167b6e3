"""Progress and completion: one computation for course, module and lesson statuses;
completion issues a certificate that anyone can verify."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session
from lms.learning.progress import course_outline
from lms.learning.status import Status
from lms.models import Certificate
from tests.conftest import Users, post_form
from tests.learning.conftest import enrolment_of, profile_of, read_module_one
from tests.learning.test_lessons import _hand_in_quiz


def outline_for(app: Flask, email: str, course: str):
    with app.app_context():
        outline = course_outline(enrolment_of(email, course))
        return (
            outline.percent,
            outline.status,
            [(i.slug, i.status) for i in outline.items],
            [m.status for m in outline.modules],
        )


def test_progress_of_a_mixed_course(app: Flask, client: FlaskClient, nurse: str) -> None:
    post_form(client, "/courses/sp/enrol", {})
    assert outline_for(app, nurse, "sp")[:2] == (0, Status.NOT_STARTED)

    post_form(client, "/courses/sp/lessons/lesson-one/complete", {})
    percent, status, items, modules = outline_for(app, nurse, "sp")
    assert percent == 25  # 1 of 4 required items: three lessons and the quiz
    assert status is Status.IN_PROGRESS
    assert items[0] == ("lesson-one", Status.COMPLETE)
    assert modules == [Status.IN_PROGRESS, Status.NOT_STARTED]

    post_form(client, "/courses/sp/lessons/lesson-two/complete", {})
    _hand_in_quiz(app, nurse, passed=False)
    percent, _, items, _ = outline_for(app, nurse, "sp")
    assert percent == 50
    # Not "Failed" while an attempt remains (the quiz allows two).
    assert items[2] == ("check", Status.NOT_PASSED_YET)
    page = client.get("/courses/sp/").get_data(as_text=True)
    assert ">Not passed yet, 1 attempt left</span>" in page
    assert ">Failed</span>" not in page

    _hand_in_quiz(app, nurse, passed=True, number=2)
    percent, _, items, modules = outline_for(app, nurse, "sp")
    assert (percent, items[2], modules[0]) == (75, ("check", Status.PASSED), Status.COMPLETE)
    page = client.get("/courses/sp/").get_data(as_text=True)
    assert '<progress id="course-progress" max="100" value="75">' in page
    assert "3 of 4 required items" in page
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert 'value="75"' in dashboard and "Self-paced basics" in dashboard


def test_a_quiz_failed_with_no_attempt_left_says_failed(
    app: Flask, client: FlaskClient, nurse: str
) -> None:
    post_form(client, "/courses/sp/enrol", {})
    read_module_one(client)
    _hand_in_quiz(app, nurse, passed=False)
    _hand_in_quiz(app, nurse, passed=False, number=2)
    _, _, items, _ = outline_for(app, nurse, "sp")
    assert items[2] == ("check", Status.FAILED)
    page = client.get("/courses/sp/").get_data(as_text=True)
    assert ">Failed</span>" in page and "Not passed yet" not in page


def test_completion_issues_a_verifiable_certificate(
    app: Flask, client: FlaskClient, users: Users, nurse: str
) -> None:
    with app.app_context():
        profile = profile_of(nurse)
        profile.licence_type, profile.licence_number = "RN", "12345"
        session.commit()
    post_form(client, "/courses/sp/enrol", {})
    with app.app_context():
        enrolment_of(nurse, "sp").enrolled_at -= timedelta(days=4)
        session.commit()
    for slug in ("lesson-one", "lesson-two"):
        post_form(client, f"/courses/sp/lessons/{slug}/complete", {})
    _hand_in_quiz(app, nurse)
    response = post_form(client, "/courses/sp/lessons/lesson-three/complete", {})
    assert response.headers["Location"] == "/courses/sp/"
    assert "Your certificate is ready" in client.get("/courses/sp/").get_data(as_text=True)

    with app.app_context():
        certificate = session.scalars(sa.select(Certificate)).one()
        code = certificate.code
        assert enrolment_of(nurse, "sp").completed_at is not None

    # Public verification page: anyone, signed in or not, sees the details.
    anonymous = app.test_client()
    page = anonymous.get(f"/certificates/{code}").get_data(as_text=True)
    for detail in ("Nadia Nurse", "Self-paced basics", "2345", code, "is valid"):
        assert detail in page
    assert "RN 12345" not in page  # the public page masks the licence: its last 4 only
    assert anonymous.get("/certificates/NOPE-NOPE-NOPE").status_code == 404

    pdf = client.get(f"/certificates/{code}/certificate.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    # Only the holder downloads the PDF.
    users.client = app.test_client()
    users.create("other@example.com")
    users.sign_in("other@example.com")
    assert users.client.get(f"/certificates/{code}/certificate.pdf").status_code == 404

    # Doing more afterwards never issues a second certificate.
    post_form(client, "/courses/sp/lessons/lesson-three/complete", {})
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Certificate.id))) == 1
