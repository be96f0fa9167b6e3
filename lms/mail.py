"""Outgoing mail: every message is kept in the outbox, and sent after the commit when SMTP
is configured.

    send_mail("ana@example.com", "Your reflection was graded", body)

`send_mail` writes the outbox row and, with an `LMS_SMTP_HOST`, a `mail` job in the
caller's transaction (see `lms.jobs`): nothing is sent before the commit, and a request
that rolls back sends nothing. A worker then sends it (STARTTLS when
`LMS_SMTP_STARTTLS`, login when `LMS_SMTP_USERNAME` is set) and records on the outbox row
when it was sent, or the last error; a refusing server is retried with backoff. Without a
host the message goes to the log (logger `lms.mail`) and the outbox only, which an admin
reads at /admin/outbox. The Message-ID comes from the job's key, so a message sent again
after a worker died mid-job can be recognised as the same one.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any

from flask import current_app

from lms.database import session, utcnow
from lms.jobs import PermanentError, enqueue, handler
from lms.models import OutboxMessage

logger = logging.getLogger("lms.mail")

#: Seconds to wait for the SMTP server before giving up (the job is retried).
SMTP_TIMEOUT = 10
MAX_SUBJECT_LENGTH = 200


def send_mail(to: str, subject: str, body: str, *, key: str | None = None) -> OutboxMessage:
    """Record a message in the outbox and queue it for sending (flushed; the caller
    commits). `key` names the job when something else than the outbox row makes the
    message unique (default `mail:outbox:<id>`)."""
    subject = " ".join(subject.split())[:MAX_SUBJECT_LENGTH]
    message = OutboxMessage(to_address=to.strip(), subject=subject, body=body)
    session.add(message)
    session.flush()
    if current_app.config.get("LMS_SMTP_HOST"):
        enqueue("mail", {"outbox_id": message.id}, key=key or f"mail:outbox:{message.id}")
    else:
        logger.info("Mail to %s (%s), kept in the outbox:\n%s", to, subject, body)
    return message


def _outbox_id(payload: Any) -> int:
    if not isinstance(payload, dict) or not isinstance(payload.get("outbox_id"), int):
        raise PermanentError(f"A mail job needs {{'outbox_id': <number>}}, not {payload!r:.200}.")
    return int(payload["outbox_id"])


def _record_failure(payload: Any, error: str) -> None:
    message = session.get(OutboxMessage, _outbox_id(payload))
    if message is not None:
        message.error = error[:2000]


@handler("mail", on_failure=_record_failure)
def deliver(payload: Any, key: str) -> None:
    """Send one outbox message (once: a message already sent is left alone)."""
    message = session.get(OutboxMessage, _outbox_id(payload))
    if message is None:
        raise PermanentError("The message is no longer in the outbox.")
    if message.sent_at is not None:
        return
    config = current_app.config
    if not config.get("LMS_SMTP_HOST"):
        raise PermanentError("No SMTP server is configured (LMS_SMTP_HOST).")
    _send_smtp(config, message, key)
    message.sent_at = utcnow()
    message.error = None
    logger.info("Mail to %s (%s) sent.", message.to_address, message.subject)


def _send_smtp(config: Any, message: OutboxMessage, key: str) -> None:
    email = EmailMessage()
    email["From"] = config["LMS_MAIL_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    sender_domain = parseaddr(str(config["LMS_MAIL_SENDER"]))[1].rpartition("@")[2]
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    email["Message-ID"] = f"<{digest}@{sender_domain or 'localhost'}>"
    email.set_content(message.body)
    with smtplib.SMTP(
        config["LMS_SMTP_HOST"], int(config["LMS_SMTP_PORT"]), timeout=SMTP_TIMEOUT
    ) as smtp:
        if config["LMS_SMTP_STARTTLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["LMS_SMTP_USERNAME"]:
            smtp.login(config["LMS_SMTP_USERNAME"], config["LMS_SMTP_PASSWORD"] or "")
        smtp.send_message(email)
