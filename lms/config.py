"""Configuration: the `LMS_*` settings with their defaults and types, and the standalone
app's Flask settings made from them.

Every `LMS_*` key in an app's config must be one of `DEFAULTS`; a misspelt key is an
error at start-up rather than a setting silently ignored. A setting exists because it has
a default here: the standalone app then reads it from the environment and from
LMS_CONFIG_FILE too (`lms.config_sources`), typed after its default (or `TYPES`), and
README.md's settings table must describe it (tests/foundation/test_settings_table.py).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any
from urllib.parse import urlsplit

#: Every LMS setting and its default. Hosts set them in `app.config`.
DEFAULTS: dict[str, Any] = {
    "LMS_SECRET_KEY": None,  # standalone: copied to SECRET_KEY
    "LMS_DATABASE_URL": None,  # standalone: copied to SQLALCHEMY_DATABASE_URI
    # Standalone: more SQLAlchemy engine options (e.g. {"pool_size": 10}), merged into
    # SQLALCHEMY_ENGINE_OPTIONS (which always has pool_pre_ping).
    "LMS_DATABASE_ENGINE_OPTIONS": {},
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
    # Years the CE record is kept before `lms ce purge` may delete it (accreditors: >= 6).
    "LMS_CE_RETENTION_YEARS": 6,
    "LMS_PING_MAX_SECONDS": 60,
    "LMS_PASSWORD_RESET_MAX_AGE": 3600,
    # Seconds a sign-up's confirmation link works (the account is made when it is opened).
    "LMS_SIGN_UP_LINK_MAX_AGE": 24 * 3600,
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
    # Where throttles count (sign-in, reset links, sign-up, invite codes): memory is per
    # process; redis://host:6379 shares the counts between processes and hosts (needs the
    # `redis` extra). Keys in Redis start with LMS_RATELIMIT_KEY_PREFIX, so several sites
    # (or test runs) can share one server.
    "LMS_RATELIMIT_STORAGE_URI": "memory://",
    "LMS_RATELIMIT_KEY_PREFIX": "lms",
    # Standalone: Flask settings a deployer may need, copied to their Flask names
    # (STANDALONE_FLASK_SETTINGS). A setting given under its Flask name in code wins.
    "LMS_SESSION_COOKIE_SECURE": False,  # SESSION_COOKIE_SECURE, REMEMBER_COOKIE_SECURE
    "LMS_MAX_CONTENT_LENGTH": 2 * 1024 * 1024,  # MAX_CONTENT_LENGTH: bytes per request
    "LMS_RATELIMIT_ENABLED": True,  # RATELIMIT_ENABLED: False turns every throttle off
    # Standalone: how many proxies in front of the app set X-Forwarded-For, -Proto and
    # -Host (werkzeug's ProxyFix); 0 trusts none of them.
    "LMS_PROXY_COUNT": 0,
    # Open Badges (docs/CREDENTIALS.md). The issuer's Ed25519 signing key, written by
    # `lms badges init-key` (PKCS#8 PEM, mode 0600). Default: lms-badges-key.pem in the
    # app's instance folder. Keep it out of the database and of backups anyone can read.
    "LMS_BADGES_KEY_FILE": None,
    # The issuer the credentials name: default LMS_SITE_NAME, LMS_BASE_URL and no email.
    "LMS_BADGES_ISSUER_NAME": None,
    "LMS_BADGES_ISSUER_URL": None,
    "LMS_BADGES_ISSUER_EMAIL": None,
    # LTI: hours a retired tool key stays in the published key set (`lms lti rotate-key`).
    "LMS_LTI_RETIRED_KEY_HOURS": 24,
    # LTI: origins besides a platform's issuer and authorisation URL that may frame the
    # pages of a session it launched (e.g. ["https://school.instructure.com"]).
    "LMS_LTI_FRAME_ANCESTORS": None,
    # Background jobs (lms.jobs): mail, learning records and digests run after the commit.
    # "auto": on PostgreSQL procrastinate runs them (`lms worker`); on SQLite, the worker
    # thread of `lms run`/`lms demo` or `lms worker`. "table": always the table's own workers.
    "LMS_JOBS_ENGINE": "auto",
    "LMS_JOBS_MAX_ATTEMPTS": 8,  # then the job is dead (shown at /admin/jobs)
    "LMS_JOBS_BACKOFF_SECONDS": 30,  # after the first failure; doubled each time...
    "LMS_JOBS_BACKOFF_MAX_SECONDS": 3600,  # ...up to this
    "LMS_JOBS_LEASE_SECONDS": 300,  # a job's worker has this long before another may retry
    "LMS_JOBS_POLL_SECONDS": 2,  # an idle in-process worker looks for due jobs this often
    # `lms worker` on PostgreSQL sweeps this often: jobs whose worker died (lease lapsed)
    # or whose hand-over failed, and the periodic jobs that are due.
    "LMS_JOBS_SWEEP_SECONDS": 60,
    # The instructors' grading digest is enqueued daily from this hour (UTC); None: never.
    "LMS_GRADING_DIGEST_HOUR": 7,
    # Learning records (xAPI, cmi5 shape) go to this LRS (its statements endpoint's base,
    # e.g. https://lrs.example.org/xAPI/), with HTTP basic credentials. None: not sent.
    "LMS_XAPI_ENDPOINT": None,
    "LMS_XAPI_USERNAME": None,
    "LMS_XAPI_PASSWORD": None,
    "LMS_XAPI_TIMEOUT": 10,  # seconds to wait for the LRS; then the statement is retried
}

#: The type of each setting whose default (None) does not tell it; the others are typed
#: after their default, and a None default without an entry here is text.
TYPES: dict[str, type] = {
    "LMS_TRUSTED_HOSTS": list,
    "LMS_LTI_FRAME_ANCESTORS": list,
    "LMS_HSTS_MAX_AGE": int,
}

ONE_YEAR = 365 * 24 * 3600

#: Defaults of the standalone app where they differ from a host app's.
STANDALONE_DEFAULTS: dict[str, Any] = {
    "LMS_DATABASE_URL": "sqlite:///lms.sqlite3",  # in the instance folder
    "LMS_CONTENT_SECURITY_POLICY": "strict",
    "LMS_HSTS_MAX_AGE": ONE_YEAR,
}

#: Flask settings of the standalone app and the LMS setting each is made from.
STANDALONE_FLASK_SETTINGS: dict[str, str] = {
    "SECRET_KEY": "LMS_SECRET_KEY",
    "SQLALCHEMY_DATABASE_URI": "LMS_DATABASE_URL",
    "SQLALCHEMY_ENGINE_OPTIONS": "LMS_DATABASE_ENGINE_OPTIONS",
    "SESSION_COOKIE_SECURE": "LMS_SESSION_COOKIE_SECURE",
    "REMEMBER_COOKIE_SECURE": "LMS_SESSION_COOKIE_SECURE",
    "MAX_CONTENT_LENGTH": "LMS_MAX_CONTENT_LENGTH",
    "RATELIMIT_ENABLED": "LMS_RATELIMIT_ENABLED",
}


def setting_type(key: str) -> type:
    """What a setting's value must be: bool, int, float, str, list or dict."""
    if key in TYPES:
        return TYPES[key]
    default = DEFAULTS[key]
    return str if default is None else type(default)


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


