"""Configuration: the `LMS_*` settings with their defaults, and standalone settings read
from the environment.

Every `LMS_*` key in an app's config must be one of `DEFAULTS`; a misspelt key is an
error at start-up rather than a setting silently ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

#: Every LMS setting and its default. Hosts set them in `app.config`.
DEFAULTS: dict[str, Any] = {
    "LMS_SECRET_KEY": None,  # standalone: copied to SECRET_KEY
    "LMS_DATABASE_URL": None,  # standalone: copied to SQLALCHEMY_DATABASE_URI
    "LMS_URL_PREFIX": "",
    # The public address of the site, e.g. https://learn.example.org (with the path it is
    # served under, if any, but not LMS_URL_PREFIX). Every link that leaves a request
    # (mail, certificate PDFs, credentials) is built from it, never from the request's
    # Host header. Required outside debug and testing; the standalone app also accepts
    # requests for its host name only (Flask's TRUSTED_HOSTS).
    "LMS_BASE_URL": None,
    # Standalone: more host names to accept besides LMS_BASE_URL's, comma-separated
    # (copied to TRUSTED_HOSTS). A host app keeps its own TRUSTED_HOSTS.
    "LMS_TRUSTED_HOSTS": None,
    "LMS_SITE_NAME": "Psychedelic Care Learning",
    "LMS_COURSES_PATH": None,  # default: the courses shipped with the package
    # New cohorts' zone (chosen at creation), and a person's until they choose theirs (sign-up
    # fills it from the browser when scripts run). An IANA name, e.g. "America/New_York".
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
    # Seconds a sign-up's confirmation link works (the account is made when it is opened).
    "LMS_SIGN_UP_LINK_MAX_AGE": 24 * 3600,
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
    # Strict-Transport-Security max-age (seconds) on LMS responses to HTTPS requests;
    # 0 or None: no header. Never sent in debug. Default: one year in the standalone app,
    # None in a host (HSTS covers the whole host name: the host's decision).
    "LMS_HSTS_MAX_AGE": None,
    # Background jobs (lms.jobs): mail, learning records and digests run after the commit.
    # "auto": on PostgreSQL procrastinate runs them (`lms worker`); on SQLite, the worker
    # thread of `lms run`/`lms demo` or `lms worker`. "table": always the table's own workers.
    "LMS_JOBS_ENGINE": "auto",
    "LMS_JOBS_MAX_ATTEMPTS": 8,  # then the job is dead (shown at /admin/jobs)
    "LMS_JOBS_BACKOFF_SECONDS": 30,  # after the first failure; doubled each time...
    "LMS_JOBS_BACKOFF_MAX_SECONDS": 3600,  # ...up to this
    "LMS_JOBS_LEASE_SECONDS": 300,  # a job's worker has this long before another may retry
    "LMS_JOBS_POLL_SECONDS": 2,  # an idle in-process worker looks for due jobs this often
    # The instructors' grading digest is enqueued daily from this hour (UTC); None: never.
    "LMS_GRADING_DIGEST_HOUR": 7,
    # Learning records (xAPI, cmi5 shape) go to this LRS (its statements endpoint's base,
    # e.g. https://lrs.example.org/xAPI/), with HTTP basic credentials. None: not sent.
    "LMS_XAPI_ENDPOINT": None,
    "LMS_XAPI_USERNAME": None,
    "LMS_XAPI_PASSWORD": None,
    "LMS_XAPI_TIMEOUT": 10,  # seconds to wait for the LRS; then the statement is retried
}

ONE_YEAR = 365 * 24 * 3600

HOW_TO_SET_THE_KEY = (
    "LMS_SECRET_KEY is not set. Set it to a long random value, for example:\n"
    "  export LMS_SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\"\n"
    "(debug mode and `lms demo` run without one, with a throw-away key)."
)


HOW_TO_SET_THE_BASE_URL = (
    "LMS_BASE_URL is not set. Set it to the address people use to reach the site, e.g.\n"
    "  export LMS_BASE_URL=https://learn.example.org\n"
    "Links in mail (password resets, feedback) are built from it, never from the request's "
    "Host header. (Debug mode and tests run without one.)"
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


def _seconds(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name, "").strip()
    if not value:
        return default
    if not value.isascii() or not value.isdigit():
        raise ConfigError(f"{name} must be a whole number of seconds, not {value!r}.")
    return int(value)


def check_base_url(value: Any) -> str:
    """LMS_BASE_URL without its trailing slash; ConfigError when it cannot be a site's
    address (http or https, a host name, no query or fragment)."""
    text = str(value).strip()
    parts = urlsplit(text)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or parts.username
        or parts.password
    ):
        raise ConfigError(
            f"LMS_BASE_URL must be the site's address, like https://learn.example.org, "
            f"not {text!r}."
        )
    return text.rstrip("/")


def trusted_hosts(base_url: str, extra: str | None) -> list[str]:
    """The host names the standalone app answers for: LMS_BASE_URL's and LMS_TRUSTED_HOSTS."""
    hosts = [urlsplit(base_url).hostname or ""]
    hosts += [host.strip() for host in (extra or "").split(",") if host.strip()]
    return list(dict.fromkeys(hosts))


def standalone_config(environ: Mapping[str, str]) -> dict[str, Any]:
    """Settings of the standalone app, from the environment."""
    database_url = environ.get("LMS_DATABASE_URL") or "sqlite:///lms.sqlite3"
    return {
        "SECRET_KEY": environ.get("LMS_SECRET_KEY") or None,
        "LMS_BASE_URL": environ.get("LMS_BASE_URL") or None,
        "LMS_TRUSTED_HOSTS": environ.get("LMS_TRUSTED_HOSTS") or None,
        "LMS_HSTS_MAX_AGE": _seconds(environ, "LMS_HSTS_MAX_AGE", ONE_YEAR),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "LMS_CONTENT_SECURITY_POLICY": "strict",
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
    }
