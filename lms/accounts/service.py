"""Account rules: creating accounts and checking credentials."""

from __future__ import annotations

import sqlalchemy as sa

from lms.database import session
from lms.models import Account, Profile, Role

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A request about accounts that cannot be met; the message says why."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_account(email: str) -> Account | None:
    return session.scalar(sa.select(Account).where(Account.email == normalise_email(email)))


def create_account(email: str, name: str, password: str, role: Role = Role.LEARNER) -> Account:
    """Create an account and its profile (flushed, not committed)."""
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError(f"{email!r} is not an email address.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if find_account(email) is not None:
        raise AccountError(f"An account for {email} already exists.")
    account = Account(email=email, name=name.strip() or email.split("@")[0])
    account.set_password(password)
    session.add(account)
    session.flush()
    session.add(Profile(user_id=str(account.id), email=email, display_name=account.name, role=role))
    session.flush()
    return account


def authenticate(email: str, password: str) -> Account | None:
    account = find_account(email)
    if account is None or not account.active or not account.check_password(password):
        return None
    return account
