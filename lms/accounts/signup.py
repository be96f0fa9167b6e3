"""Sign-up that does not tell who has an account.

    request_sign_up(email, name, password, details, next_page)   # the form was valid
    pending = pending_sign_up(token)                             # the mailed link
    account = confirm_sign_up(pending)                           # its button

Whatever the address, the sign-up form answers "check your email", and one mail goes to
the address: for a new one, a link that makes the account when its owner opens it; for
one that has an account, a note saying so, with links to sign in and to reset the
password. So the answer, the mail count and the work done (a password hash either way)
are the same, and only the address's owner learns which case it was. Functions flush;
the caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from werkzeug.security import generate_password_hash

from lms.accounts.passwords import normalise_password
from lms.accounts.service import create_account, find_account, normalise_email
from lms.database import session, utcnow
from lms.links import external_url
from lms.mail import send_mail
from lms.models import Account, PendingSignUp, Profession


class SignUpLinkError(Exception):
    """A confirmation link that cannot be used; `gone` when it was used or expired."""

    def __init__(self, message: str, *, gone: bool) -> None:
        super().__init__(message)
        self.gone = gone


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _max_age() -> timedelta:
    return timedelta(seconds=int(current_app.config["LMS_SIGN_UP_LINK_MAX_AGE"]))


def _site_name() -> str:
    return str(current_app.config["LMS_SITE_NAME"])


def request_sign_up(
    email: str, name: str, password: str, details: dict[str, Any], next_page: str | None
) -> None:
    """Mail the address a confirmation link, or its owner a note that the account exists.

    `details` are the profile's fields (profession, licence) as `create_account` takes
    them. The password is hashed in both cases (the same work, so the same time).
    """
    email = normalise_email(email)
    password_hash = generate_password_hash(normalise_password(password))
    account = find_account(email)
    if account is not None:
        _send_account_exists(account)
        return
    session.execute(  # links past their time are of no use: clear them out
        sa.delete(PendingSignUp).where(PendingSignUp.created_at < utcnow() - _max_age())
    )
    token = secrets.token_urlsafe(32)
    session.add(
        PendingSignUp(
            email=email,
            token_hash=_digest(token),
            details={"name": name.strip(), "password_hash": password_hash, **details},
        )
    )
    session.flush()
    link = external_url("accounts.confirm_sign_up", token=token, next=next_page or None)
    hours = max(1, int(_max_age().total_seconds()) // 3600)
    body = render_template(
        "lms/accounts/sign_up_mail.txt", name=name, link=link, hours=hours, site=_site_name()
    )
    send_mail(email, f"Confirm your account · {_site_name()}", body)


def _send_account_exists(account: Account) -> None:
    body = render_template(
        "lms/accounts/account_exists_mail.txt",
        name=account.name,
        sign_in=external_url("accounts.sign_in"),
        reset=external_url("accounts.forgot_password"),
        site=_site_name(),
    )
    send_mail(account.email, f"You already have an account · {_site_name()}", body)


def pending_sign_up(token: str) -> PendingSignUp:
    """The sign-up a link confirms; SignUpLinkError when it is unknown, used or expired."""
    pending = session.scalar(
        sa.select(PendingSignUp).where(PendingSignUp.token_hash == _digest(token))
    )
    if pending is None:
        raise SignUpLinkError("This link is not valid, or it was used already.", gone=False)
    if pending.created_at < utcnow() - _max_age():
        raise SignUpLinkError("This link has expired.", gone=True)
    return pending


def confirm_sign_up(pending: PendingSignUp) -> Account:
    """Make the account the sign-up asked for (flushed); every other pending sign-up for
    the address goes. EmailTakenError if the address has an account by now."""
    details = dict(pending.details)
    email = pending.email
    session.execute(sa.delete(PendingSignUp).where(PendingSignUp.email == email))
    profession = details.get("profession")
    return create_account(
        email,
        str(details.get("name") or ""),
        "",
        profession=Profession(profession) if profession else None,
        licence_type=details.get("licence_type") or None,
        licence_number=details.get("licence_number") or None,
        password_hash=str(details["password_hash"]),
        timezone=valid_timezone(details.get("timezone")),
    )


def valid_timezone(name: object) -> str:
    """The zone the sign-up chose, if it is one this server knows (a sign-up made before
    the form asked for it has none)."""
    from lms.profile.forms import timezone_choices

    known = {choice.value for choice in timezone_choices()}
    return name if isinstance(name, str) and name in known else "UTC"
