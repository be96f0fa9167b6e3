"""An example host: a small Flask app of its own that mounts the LMS under /learn.

Written the way Flask apps usually are: an app factory, extensions made at import and
initialised in the factory, Flask-Login users, Flask-Migrate for its own tables. The LMS
reuses its database, users and sign-in, and renders inside its layout (templates/base.html).

    flask --app examples.host_app db upgrade        # the host's tables (its own history)
    flask --app examples.host_app lms db upgrade    # the LMS's tables (the LMS's history)
    flask --app examples.host_app lms courses sync
    flask --app examples.host_app add-user ana@example.org Ana
    flask --app examples.host_app run
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

from lms import LMS
from lms.migrate import exclude_lms_tables

HERE = Path(__file__).parent


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
login = LoginManager()
migrate = Migrate()
lms = LMS(url_prefix="/learn")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(
        SECRET_KEY="change-me",  # noqa: S106  (an example; the LMS signs with the host's key)
        SQLALCHEMY_DATABASE_URI="sqlite:///host_app.sqlite3",
        LMS_BASE_URL="http://127.0.0.1:5000",  # links in the LMS's mail start here
        LMS_BASE_TEMPLATE="base.html",  # LMS pages render inside the host's layout
        LMS_HOST_HOME_LABEL="Back to Example Clinic",
    )
    if config:
        app.config.update(config)

    db.init_app(app)
    login.init_app(app)
    login.login_view = "auth.login"
    migrate.init_app(app, db, directory=str(HERE / "migrations"), include_name=exclude_lms_tables)

    from examples.host_app import models  # noqa: F401  (the host's tables)
    from examples.host_app.views import auth, main, register_commands

    app.register_blueprint(main)
    app.register_blueprint(auth, url_prefix="/auth")
    register_commands(app)
    lms.init_app(app)  # after the host's own setup: it reuses db and login
    return app
