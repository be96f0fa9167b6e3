"""The CE exports: a learner's transcript (PDF and CSV), each activity's summary, and the
PARS-style learner file, formula-safe."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from lms.database import session, utcnow
from tests.ce.conftest import finish_course, profile_of
from tests.conftest import Users


def admin_client(app: Flask, users: Users) -> FlaskClient:
    admin = app.test_client()
    users.client = admin
    users.create("ada@example.com", role="admin")
    users.sign_in("ada@example.com")
    return admin


def lines(body: bytes) -> list[str]:
    return body.decode("utf-8-sig").splitlines()


def test_a_learners_transcript_lists_every_credit_earned(
    app: Flask, users: Users, learner: FlaskClient, clock: Callable[[float], datetime]
) -> None:
    finish_course(app, learner, clock)
    csv = lines(learner.get("/transcript.csv").data)
    assert csv[0] == "Completed,Activity,Provider,Credit type,Amount,Certificate"
    assert len(csv) == 3  # one line per credit type
    assert "Credit basics,Test Provider,Nursing contact hours,1.0," in csv[1]
    pdf = learner.get("/transcript.pdf")
    assert pdf.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "CE transcript: Nora Nurse" in text
    assert "Total Nursing contact hours: 1.0" in text
    admin = admin_client(app, users)
    with app.app_context():
        nora_id = profile_of("nora@example.com").id
    assert (
        admin.get(f"/admin/ce/learners/{nora_id}/transcript.csv").data
        == learner.get("/transcript.csv").data
    )
    assert learner.get(f"/admin/ce/learners/{nora_id}/transcript.csv").status_code == 403
    assert admin.get("/admin/ce/learners/999999/transcript.pdf").status_code == 404


def test_the_activity_summary_counts_learners_credit_and_the_evaluation(
    app: Flask, users: Users, learner: FlaskClient, clock: Callable[[float], datetime]
) -> None:
    finish_course(app, learner, clock)
    admin = admin_client(app, users)
    rows = dict(
        line.split(",", 1)
        for line in lines(admin.get("/admin/ce/courses/cred/summary.csv").data)[1:]
    )
    assert rows["Learners enrolled"] == "1" and rows["Learners completed"] == "1"
    assert rows["Certificates valid"] == "1"
    assert rows["Credit awarded: Nursing contact hours"] == "1.0"
    assert rows["Course evaluation: responses"] == "1"
    # One response: no averages (fewer than five could point to who gave them).
    assert not any("mean of 1-5" in figure for figure in rows)
    page = admin.get("/admin/ce").get_data(as_text=True)
    assert "PARS learner file" in page and "Credit basics" in page


def test_the_pars_file_has_the_fields_accme_asks_for(
    app: Flask, users: Users, learner: FlaskClient, clock: Callable[[float], datetime]
) -> None:
    with app.app_context():
        nora = profile_of("nora@example.com")
        nora.board_id, nora.birth_month, nora.birth_day = "=HYPERLINK(1)", 3, 14
        session.commit()
    finish_course(app, learner, clock)
    admin = admin_client(app, users)
    body = admin.get("/admin/ce/courses/cred/pars.txt").get_data(as_text=True)
    header, *rows = body.splitlines()
    assert header.split("\t") == [
        "Completion Date", "Board ID", "First Name", "Last Name",
        "Birth Month", "Birth Day", "Credit Type", "Credits",
    ]  # fmt: skip
    fields = rows[0].split("\t")
    assert fields[0] == utcnow().strftime("%m/%d/%Y")
    assert fields[1] == "'=HYPERLINK(1)"  # formula-safe
    assert fields[2:6] == ["Nora", "Nurse", "3", "14"]
    assert len(rows) == 2
    tomorrow = utcnow().date().replace(year=utcnow().year + 1).isoformat()
    assert (
        admin.get(f"/admin/ce/courses/cred/pars.txt?from={tomorrow}")
        .get_data(as_text=True)
        .count("\n")
        == 1
    )
    assert admin.get("/admin/ce/courses/cred/pars.txt?from=yesterday").status_code == 400
    assert (
        admin.get("/admin/ce/courses/cred/pars.txt?from=2027-02-01&to=2027-01-01").status_code
        == 400
    )
    assert admin.get("/admin/ce/courses/nope/pars.txt").status_code == 404


def test_learners_give_board_id_and_birth_day_in_their_profile_if_they_wish(
    app: Flask, learner: FlaskClient
) -> None:
    from tests.conftest import post_form

    form = {"display_name": "Nora Nurse", "profession": "nurse", "timezone": "UTC"}
    page = learner.get("/profile").get_data(as_text=True)
    assert "ACCME" in page and "optional" in page.lower()
    refused = post_form(learner, "/profile", form | {"birth_month": "2", "birth_day": "30"})
    assert "February has no day 30." in refused.get_data(as_text=True)
    # Found by the form fuzzer: WTForms' NumberRange raised OverflowError (a 500).
    for huge in ("9" * 400, str(10**30)):
        too_big = post_form(learner, "/profile", form | {"birth_month": "2", "birth_day": huge})
        assert "Enter a day from 1 to 31." in too_big.get_data(as_text=True)
    half = post_form(learner, "/profile", form | {"birth_month": "2"})
    assert "Give both the birth month and day, or neither." in half.get_data(as_text=True)
    saved = post_form(
        learner, "/profile", form | {"board_id": "ABIM-1", "birth_month": "2", "birth_day": "29"}
    )
    assert saved.status_code == 302
    with app.app_context():
        nora = profile_of("nora@example.com")
        assert (nora.board_id, nora.birth_month, nora.birth_day) == ("ABIM-1", 2, 29)
