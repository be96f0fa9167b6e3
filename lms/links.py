"""Absolute links that leave the request: in mail, certificate PDFs, credentials.

    external_url("accounts.reset_password", token=token)
    # -> "https://learn.example.org/reset-password/..."

They are built from `LMS_BASE_URL`, never from the request: the Host header is the
client's to choose, so a link built from it is the attacker's link (a password-reset mail
sent with `Host: evil.example` would hand the token to evil.example). Without a base URL
only debug mode and tests fall back to the request's own address (or http://localhost
outside a request); anywhere else that is a configuration error, reported at start-up by
`require_base_url`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request

from lms.config import HOW_TO_SET_THE_BASE_URL, ConfigError, check_base_url
from lms.web import lms_endpoint

#: Where links point in debug mode and tests when there is no request and no base URL.
FALLBACK_BASE_URL = "http://localhost"


def may_run_without_base_url(app: Flask) -> bool:
    return bool(app.debug or app.testing)


def require_base_url(app: Flask, *, allow_missing: bool = False) -> str | None:
    """Check LMS_BASE_URL at start-up (normalised in the config); ConfigError when it is
    missing outside debug and tests (and the CLI, which checks it where a command mails)."""
    value = app.config.get("LMS_BASE_URL")
    if value:
        app.config["LMS_BASE_URL"] = check_base_url(value)
        return str(app.config["LMS_BASE_URL"])
    if not (allow_missing or may_run_without_base_url(app)):
        raise ConfigError(HOW_TO_SET_THE_BASE_URL)
    return None


def base_url() -> str:
    """The site's public address, without a trailing slash."""
    configured = current_app.config.get("LMS_BASE_URL")
    if configured:
        return check_base_url(configured)
    if not may_run_without_base_url(current_app):
        raise ConfigError(HOW_TO_SET_THE_BASE_URL)
    if has_request_context():
        return request.host_url.rstrip("/") + request.script_root
    return FALLBACK_BASE_URL


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of an LMS endpoint (named relative to the LMS: "catalogue.index")."""
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    name = lms_endpoint(endpoint)
    current_app.inject_url_defaults(name, values)
    return adapter.build(name, values, force_external=True)
