"""Account rules: creating accounts, checking credentials, changing passwords.

These functions flush; the caller (a view or a command) commits.
"""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from lms.database import session
from lms.models import Account, Profession, Profile, Role

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
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


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"The password can have at most {MAX_PASSWORD_LENGTH} characters.")


def create_account(
    email: str,
    name: str,
    password: str,
    role: Role = Role.LEARNER,
    *,
    profession: Profession | None = None,
    licence_type: str | None = None,
    licence_number: str | None = None,
) -> Account:
    """Create an account and its profile (flushed, not committed)."""
    email = normalise_email(email)
    name = name.strip()
    if "@" not in email or len(email) > MAX_EMAIL_LENGTH:
        raise AccountError(f"{email!r} is not an email address.")
    if len(name) > MAX_NAME_LENGTH:
        raise AccountError(f"The name can have at most {MAX_NAME_LENGTH} characters.")
    for licence in (licence_type, licence_number):
        if licence and len(licence) > MAX_LICENCE_LENGTH:
            raise AccountError(f"Licence details can have at most {MAX_LICENCE_LENGTH} characters.")
    check_new_password(password)
    if find_account(email) is not None:
        raise EmailTakenError(f"An account for {email} already exists.")
    account = Account(email=email, name=name or email.split("@")[0][:MAX_NAME_LENGTH])
    account.set_password(password)
    session.add(account)
    session.flush()
    session.add(
        Profile(
            user_id=str(account.id),
            email=email,
            display_name=account.name,
            role=role,
            profession=profession,
            licence_type=licence_type or None,
            licence_number=licence_number or None,
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
    check_new_password(new_password)
    account.set_password(new_password)
    return end_all_sessions(account)
