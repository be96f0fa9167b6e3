"""Configuration: the `LMS_*` settings with their defaults, and standalone settings read
from the environment.

Every `LMS_*` key in an app's config must be one of `DEFAULTS`; a misspelt key is an
error at start-up rather than a setting silently ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Every LMS setting and its default. Hosts set them in `app.config`.
DEFAULTS: dict[str, Any] = {
    "LMS_SECRET_KEY": None,  # standalone: copied to SECRET_KEY
    "LMS_DATABASE_URL": None,  # standalone: copied to SQLALCHEMY_DATABASE_URI
    "LMS_URL_PREFIX": "",
    "LMS_SITE_NAME": "Psychedelic Care Learning",
    "LMS_COURSES_PATH": None,  # default: the courses shipped with the package
    "LMS_DEFAULT_TIMEZONE": "UTC",
    "LMS_MAIL_SENDER": "lms@localhost",
    "LMS_SMTP_HOST": None,  # no host: mail goes to the log and the outbox table only
    "LMS_SMTP_PORT": 587,
    "LMS_SMTP_USERNAME": None,
    "LMS_SMTP_PASSWORD": None,
    "LMS_SMTP_STARTTLS": True,
    "LMS_QUIZ_GRACE_SECONDS": 30,
    "LMS_PING_MAX_SECONDS": 60,
    "LMS_PASSWORD_RESET_MAX_AGE": 3600,
    "LMS_RATELIMIT_STORAGE_URI": "memory://",
    # The host's layout: a template with the blocks title, lms_head, lms_content and
    # lms_scripts (README: "Using the host's layout"). None: the LMS's own page.
    "LMS_BASE_TEMPLATE": None,
    # In a host: the LMS header's link back (default: the host's "/" page) and sign-out
    # (default: a sign-out endpoint of a common name, e.g. security.logout, auth.logout).
    "LMS_HOST_HOME_ENDPOINT": None,
    "LMS_HOST_HOME_LABEL": "Back to the site",
    "LMS_HOST_SIGN_OUT_ENDPOINT": None,
    # "strict" (the LMS's own policy), a policy string, or None (no header from the LMS).
    # Default: strict in the standalone app, None in a host (the host's own policy applies).
    "LMS_CONTENT_SECURITY_POLICY": None,
}

HOW_TO_SET_THE_KEY = (
    "LMS_SECRET_KEY is not set. Set it to a long random value, for example:\n"
    "  export LMS_SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\"\n"
    "(debug mode and `lms demo` run without one, with a throw-away key)."
)


class ConfigError(RuntimeError):
    """The app's configuration cannot work; the message says how to fix it."""


def check_known_keys(config: Mapping[str, Any]) -> None:
    unknown = sorted(key for key in config if key.startswith("LMS_") and key not in DEFAULTS)
    if unknown:
        raise ConfigError(
            f"Unknown LMS setting(s): {', '.join(unknown)}. "
            f"Known settings: {', '.join(sorted(DEFAULTS))}."
        )


def normalise_database_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def standalone_config(environ: Mapping[str, str]) -> dict[str, Any]:
    """Settings of the standalone app, from the environment."""
    database_url = environ.get("LMS_DATABASE_URL") or "sqlite:///lms.sqlite3"
    return {
        "SECRET_KEY": environ.get("LMS_SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "LMS_CONTENT_SECURITY_POLICY": "strict",
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
    }
