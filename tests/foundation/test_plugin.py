"""Mounting the LMS into a host app that has its own database, users, login and migrations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask
from flask_login import LoginManager, UserMixin, login_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from lms import LMS, UserInfo, migrate
from lms.config import ConfigError
from lms.identity import default_user_info
from lms.models import Course, Lesson, Module, Profession, Profile, Track
from tests.conftest import post_form

HOST_OVERRIDE = "<h1>Host's own catalogue</h1>"


def make_host_app(database_url: str, folder: Path, **config: object) -> Flask:
    """A small host app written the way Flask apps usually are."""
    (folder / "templates" / "lms" / "learning").mkdir(parents=True, exist_ok=True)
    app = Flask("host", template_folder=str(folder / "templates"), root_path=str(folder))
    app.config.update(
        SECRET_KEY="host-secret",
        TESTING=True,
        SQLALCHEMY_DATABASE_URI=database_url,
        **config,
    )

    class HostBase(so.DeclarativeBase):
        pass

    db = SQLAlchemy(model_class=HostBase)

    class User(UserMixin, db.Model):  # type: ignore[name-defined]
        __tablename__ = "host_user"
        id: so.Mapped[int] = so.mapped_column(primary_key=True)
        email: so.Mapped[str] = so.mapped_column(sa.String(200))
        username: so.Mapped[str] = so.mapped_column(sa.String(80))

    db.init_app(app)
    login_manager = LoginManager(app)
    login_manager.login_view = "host_login"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id))

    @app.get("/")
    def host_home() -> str:
        return "host home"

    @app.get("/login", defaults={"user_id": 0})
    @app.get("/login/<int:user_id>")
    def host_login(user_id: int) -> str:
        user = db.session.get(User, user_id)
        if user is None:
            return "host sign-in page"
        login_user(user)
        return f"signed in as {user.username}"

    Migrate(app, db, directory=str(folder / "migrations"))
    app.extensions["host_models"] = {"User": User, "db": db}
    return app


@pytest.fixture
def host(empty_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_host_app(empty_database_url, tmp_path)
    LMS(app, url_prefix="/learn")
    yield app
    with app.app_context():
        db = app.extensions["host_models"]["db"]
        db.session.remove()
        db.engine.dispose()


def cli(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_host_keeps_its_database_login_and_migrations(host: Flask) -> None:
    db = host.extensions["host_models"]["db"]
    assert host.extensions["sqlalchemy"] is db  # the LMS registered no second SQLAlchemy
    assert host.login_manager.login_view == "host_login"  # nor replaced the login manager

    # The host's own Alembic history (Flask-Migrate), then the LMS's, side by side.
    cli(host, "db", "init")
    cli(host, "db", "migrate", "-m", "host users")
    cli(host, "db", "upgrade")
    cli(host, "lms", "db", "upgrade")
    with host.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"host_user", "alembic_version", "lms_course", migrate.VERSION_TABLE} <= tables
        with db.engine.connect() as connection:
            host_revision = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            assert host_revision.scalar() != migrate.current_revision()
    # The host's history is untouched by the LMS: its next autogenerate sees nothing to do,
    # once the host filters out the LMS's tables as the README shows.
    migrate_ext = host.extensions["migrate"]
    migrate_ext.configure_args["include_name"] = migrate.exclude_lms_tables
    assert "No changes in schema detected" in cli(host, "db", "migrate", "-m", "nothing")


def test_host_user_uses_the_lms(host: Flask) -> None:
    models = host.extensions["host_models"]
    db = models["db"]
    with host.app_context():
        db.create_all()
        migrate.upgrade()
        user = models["User"](email="ana@example.com", username="ana")
        db.session.add(user)
        course = Course(
            slug="demo",
            title="Demo course",
            track=Track.SELF_PACED,
            audience="Nurses",
            summary="A demo.",
            estimated_hours=1,
            ce_hours=1,
        )
        module = Module(course=course, slug="m1", title="Module one")
        db.session.add(
            Lesson(
                course=course,
                module=module,
                slug="welcome",
                title="Welcome",
                minutes=5,
                body_markdown="Hi",
                body_html="<p>Hello from the lesson</p>",
                content_hash="x",
            )
        )
        db.session.commit()
        user_id = user.id

    client = host.test_client()
    assert client.get("/").get_data(as_text=True) == "host home"
    lesson_url = "/learn/courses/demo/lessons/welcome"
    anonymous = client.get(lesson_url)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/login?next=")  # the host's login view

    assert client.get(f"/login/{user_id}").get_data(as_text=True) == "signed in as ana"
    # First visit: the LMS asks the host's user only for what it lacks (the profession).
    first_visit = client.get(lesson_url)
    assert first_visit.status_code == 302
    assert first_visit.headers["Location"].startswith("/learn/profile/complete")
    with host.app_context():
        profile = db.session.scalar(sa.select(Profile).where(Profile.user_id == str(user_id)))
        assert profile is not None
        assert (profile.email, profile.display_name) == ("ana@example.com", "ana")
        profile.profession = Profession.NURSE
        db.session.commit()

    assert client.get(lesson_url).status_code == 403  # not enrolled yet
    enrolled = post_form(client, "/learn/courses/demo/enrol", {}, token_from="/learn/")
    assert enrolled.headers["Location"] == "/learn/courses/demo/"
    response = client.get(lesson_url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Hello from the lesson" in html
    assert 'href="/learn/static/lms/lms.css"' in html
    assert "/learn/courses/demo/lessons/welcome/ping" in html


def test_host_overrides_an_lms_template_by_path(host: Flask, tmp_path: Path) -> None:
    with host.app_context():
        migrate.upgrade()
    client = host.test_client()
    assert "<h1>Courses</h1>" in client.get("/learn/").get_data(as_text=True)
    override = tmp_path / "templates" / "lms" / "catalogue" / "index.html"
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text(HOST_OVERRIDE)
    host.jinja_env.cache = {}
    assert client.get("/learn/").get_data(as_text=True) == HOST_OVERRIDE


def test_unknown_lms_setting_in_host_config_is_an_error(database_url: str, tmp_path: Path) -> None:
    app = make_host_app(database_url, tmp_path, LMS_URL_PREFX="/learn")
    with pytest.raises(ConfigError, match="LMS_URL_PREFX"):
        LMS(app)


def test_lms_needs_the_host_to_set_up_sqlalchemy_and_login_first() -> None:
    with pytest.raises(ConfigError, match="Flask-SQLAlchemy"):
        LMS(Flask("bare"))
    app = Flask("no_login")
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    SQLAlchemy(app)
    with pytest.raises(ConfigError, match="Flask-Login"):
        LMS(app)


def test_security_headers_only_on_lms_responses(host: Flask) -> None:
    with host.app_context():
        migrate.upgrade()
    client = host.test_client()
    assert "X-Content-Type-Options" not in client.get("/").headers
    lms_page = client.get("/learn/")
    assert lms_page.headers["X-Content-Type-Options"] == "nosniff"
    # The host's own policy (if any) governs its layout's styles and scripts: the LMS adds
    # none unless the host asks for one.
    assert "Content-Security-Policy" not in lms_page.headers


def test_a_host_can_ask_for_the_lms_policy(empty_database_url: str, tmp_path: Path) -> None:
    app = make_host_app(empty_database_url, tmp_path, LMS_CONTENT_SECURITY_POLICY="strict")
    LMS(app, url_prefix="/learn")
    with app.app_context():
        migrate.upgrade()
    client = app.test_client()
    assert "script-src 'self'" in client.get("/learn/").headers["Content-Security-Policy"]
    assert "Content-Security-Policy" not in client.get("/").headers
    with app.app_context():
        app.extensions["host_models"]["db"].engine.dispose()


def test_user_info_must_return_a_user_info(empty_database_url: str, tmp_path: Path) -> None:
    app = make_host_app(empty_database_url, tmp_path)
    LMS(app, url_prefix="/learn", user_info=lambda user: (user.email, user.username))
    with app.app_context():
        migrate.upgrade()
        models = app.extensions["host_models"]
        models["db"].create_all()
        models["db"].session.add(models["User"](email="ana@example.com", username="ana"))
        models["db"].session.commit()
    client = app.test_client()
    client.get("/login/1")
    with pytest.raises(TypeError, match=r"must return lms.UserInfo\(email=..., name=...\)"):
        client.get("/learn/")
    with app.app_context():
        app.extensions["host_models"]["db"].engine.dispose()


def test_a_host_can_key_profiles_on_its_own_permanent_id(
    empty_database_url: str, tmp_path: Path
) -> None:
    app = make_host_app(empty_database_url, tmp_path)
    LMS(
        app,
        url_prefix="/learn",
        user_key=lambda user: f"staff-{user.username}",
        user_info=lambda user: UserInfo(user.email, user.username.title()),
    )
    with app.app_context():
        migrate.upgrade()
        models = app.extensions["host_models"]
        models["db"].create_all()
        models["db"].session.add(models["User"](email="ana@example.com", username="ana"))
        models["db"].session.commit()
    client = app.test_client()
    client.get("/login/1")
    client.get("/learn/")
    with app.app_context():
        profile = app.extensions["host_models"]["db"].session.scalar(sa.select(Profile))
        assert profile is not None
        assert (profile.user_id, profile.display_name) == ("staff-ana", "Ana")
        app.extensions["host_models"]["db"].engine.dispose()


@pytest.mark.parametrize(
    ("attributes", "shown"),
    [
        ({"name": "Ana Alves", "username": "ana"}, "Ana Alves"),
        ({"full_name": "Ana Alves"}, "Ana Alves"),
        ({"first_name": "Ana", "last_name": "Alves", "username": "aalves"}, "Ana Alves"),
        ({"first_name": "Ana", "last_name": None}, "Ana"),
        ({"username": "aalves"}, "aalves"),
        ({}, "ana.alves"),
    ],
)
def test_default_user_info_reads_the_names_hosts_use(
    attributes: dict[str, str | None], shown: str
) -> None:
    user = SimpleNamespace(email="ana.alves@example.com", **attributes)
    assert default_user_info(user) == UserInfo("ana.alves@example.com", shown)


def test_without_a_creation_time_the_email_marks_the_user_and_follows_orm_changes(
    host: Flask,
) -> None:
    """The host's users have no creation time: the marker is the email, and a new email
    saved through the ORM moves with the user (the profile stays theirs)."""
    models = host.extensions["host_models"]
    db = models["db"]
    with host.app_context():
        migrate.upgrade()
        db.create_all()
        db.session.add(models["User"](email="ana@example.com", username="ana"))
        db.session.commit()
    client = host.test_client()
    client.get("/login/1")
    client.get("/learn/")
    with host.app_context():
        db.session.get(models["User"], 1).email = "ana@example.net"
        db.session.commit()
    client = host.test_client()
    client.get("/login/1")
    client.get("/learn/")
    with host.app_context():
        profiles = db.session.execute(sa.select(Profile.id, Profile.user_id, Profile.email)).all()
        assert [tuple(p) for p in profiles] == [(1, "1", "ana@example.net")]


@pytest.mark.parametrize(
    "command",
    [
        ["lms", "courses", "sync"],
        ["lms", "users", "set-role", "ana@example.com", "admin"],
        ["lms", "users", "forget", "1", "--yes"],
        ["lms", "grading", "digest"],
    ],
)
def test_commands_before_db_upgrade_say_what_to_run_in_one_line(
    host: Flask, command: list[str]
) -> None:
    result = host.test_cli_runner().invoke(args=command)
    assert result.exit_code == 1
    assert result.output == (
        "Error: The database has no LMS tables: run `flask lms db upgrade` first.\n"
    )


def test_a_command_on_an_out_of_date_database_says_to_upgrade(host: Flask) -> None:
    with host.app_context():
        migrate.upgrade("6c1f3e2a9b04")  # the revision before profiles' stable keys
    result = host.test_cli_runner().invoke(args=["lms", "users", "set-role", "a@b.c", "admin"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: The database is at 6c1f3e2a9b04, the code needs {migrate.head_revision()}: "
        "run `flask lms db upgrade` first.\n"
    )


def test_the_standalone_command_names_its_own_upgrade(empty_database_url: str) -> None:
    from tests.conftest import make_test_app

    app = make_test_app(empty_database_url)
    result = app.test_cli_runner().invoke(args=["lms", "courses", "sync"])
    assert result.output == "Error: The database has no LMS tables: run `lms db upgrade` first.\n"
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()
