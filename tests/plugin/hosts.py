"""Two real-world hosts, built with the packages they use (not imitations):

- a Flask-Security-Too host (its models from `flask_security.models.fsqla_v3`), whose
  `get_id()` is `fs_uniquifier`, rotated on every password change and reset;
- a Flask-Admin host with its own `admin`, `profile` and `auth` blueprints.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask
from flask_admin import Admin
from flask_admin.contrib.sqla import ModelView
from flask_login import LoginManager, UserMixin, login_user
from flask_security import Security, SQLAlchemyUserDatastore
from flask_security.models import fsqla_v3 as fsqla
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

from lms import LMS

# -- Flask-Security-Too -------------------------------------------------------------------


class SecurityBase(DeclarativeBase):
    pass


security_db = SQLAlchemy(model_class=SecurityBase)
fsqla.FsModels.set_db_info(security_db, user_table_name="fs_user", role_table_name="fs_role")


# fsqla's relationships name the classes "User" and "Role" (in this registry only).
class Role(security_db.Model, fsqla.FsRoleMixin):  # type: ignore[name-defined,misc]
    __tablename__ = "fs_role"


class User(security_db.Model, fsqla.FsUserMixin):  # type: ignore[name-defined,misc]
    __tablename__ = "fs_user"
    first_name = sa.Column(sa.String(60))
    last_name = sa.Column(sa.String(60))


SecurityUser, SecurityRole = User, Role


#: Reset tokens Flask-Security "mailed", by email (the test reads them from here).
RESET_TOKENS: dict[str, str] = {}


def security_host(database_url: str, **config: Any) -> Flask:
    from flask_security.signals import reset_password_instructions_sent

    app = Flask("security_host")
    app.config.update(
        TESTING=True,
        SECRET_KEY="security-host-secret",
        SQLALCHEMY_DATABASE_URI=database_url,
        SECURITY_PASSWORD_SALT="security-host-salt",
        SECURITY_PASSWORD_HASH="pbkdf2_sha512",
        SECURITY_CHANGEABLE=True,
        SECURITY_LOGOUT_METHODS=["POST"],  # the default of recent releases
        SECURITY_EMAIL_VALIDATOR_ARGS={"check_deliverability": False},  # no network in tests
        SECURITY_RECOVERABLE=True,
        SECURITY_SEND_PASSWORD_RESET_EMAIL=False,
        SECURITY_SEND_PASSWORD_CHANGE_EMAIL=False,
        SECURITY_SEND_PASSWORD_RESET_NOTICE_EMAIL=False,
        WTF_CSRF_ENABLED=False,  # the host's forms; the LMS checks its own tokens
        LMS_BASE_URL="http://localhost",
        **config,
    )
    security_db.init_app(app)
    Security(app, SQLAlchemyUserDatastore(security_db, SecurityUser, SecurityRole))

    def remember_token(_app: Flask, user: SecurityUser, token: str, **_: Any) -> None:
        RESET_TOKENS[user.email] = token

    reset_password_instructions_sent.connect(remember_token, app, weak=False)
    LMS(app, url_prefix="/learn")
    with app.app_context():
        security_db.create_all()
    return app


# -- Flask-Admin, with the host's own admin, profile and auth blueprints ----------------------


class AdminBase(DeclarativeBase):
    pass


admin_db = SQLAlchemy(model_class=AdminBase)


class AdminHostUser(UserMixin, admin_db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "admin_host_user"
    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(200), nullable=False)
    first_name = sa.Column(sa.String(60))
    last_name = sa.Column(sa.String(60))


def admin_host(database_url: str, **config: Any) -> Flask:
    app = Flask("admin_host")
    app.config.update(
        TESTING=True,
        SECRET_KEY="admin-host-secret",
        SQLALCHEMY_DATABASE_URI=database_url,
        LMS_BASE_URL="http://localhost",
        **config,
    )
    admin_db.init_app(app)
    login = LoginManager(app)
    login.login_view = "auth.login"

    @login.user_loader
    def load(user_id: str) -> AdminHostUser | None:
        return admin_db.session.get(AdminHostUser, int(user_id))

    admin = Admin(app, name="Host admin")  # registers the blueprint named "admin"
    admin.add_view(ModelView(AdminHostUser, admin_db, name="Users"))

    profile = Blueprint("profile", __name__)
    auth = Blueprint("auth", __name__)

    @profile.get("/profile/")
    def index() -> str:
        return "the host's profile page"

    @auth.get("/auth/login/<int:user_id>")
    def login_as(user_id: int) -> str:
        user = admin_db.session.get(AdminHostUser, user_id)
        assert user is not None
        login_user(user)
        return "signed in"

    @auth.get("/auth/login")
    def login() -> str:
        return "the host's sign-in page"

    @auth.get("/auth/logout")
    def logout() -> str:
        return "signed out"

    app.register_blueprint(profile)
    app.register_blueprint(auth)
    LMS(app, url_prefix="/learn")
    with app.app_context():
        admin_db.create_all()
    return app
