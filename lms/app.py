"""`create_app`: the standalone LMS, with its own database, sign-in and accounts."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import Flask, redirect
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from lms.config import (
    HOW_TO_SET_THE_KEY,
    STANDALONE_DEFAULTS,
    STANDALONE_FLASK_DEFAULTS,
    ConfigError,
    apply_standalone_settings,
    trusted_hosts,
)
from lms.config_sources import read_settings
from lms.database import configure_sqlite
from lms.errors import handle_busy_database, handle_too_large
from lms.extension import LMS
from lms.extras import how_to_install, missing
from lms.links import require_base_url
from lms.security import SessionInterface, add_security_headers
from lms.web import lms_url_for, render_error


def create_app(
    config: Mapping[str, Any] | None = None, *, allow_missing_secret: bool = False
) -> Flask:
    """Build the standalone app: settings from LMS_CONFIG_FILE, then the environment, then
    `config` (lms.config_sources)."""
    app = Flask("lms", instance_relative_config=True, static_folder=None)
    app.session_interface = SessionInterface()  # Secure cookie over HTTPS
    app.config.from_mapping(STANDALONE_FLASK_DEFAULTS | STANDALONE_DEFAULTS)
    app.config.from_mapping(read_settings(os.environ))
    app.config.from_mapping(config or {})
    apply_standalone_settings(app.config, config or {})
    require_standalone_extras()
    ephemeral = configure_secret_key(app, allow_missing_secret)
    configure_hosts(app, allow_missing_secret)
    configure_database(app)
    configure_login(app)
    from lms.accounts.throttle import init_throttling
    from lms.accounts.views import bp as accounts

    LMS().init_app(app, accounts=accounts)
    app.extensions["lms"].ephemeral_secret = ephemeral
    init_throttling(app)

    trust_proxies(app)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    app.register_error_handler(HTTPException, render_error)
    handle_busy_database(app)
    handle_too_large(app)  # 413: the LMS's page saying what to do
    app.after_request(add_security_headers)
    return app


def require_standalone_extras() -> None:
    """The standalone app throttles sign-in (Flask-Limiter) and checks new passwords
    (zxcvbn): both come with `lms[standalone]`, which a host app does not need."""
    if missing("standalone", ("flask_limiter", "zxcvbn")):
        raise ConfigError(
            how_to_install("standalone", "The standalone app (sign-in throttling, passwords)")
        )


def favicon() -> Response:
    """Browsers that ask for /favicon.ico before reading a page's icon link get the LMS's
    icon (its pages link to it; this saves a 404 on a first visit)."""
    return redirect(lms_url_for("static", filename="favicon.svg"), code=301)


def configure_secret_key(app: Flask, allow_missing: bool) -> bool:
    """Refuse to run without a secret key, except in debug, tests and the CLI."""
    if app.config.get("SECRET_KEY"):
        return False
    if not (app.debug or app.testing or allow_missing):
        raise ConfigError(HOW_TO_SET_THE_KEY)
    app.config["SECRET_KEY"] = secrets.token_hex(32)
    return True


def configure_hosts(app: Flask, allow_missing: bool) -> None:
    """Links from LMS_BASE_URL; requests for any other host name are refused with a 400
    (Flask's TRUSTED_HOSTS, unless the config sets its own)."""
    base = require_base_url(app, allow_missing=allow_missing)
    if base and app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = trusted_hosts(base, app.config.get("LMS_TRUSTED_HOSTS"))


def trust_proxies(app: Flask) -> None:
    """Behind LMS_PROXY_COUNT proxies, take the client's address, scheme and host from their
    X-Forwarded-* headers (so throttles count per client, and HTTPS is seen as HTTPS)."""
    count = int(app.config["LMS_PROXY_COUNT"])
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]


def configure_database(app: Flask) -> None:
    url = str(app.config.get("SQLALCHEMY_DATABASE_URI") or "")
    if url.startswith("postgresql+psycopg") and missing("postgres"):
        raise ConfigError(how_to_install("postgres", "PostgreSQL"))
    os.makedirs(app.instance_path, exist_ok=True)
    db = SQLAlchemy()
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            configure_sqlite(engine)


def configure_login(app: Flask) -> None:
    from lms.accounts.sessions import session_is_current
    from lms.database import session
    from lms.identity.profiles import remember_profile
    from lms.models import Account, Profile

    login = LoginManager()
    login.login_view = "lms.accounts.sign_in"
    login.login_message = "Please sign in to continue."
    login.init_app(app)

    @login.user_loader
    def load_account(user_id: str) -> Account | None:
        if not user_id.isdigit():
            return None
        # The account and its LMS profile in one query (every signed-in page needs both).
        row = session.execute(
            sa.select(Account, Profile)
            .outerjoin(Profile, Profile.user_id == sa.cast(Account.id, sa.String))
            .where(Account.id == int(user_id))
        ).first()
        if row is None:
            return None
        account, profile = row
        # A session from before the last sign-out or password change is refused.
        if not session_is_current(account):
            return None
        remember_profile(str(account.id), profile)
        return account
