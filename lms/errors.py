"""A busy or unreachable database answers 503 "please retry", never 500.

Two things are worth a retry rather than an error page: SQLite's busy timeout expiring
(`database is locked`: another writer held the lock longer than the timeout) and a
PostgreSQL server that is restarting, unreachable, out of connections or cancelled a
statement (an `OperationalError` with no SQLSTATE, as when the connection is refused or
lost, or one of the SQLSTATEs below: admin shutdown, lock or statement timeout, deadlock,
serialisation failure), plus a pool with no free connection in time. The request's
transaction is rolled back, so nothing of it is kept, and the user gets a 503 with
`Retry-After`: a short page, or JSON for the autosave script.

Other `OperationalError`s (SQLite's "no such table", PostgreSQL's "program limit
exceeded") are bugs or a missing migration, not a busy database: they stay 500s.

    handle_busy_database(app)            # the standalone app (lms.app)
    handle_busy_database(*BLUEPRINTS)    # the LMS's blueprints, in any host (lms.extension)

A connection lost after the response was made is not an error at all for the user:
`close_sessions_quietly(app)` (lms.extension) keeps it from becoming a 500.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy.exc
from flask import Blueprint, Flask, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from lms.database import session
from lms.web import render_error

MESSAGE = "The service is busy, please retry in a moment."
#: Seconds a client should wait before retrying (the Retry-After header).
RETRY_AFTER = 5
#: SQLITE_BUSY and SQLITE_LOCKED (extended codes carry them in their low byte).
SQLITE_BUSY_CODES = frozenset({5, 6})
SQLITE_BUSY_WORDS = ("database is locked", "database table is locked", "database is busy")
#: PostgreSQL SQLSTATE classes worth a retry: connection exception, transaction rollback
#: (serialisation failure, deadlock), insufficient resources (too many connections),
#: operator intervention (shutdown, cannot connect now, statement cancelled), system error.
#: Not class 54 (program limit exceeded: the same request would fail again).
POSTGRES_BUSY_CLASSES = frozenset({"08", "40", "53", "57", "58"})
POSTGRES_BUSY_STATES = frozenset({"55P03"})  # lock_not_available (lock_timeout, NOWAIT)

#: A page that needs nothing from the database (no profile, no navigation, no context
#: processors): the database is the thing that is not answering.
PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Service busy · {{ site_name }}</title>
  {% if stylesheet %}<link rel="stylesheet" href="{{ stylesheet }}">{% endif %}
</head>
<body class="lms">
  <main id="main" class="lms-wrap">
    <section class="lms-card lms-error-page" aria-labelledby="error-title">
      <h1 id="error-title">Service busy</h1>
      <p>{{ message }}</p>
      <p>Nothing was changed. Wait a few seconds, then try again.</p>
    </section>
  </main>
</body>
</html>
"""


def is_busy(error: BaseException) -> bool:
    """True when `error` means "the database is busy or unreachable: retry shortly"."""
    if isinstance(error, sqlalchemy.exc.TimeoutError):  # no pooled connection came free
        return True
    if not isinstance(error, sqlalchemy.exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    original = error.orig
    if isinstance(original, sqlite3.Error):
        code = getattr(original, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in SQLITE_BUSY_CODES
        return any(words in str(original).lower() for words in SQLITE_BUSY_WORDS)
    if not isinstance(error, sqlalchemy.exc.OperationalError):
        return False
    # psycopg (`sqlstate`) or psycopg2 (`pgcode`); none: no answer from the server at all.
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if not sqlstate:
        return True
    return sqlstate[:2] in POSTGRES_BUSY_CLASSES or sqlstate in POSTGRES_BUSY_STATES


def busy_response(error: Exception) -> Response | tuple[Any, int, dict[str, str]]:
    """Roll back and answer 503; re-raise anything that is not a busy database."""
    if not is_busy(error):
        raise error
    try:
        session.rollback()
    except Exception:  # the connection may be gone: the pool replaces it on next use
        current_app.logger.warning("Rollback after a busy database failed", exc_info=True)
    original = getattr(error, "orig", None) or error
    current_app.logger.warning(
        "Database busy or unreachable, answered 503 for %s %s: %s",
        request.method,
        request.path,
        str(original).strip().splitlines()[0] if str(original).strip() else type(original),
    )
    headers = {"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"}
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return jsonify(status="busy", error=MESSAGE), 503, headers
    stylesheet = None
    if "lms" in current_app.extensions:
        name = current_app.extensions["lms"].name
        stylesheet = current_app.url_for(f"{name}.static", filename="lms.css")
    # Rendered without the app's context processors: they load the signed-in user.
    page = current_app.jinja_env.from_string(PAGE).render(
        site_name=current_app.config.get("LMS_SITE_NAME", ""),
        message=MESSAGE,
        stylesheet=stylesheet,
    )
    return page, 503, headers


def handle_busy_database(*targets: Flask | Blueprint) -> None:
    """Answer a busy database with 503 on an app (every route) or on blueprints."""
    for target in targets:
        target.register_error_handler(sqlalchemy.exc.OperationalError, busy_response)
        target.register_error_handler(sqlalchemy.exc.TimeoutError, busy_response)


def close_sessions_quietly(app: Flask) -> None:
    """Close each request's session before Flask-SQLAlchemy's teardown would, and let a
    connection that died once the response was made (a database restart) go quietly.

    Closing rolls back what the request left open; on a connection the server has just
    ended that ROLLBACK fails and, raised from a teardown, turns a finished response into a
    500, even for answers that were committed. The server ended the transaction with the
    connection, so nothing is lost by going on; SQLAlchemy has already thrown the
    connection away. Any other error still raises.
    """

    @app.teardown_appcontext
    def close_session(_error: BaseException | None) -> None:
        try:
            session.remove()
        except sqlalchemy.exc.DBAPIError as error:
            if not error.connection_invalidated:
                raise
            current_app.logger.warning(
                "The database connection was lost after the response: %s", error.orig
            )


# -- a request too large (413) -------------------------------------------------------------------
#
#     handle_too_large(app)            # the standalone app (lms.app)
#     handle_too_large(*BLUEPRINTS)    # the LMS's blueprints, in any host (lms.extension)


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):g} MB"
    return f"{count / 1000:g} kB"


def too_large_message() -> str:
    """What a person reads when a form or upload is over the app's size limits."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    most = f" (at most {_size(limit)})" if limit else ""
    return (
        f"What you sent is more than this site accepts{most}. Nothing was saved: shorten "
        "the text, or paste fewer lines at a time, and send it again."
    )


def too_large_response(error: RequestEntityTooLarge) -> Any:
    """413 as the LMS's error page (JSON for the autosave script), not werkzeug's."""
    message = too_large_message()
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return jsonify(status="error", error=message), 413
    return render_error(RequestEntityTooLarge(description=message))


def handle_too_large(*targets: Flask | Blueprint) -> None:
    """Answer a request over MAX_CONTENT_LENGTH (or a multipart field over
    MAX_FORM_MEMORY_SIZE) with a page that says what to do."""
    for target in targets:
        target.register_error_handler(RequestEntityTooLarge, too_large_response)
