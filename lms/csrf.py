"""CSRF protection for the LMS's own routes only.

`CSRFProtect(app)` would also guard (or break) a host app's routes, so each LMS blueprint
checks its own unsafe requests: a form field `csrf_token` or an `X-CSRFToken` header
(for fetch/JSON requests such as autosave).
"""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms import ValidationError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

__all__ = ["generate_csrf", "protect"]


def require_csrf_token() -> None:
    if request.method in SAFE_METHODS:
        return
    token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
    try:
        validate_csrf(token)
    except ValidationError as error:
        abort(
            400,
            description=f"{error.args[0]} This form may have expired or come from another "
            "site: reload the page and try again.",
        )


def protect(blueprint: Blueprint) -> None:
    blueprint.before_request(require_csrf_token)
