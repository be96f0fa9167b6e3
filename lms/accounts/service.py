"""Account rules: creating accounts, checking credentials, changing passwords.

These functions flush; the caller (a view or a command) commits.
"""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from lms.accounts.passwords import password_problem
from lms.database import session
from lms.identity.keys import user_marker
from lms.models import Account, Profession, Profile, Role

MAX_NAME_LENGTH = 120
MAX_EMAIL_LENGTH = 254
MAX_LICENCE_LENGTH = 80


class AccountError(ValueError):
    """A request about accounts that cannot be met; the message says why."""


class EmailTakenError(AccountError):
    """An account with this email already exists."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_account(email: str) -> Account | None:
    return session.scalar(sa.select(Account).where(Account.email == normalise_email(email)))


def check_new_password(password: str, *, email: str = "", name: str = "") -> None:
    """AccountError unless the password follows the policy (`lms.accounts.passwords`)
    for the person with this email and name."""
    site_name = str(current_app.config.get("LMS_SITE_NAME") or "")
    problem = password_problem(password, email=email, name=name, site_name=site_name)
    if problem:
        raise AccountError(problem)


def create_account(
    email: str,
    name: str,
    password: str,
    role: Role = Role.LEARNER,
    *,
    profession: Profession | None = None,
    licence_type: str | None = None,
    licence_number: str | None = None,
    password_hash: str | None = None,
    timezone: str = "UTC",
) -> Account:
    """Create an account and its profile (flushed, not committed).

    `password_hash`: a password already checked and hashed (a confirmed sign-up); then
    `password` is not used.
    """
    email = normalise_email(email)
    name = name.strip()
    if "@" not in email or len(email) > MAX_EMAIL_LENGTH:
        raise AccountError(f"{email!r} is not an email address.")
    if len(name) > MAX_NAME_LENGTH:
        raise AccountError(f"The name can have at most {MAX_NAME_LENGTH} characters.")
    for licence in (licence_type, licence_number):
        if licence and len(licence) > MAX_LICENCE_LENGTH:
            raise AccountError(f"Licence details can have at most {MAX_LICENCE_LENGTH} characters.")
    if password_hash is None:
        check_new_password(password, email=email, name=name)
    if find_account(email) is not None:
        raise EmailTakenError(f"An account for {email} already exists.")
    account = Account(email=email, name=name or email.split("@")[0][:MAX_NAME_LENGTH])
    if password_hash is None:
        account.set_password(password)
    else:
        account.password_hash = password_hash
    session.add(account)
    session.flush()
    session.add(
        Profile(
            user_id=str(account.id),
            user_marker=user_marker(account),
            email=email,
            display_name=account.name,
            role=role,
            profession=profession,
            licence_type=licence_type or None,
            licence_number=licence_number or None,
            timezone=timezone,
        )
    )
    session.flush()
    return account


@cache
def _unknown_account_hash() -> str:
    return generate_password_hash("no account has this password")


def authenticate(email: str, password: str) -> Account | None:
    """The active account with this email and password, or None.

    An unknown email costs a password check too, so timing does not tell which emails
    have accounts.
    """
    account = find_account(email)
    if account is None:
        check_password_hash(_unknown_account_hash(), password)
        return None
    if not account.check_password(password) or not account.active:
        return None
    return account


def end_all_sessions(account: Account) -> int:
    """Bump the account's session version: every session signed in before is refused.

    Returns the new version (the current request stores it to stay signed in).
    """
    account.session_version = Account.session_version + 1  # type: ignore[assignment]
    session.flush()
    session.refresh(account, ["session_version"])
    return account.session_version


def change_password(account: Account, new_password: str) -> int:
    """Set a new password and end every session; returns the new session version."""
    check_new_password(new_password, email=account.email, name=account.name)
    account.set_password(new_password)
    return end_all_sessions(account)
