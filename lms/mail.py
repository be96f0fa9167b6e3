"""Outgoing mail: every message is kept in the outbox, and sent when SMTP is configured.

    send_mail("ana@example.com", "Your reflection was graded", body)

With no `LMS_SMTP_HOST` the message goes to the log (logger `lms.mail`) and the outbox
table only, which an admin reads at /admin/outbox. With a host, it is sent through it
(STARTTLS when `LMS_SMTP_STARTTLS`, login when `LMS_SMTP_USERNAME` is set) and the
outbox row records when it was sent or why it failed. A failure never reaches the user.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from flask import current_app

from lms.database import session, utcnow
from lms.models import OutboxMessage

logger = logging.getLogger("lms.mail")

#: Seconds to wait for the SMTP server before giving up (the outbox keeps the message).
SMTP_TIMEOUT = 10
MAX_SUBJECT_LENGTH = 200


def send_mail(to: str, subject: str, body: str) -> OutboxMessage:
    """Record a message in the outbox (flushed; the caller commits) and send it.

    Sending happens before the row is written, so no database lock is held while the
    SMTP server answers. Returns the outbox row, with `sent_at` or `error` set when an
    SMTP host is configured.
    """
    config = current_app.config
    subject = " ".join(subject.split())[:MAX_SUBJECT_LENGTH]
    message = OutboxMessage(to_address=to.strip(), subject=subject, body=body)
    if config.get("LMS_SMTP_HOST"):
        try:
            _send_smtp(config, message)
        except (OSError, smtplib.SMTPException, ValueError) as error:
            message.error = f"{type(error).__name__}: {error}"[:2000]
            logger.warning("Mail to %s (%s) not sent: %s", to, subject, message.error)
        else:
            message.sent_at = utcnow()
            logger.info("Mail to %s (%s) sent.", to, subject)
    else:
        logger.info("Mail to %s (%s), kept in the outbox:\n%s", to, subject, body)
    session.add(message)
    session.flush()
    return message


def _send_smtp(config: Any, message: OutboxMessage) -> None:
    email = EmailMessage()
    email["From"] = config["LMS_MAIL_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    sender_domain = parseaddr(str(config["LMS_MAIL_SENDER"]))[1].rpartition("@")[2]
    email["Message-ID"] = make_msgid(domain=sender_domain or "localhost")
    email.set_content(message.body)
    with smtplib.SMTP(
        config["LMS_SMTP_HOST"], int(config["LMS_SMTP_PORT"]), timeout=SMTP_TIMEOUT
    ) as smtp:
        if config["LMS_SMTP_STARTTLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["LMS_SMTP_USERNAME"]:
            smtp.login(config["LMS_SMTP_USERNAME"], config["LMS_SMTP_PASSWORD"] or "")
        smtp.send_message(email)
