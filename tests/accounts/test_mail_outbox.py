"""Mail: kept in the outbox, sent through SMTP when configured, readable by admins."""

from __future__ import annotations

import logging
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session
from lms.mail import send_mail
from tests.accounts.conftest import FakeSMTP, outbox
from tests.conftest import Users, post_form, run_jobs

SENT = "If an account exists for that address, we sent a link to it."


def use_smtp(app: Flask, host: str, port: int, **extra: object) -> None:
    app.config.update(
        LMS_SMTP_HOST=host,
        LMS_SMTP_PORT=port,
        LMS_SMTP_STARTTLS=False,
        LMS_MAIL_SENDER="LMS <courses@lms.example>",
        **extra,
    )


def test_mail_is_delivered_through_the_smtp_server(
    app: Flask, client: FlaskClient, users: Users, smtp_server: FakeSMTP
) -> None:
    use_smtp(app, smtp_server.host, smtp_server.port, LMS_SMTP_USERNAME="mailer")
    app.config["LMS_SMTP_PASSWORD"] = "mail-secret"
    users.create("nurse@example.com")
    response = post_form(client, "/forgot-password", {"email": "nurse@example.com"})
    assert SENT in response.get_data(as_text=True)
    assert smtp_server.messages == []  # sent by a worker, after the commit
    assert run_jobs(app) == 1

    (delivered,) = smtp_server.messages
    assert smtp_server.recipients == [["nurse@example.com"]]
    assert smtp_server.logins == [("mailer", "mail-secret")]
    assert delivered["To"] == "nurse@example.com"
    assert delivered["From"] == "LMS <courses@lms.example>"
    assert delivered["Subject"].startswith("Reset your password")
    assert "/reset-password/" in delivered.get_content()
    (kept,) = outbox(app)
    assert kept.sent_at is not None
    assert kept.error is None
    assert kept.body.strip() == delivered.get_content().replace("\r\n", "\n").strip()


def test_an_unreachable_smtp_server_is_recorded_and_the_user_is_not_told(
    app: Flask, client: FlaskClient, users: Users, closed_port: int
) -> None:
    use_smtp(app, "127.0.0.1", closed_port)
    users.create("nurse@example.com")
    response = post_form(client, "/forgot-password", {"email": "nurse@example.com"})
    assert response.status_code == 200
    assert SENT in response.get_data(as_text=True)
    run_jobs(app)
    (kept,) = outbox(app)
    assert kept.sent_at is None
    assert kept.error is not None and "Connection" in kept.error
    assert "/reset-password/" in kept.body  # an admin can still pass the link on


def test_without_smtp_mail_goes_to_the_log_and_the_outbox(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="lms.mail"), app.app_context():
        message = send_mail("ana@example.com", "Your reflection\r\nBcc: x was graded", "Well done.")
        session.commit()
        assert message.subject == "Your reflection Bcc: x was graded"  # no header injection
    assert "ana@example.com" in caplog.text and "Well done." in caplog.text
    (kept,) = outbox(app)
    assert (kept.to_address, kept.sent_at, kept.error) == ("ana@example.com", None, None)


def add_messages(app: Flask, count: int) -> None:
    with app.app_context():
        for number in range(1, count + 1):
            send_mail(f"learner{number}@example.com", f"Message {number}", f"Body {number}")
        send_mail("x@example.com", "Latest", "<script>alert('body')</script>")
        session.commit()


def test_the_outbox_is_for_admins_only(client: FlaskClient, users: Users) -> None:
    anonymous = client.get("/admin/outbox")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/sign-in?next=")
    users.create("learner@example.com")
    users.sign_in("learner@example.com")
    forbidden = client.get("/admin/outbox")
    assert forbidden.status_code == 403
    assert "This page is for admins." in forbidden.get_data(as_text=True)
    users.create("teacher@example.com", role="instructor")
    users.sign_in("teacher@example.com")
    assert client.get("/admin/outbox").status_code == 403


def test_admins_read_the_outbox_newest_first_page_by_page(
    app: Flask, client: FlaskClient, users: Users
) -> None:
    users.create("admin@example.com", role="admin")
    users.sign_in("admin@example.com")
    assert "No mail yet." in client.get("/admin/outbox").get_data(as_text=True)
    add_messages(app, 24)  # 25 messages: 20 on page 1, 5 on page 2

    first = client.get("/admin/outbox").get_data(as_text=True)
    subjects = re.findall(r"<h2>([^<]+)</h2>", first)
    assert subjects[:3] == ["Latest", "Message 24", "Message 23"]
    assert len(subjects) == 20
    assert "&lt;script&gt;alert(&#39;body&#39;)&lt;/script&gt;" in first
    assert "<script>alert" not in first
    assert "learner24@example.com" in first
    assert "Outbox only (no mail server configured)" in first
    assert 'href="/admin/outbox?page=2" rel="next"' in first
    assert "Page 1 of 2" in first

    second = client.get("/admin/outbox?page=2").get_data(as_text=True)
    assert re.findall(r"<h2>([^<]+)</h2>", second) == [f"Message {n}" for n in range(5, 0, -1)]
    assert 'href="/admin/outbox?page=1" rel="prev"' in second


@pytest.mark.parametrize("page", ["abc", "-3", "0", "99999999999999999999999", "7"])
def test_a_strange_page_number_is_not_an_error(
    app: Flask, client: FlaskClient, users: Users, page: str
) -> None:
    users.create("admin@example.com", role="admin")
    users.sign_in("admin@example.com")
    add_messages(app, 2)
    assert client.get(f"/admin/outbox?page={page}").status_code == 200


def test_an_smtp_failure_is_shown_in_the_outbox(
    app: Flask, client: FlaskClient, users: Users, closed_port: int
) -> None:
    use_smtp(app, "127.0.0.1", closed_port)
    users.create("admin@example.com", role="admin")
    users.sign_in("admin@example.com")
    with app.app_context():
        send_mail("ana@example.com", "Graded", "Your essay was graded.")
        session.commit()
    run_jobs(app)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Not sent" in page
    assert "ConnectionRefusedError" in page
