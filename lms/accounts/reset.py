"""Password reset links: signed, expiring and single-use.

The token carries the account id and a fingerprint of the account's current password
hash, signed with the app's secret key. It expires after `LMS_PASSWORD_RESET_MAX_AGE`
seconds, and once the password changes (by this link or otherwise) the fingerprint no
longer matches, so a link works once.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from lms.database import session
from lms.links import external_url
from lms.mail import send_mail
from lms.models import Account

SALT = "lms.password-reset"


class ResetLinkError(Exception):
    """A reset link that cannot be used; `gone` (expired or used) or not valid at all."""

    def __init__(self, message: str, *, gone: bool) -> None:
        super().__init__(message)
        self.gone = gone


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(account: Account) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, account.password_hash.encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def make_reset_token(account: Account) -> str:
    return _serializer().dumps({"account": account.id, "fingerprint": _fingerprint(account)})


def account_for_reset_token(token: str) -> Account:
    """The account a valid, unused, unexpired token resets; else ResetLinkError."""
    max_age = int(current_app.config["LMS_PASSWORD_RESET_MAX_AGE"])
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise ResetLinkError("This link has expired.", gone=True) from None
    except BadSignature:
        raise ResetLinkError("This link is not valid.", gone=False) from None
    account_id = data.get("account") if isinstance(data, dict) else None
    account = session.get(Account, account_id) if isinstance(account_id, int) else None
    if (
        account is None
        or not account.active
        or not hmac.compare_digest(str(data.get("fingerprint")), _fingerprint(account))
    ):
        raise ResetLinkError("This link has already been used.", gone=True)
    return account


def send_reset_link(account: Account) -> None:
    """Mail the account a reset link (recorded in the outbox; the caller commits)."""
    link = external_url("accounts.reset_password", token=make_reset_token(account))
    minutes = max(1, int(current_app.config["LMS_PASSWORD_RESET_MAX_AGE"]) // 60)
    body = render_template(
        "lms/accounts/reset_mail.txt",
        name=account.name,
        link=link,
        minutes=minutes,
        site_name=current_app.config["LMS_SITE_NAME"],
    )
    send_mail(account.email, f"Reset your password · {current_app.config['LMS_SITE_NAME']}", body)


def send_no_account_note(email: str) -> None:
    """Tell an address with no (active) account that a reset was asked for it: the page
    answers alike either way, and so does the mail, in count and in time taken."""
    site_name = current_app.config["LMS_SITE_NAME"]
    body = render_template(
        "lms/accounts/no_account_mail.txt",
        sign_up=external_url("accounts.sign_up"),
        site_name=site_name,
    )
    send_mail(email, f"Reset your password · {site_name}", body)
