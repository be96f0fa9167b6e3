"""Certificates an accreditor accepts: issued only when every gate is met, stating what
they certify; revoked and reissued by admins, with the public page saying so."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from lms.database import session
from lms.models import Certificate
from tests.ce.conftest import (
    CRED,
    acknowledge,
    evaluate,
    events,
    finish_course,
    pass_quiz,
    read_lesson,
)
from tests.conftest import Users, post_form


def certificate(app: Flask) -> Certificate | None:
    with app.app_context():
        return session.scalars(sa.select(Certificate).order_by(Certificate.id)).first()


def gates(client: FlaskClient) -> dict[str, bool]:
    page = client.get(f"{CRED}/").get_data(as_text=True)
    found = re.findall(
        r'<li class="lms-gate( lms-gate-met)?">.*?<strong>([^<]+)</strong>', page, re.S
    )
    return {label: bool(met) for met, label in found}


def test_each_gate_is_listed_with_what_is_still_open(
    app: Flask, learner: FlaskClient, clock: Callable[[float], datetime]
) -> None:
    assert gates(learner) == {
        "CE disclosure acknowledged": False,
        "Every lesson completed": False,
        "Required quizzes passed": False,
        "Final assessment passed": False,
        "Course evaluation submitted": False,
        "Minimum reading time met": False,
    }
    acknowledge(learner)
    read_lesson(learner, clock)
    pass_quiz(app, learner, "practice")
    pass_quiz(app, learner, "final")
    assert gates(learner) == {
        "CE disclosure acknowledged": True,
        "Every lesson completed": True,
        "Required quizzes passed": True,
        "Final assessment passed": True,
        "Course evaluation submitted": False,
        "Minimum reading time met": True,
    }
    page = learner.get(f"{CRED}/").get_data(as_text=True)
    assert f'<a href="{CRED}/evaluations/evaluation">' in page  # the open gate links to it
    assert certificate(app) is None  # no certificate before the evaluation
    assert evaluate(learner).status_code == 302
    assert certificate(app) is not None
    assert "View your certificate" in learner.get(f"{CRED}/").get_data(as_text=True)


def test_a_failed_final_keeps_the_certificate_back(
    app: Flask, learner: FlaskClient, clock: Callable[[float], datetime]
) -> None:
    acknowledge(learner)
    read_lesson(learner, clock)
    pass_quiz(app, learner, "practice")
    pass_quiz(app, learner, "final", right=False)
    evaluate(learner)
    assert certificate(app) is None
    assert gates(learner)["Final assessment passed"] is False


def test_the_certificate_states_provider_credit_and_accreditation(
    app: Flask, users: Users, learner: FlaskClient, clock: Callable[[float], datetime]
) -> None:
    with app.app_context():
        from tests.ce.conftest import profile_of

        nora = profile_of("nora@example.com")
        nora.licence_type, nora.licence_number = "RN", "NY-448812"
        session.commit()
    finish_course(app, learner, clock)
    issued = certificate(app)
    assert issued is not None
    public = app.test_client().get(f"/certificates/{issued.code}").get_data(as_text=True)
    for fact in (
        "Test Provider",
        "Credit basics",
        "Nora Nurse",
        "Nursing contact hours",
        "Psychology CE credits",
        "Test Provider is accredited to award nursing contact hours.",
        "1 January 2026 to 31 December 2099",
        issued.code,
        "8812",
        "This certificate is valid",
    ):
        assert fact in public, fact
    assert "NY-448812" not in public  # the licence is masked: its last 4 only
    pdf = learner.get(f"/certificates/{issued.code}/certificate.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    for fact in ("Test Provider", "Nursing contact hours: 1.0", "accredited to award", issued.code):
        assert fact in text, fact
    with app.app_context():
        [entry] = events("certificate_issued")
        assert entry.subject == f"certificate:{issued.code}"


def admin_client(app: Flask, users: Users) -> FlaskClient:
    admin = app.test_client()
    users.client = admin
    users.create("ada@example.com", role="admin")
    users.sign_in("ada@example.com")
    return admin


def test_an_admin_revokes_a_certificate_once_and_the_public_page_says_so(
    app: Flask, users: Users, learner: FlaskClient, clock: Callable[[float], datetime]
) -> None:
    finish_course(app, learner, clock)
    issued = certificate(app)
    assert issued is not None
    admin = admin_client(app, users)
    url = f"/admin/certificates/{issued.code}/revoke"
    empty = post_form(admin, url, {"revoke-reason": ""})
    assert empty.status_code == 400 and "Say why" in empty.get_data(as_text=True)
    for _ in range(2):  # double click: one revocation, one entry
        done = post_form(admin, url, {"revoke-reason": "Attendance records were falsified."})
        assert done.status_code == 302
    public = app.test_client().get(f"/certificates/{issued.code}").get_data(as_text=True)
    assert "This certificate was revoked on" in public and "no longer valid" in public
    assert "falsified" not in public  # the reason is for admins
    assert "falsified" in admin.get(f"/certificates/{issued.code}").get_data(as_text=True)
    assert learner.get(f"/certificates/{issued.code}/certificate.pdf").status_code == 410
    with app.app_context():
        [entry] = events("certificate_revoked")
        assert entry.note == "Attendance records were falsified."


def test_a_reissued_certificate_gets_a_new_number_and_the_old_one_points_to_it(
    app: Flask, users: Users, learner: FlaskClient, clock: Callable[[float], datetime]
) -> None:
    finish_course(app, learner, clock)
    old = certificate(app)
    assert old is not None
    admin = admin_client(app, users)
    url = f"/admin/certificates/{old.code}/reissue"
    first = post_form(admin, url, {"reissue-reason": "Name corrected."})
    second = post_form(admin, url, {"reissue-reason": "Name corrected."})  # double click
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        rows = session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()
        assert len(rows) == 2
        new_code = rows[1].code
        assert rows[0].superseded_by_id == rows[1].id and new_code != old.code
        assert len(events("certificate_reissued")) == 1
    public = app.test_client().get(f"/certificates/{old.code}").get_data(as_text=True)
    assert "replaced by" in public and new_code in public
    assert "This certificate is valid" in app.test_client().get(
        f"/certificates/{new_code}"
    ).get_data(as_text=True)


def test_admins_filter_the_certificates_and_download_them(
    app: Flask, users: Users, learner: FlaskClient, clock: Callable[[float], datetime]
) -> None:
    finish_course(app, learner, clock)
    issued = certificate(app)
    assert issued is not None
    admin = admin_client(app, users)
    listing = admin.get("/admin/certificates?course=cred&status=valid").get_data(as_text=True)
    assert issued.code in listing and "1 certificate" in listing
    assert issued.code not in admin.get("/admin/certificates?status=revoked").get_data(as_text=True)
    assert admin.get("/admin/certificates?issued_from=not-a-date").status_code == 400
    assert admin.get("/admin/certificates?cohort=0").status_code == 400
    csv = admin.get("/admin/certificates.csv?course=cred").get_data(as_text=True)
    header = csv.lstrip("\ufeff").splitlines()[0]
    assert header == (
        "Number,Status,Learner,Email,Licence,Course,Credits,Completed,Issued,Revoked,Superseded by"
    )
    assert issued.code in csv and "Nursing contact hours: 1" in csv
    assert learner.get("/admin/certificates").status_code == 403
