"""Signed-in sessions of standalone accounts, and how they end.

Each session stores the account's `session_version` when it signs in. Signing out and
changing or resetting the password bump the account's version, so every session (and
every copy of its cookie) made before is refused from then on.
"""

from __future__ import annotations

from flask import session as flask_session
from flask_login import login_user, logout_user

from lms.models import Account

SESSION_VERSION_KEY = "lms_session_version"


def start_session(account: Account) -> None:
    """Sign in with a fresh session (nothing carried over from before sign-in)."""
    flask_session.clear()
    login_user(account)
    flask_session[SESSION_VERSION_KEY] = account.session_version


def keep_session(version: int) -> None:
    """After this request ended all sessions, keep this one signed in."""
    flask_session[SESSION_VERSION_KEY] = version


def session_is_current(account: Account) -> bool:
    """Whether the request's session was signed in at the account's current version."""
    return flask_session.get(SESSION_VERSION_KEY) == account.session_version


def finish_session() -> None:
    logout_user()
    flask_session.clear()