def did_you_mean(name: str) -> str:
    """ " (did you mean LMS_SITE_NAME?)" for a near miss of a setting's name, else ""."""
    close = difflib.get_close_matches(name.upper(), DEFAULTS, n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


def unknown_names(names: Iterable[str]) -> list[str]:
    """`LMS_*` names that are no setting, each with a suggestion when one is close."""
    return [
        name + did_you_mean(name)
        for name in sorted(names)
        if name.startswith("LMS_") and name not in DEFAULTS
    ]


def check_known_keys(config: Mapping[str, Any]) -> None:
    unknown = unknown_names(config)
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


def trusted_hosts(base_url: str, extra: str | Iterable[str] | None) -> list[str]:
    """The host names the standalone app answers for: LMS_BASE_URL's and LMS_TRUSTED_HOSTS
    (a list, or one comma-separated string)."""
    more = extra.split(",") if isinstance(extra, str) else list(extra or ())
    hosts = [urlsplit(base_url).hostname or ""] + [str(host).strip() for host in more]
    return list(dict.fromkeys(host for host in hosts if host))


#: Flask settings of every standalone app, whatever its LMS settings.
STANDALONE_FLASK_DEFAULTS: dict[str, Any] = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
}


def apply_standalone_settings(config: MutableMapping[str, Any], given: Mapping[str, Any]) -> None:
    """Make the standalone app's Flask settings from its LMS ones (`STANDALONE_FLASK_SETTINGS`),
    except those `given` under their Flask name (code, e.g. a test, says exactly what it wants)."""
    for flask_key, lms_key in STANDALONE_FLASK_SETTINGS.items():
        if flask_key in given:
            continue
        value = config.get(lms_key, STANDALONE_DEFAULTS.get(lms_key, DEFAULTS[lms_key]))
        if flask_key == "SQLALCHEMY_DATABASE_URI":
            value = normalise_database_url(value or STANDALONE_DEFAULTS[lms_key])
        elif flask_key == "SQLALCHEMY_ENGINE_OPTIONS":
            value = {"pool_pre_ping": True} | dict(value or {})
        config[flask_key] = value
