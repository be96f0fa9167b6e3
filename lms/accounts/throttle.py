"""Sign-in and reset-link throttling, per account and per address (each its own count).

Every sign-in POST counts, successful or not, and is counted before the password is
checked (an atomic increment in the limiter's storage). Counting only failures, after the
fact, lets a burst of parallel guesses all pass the check before any is counted: the
lockout bypass of Moodle CVE-2022-30600. Storage is in memory by default; set
LMS_RATELIMIT_STORAGE_URI (e.g. redis://127.0.0.1:6379) to share counts between workers
and hosts (their keys start with LMS_RATELIMIT_KEY_PREFIX).
"""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from lms.accounts.service import normalise_email
from lms.throttle import check_storage, is_memory, storage_options

#: Sign-in POSTs allowed per account, and per network address (covers many accounts).
PER_ACCOUNT = "10 per 15 minutes"
PER_ADDRESS = "30 per 15 minutes"
TOO_MANY = "Too many sign-in attempts. Wait a few minutes, then try again."

limiter = Limiter(get_remote_address, headers_enabled=True, key_prefix="lms")


def account_key() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))[:254]


def init_throttling(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["LMS_RATELIMIT_STORAGE_URI"])
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", storage_options(app.config))
    check_storage(app.config["RATELIMIT_STORAGE_URI"])
    # Redis unreachable: count in this process's memory, and try Redis again now and then
    # (Flask-Limiter's fallback; lms.throttle does the same for the LMS's own throttles).
    if not is_memory(app.config["RATELIMIT_STORAGE_URI"]):
        app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    # A moving window: fixed windows reset at clock boundaries, which lets a burst that
    # straddles one get twice the allowance.
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    limiter.init_app(app)
    # One Limiter serves every app in the process (its decorators are made at import), and
    # its init_app does not forget that an earlier app's storage was down: a new app starts
    # on its own storage (else it would count in a fallback, then start again from zero).
    limiter._storage_dead = False


sign_in_limits = [
    limiter.limit(PER_ADDRESS, methods=["POST"], error_message=TOO_MANY, scope="sign-in-address"),
    limiter.limit(
        PER_ACCOUNT,
        key_func=account_key,
        methods=["POST"],
        error_message=TOO_MANY,
        scope="sign-in-account",
    ),
]


#: Reset-link requests have their own counters: sharing the sign-in ones let anyone lock
#: a person out of signing in by asking for reset links in their name.
RESETS_PER_ACCOUNT = "5 per 15 minutes"
RESETS_PER_ADDRESS = "20 per 15 minutes"
TOO_MANY_RESETS = "Too many reset links asked for. Wait a few minutes, then try again."

reset_limits = [
    limiter.limit(
        RESETS_PER_ADDRESS, methods=["POST"], error_message=TOO_MANY_RESETS, scope="reset-address"
    ),
    limiter.limit(
        RESETS_PER_ACCOUNT,
        key_func=account_key,
        methods=["POST"],
        error_message=TOO_MANY_RESETS,
        scope="reset-account",
    ),
]


def throttled(view):  # type: ignore[no-untyped-def]
    """Apply the sign-in limits to a view."""
    for limit in sign_in_limits:
        view = limit(view)
    return view


def reset_throttled(view):  # type: ignore[no-untyped-def]
    """Apply the reset-link limits to a view (counted apart from sign-in's)."""
    for limit in reset_limits:
        view = limit(view)
    return view
