"""The standalone app: it starts, serves real pages, and refuses bad configuration."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from lms import create_app
from lms.config import ConfigError, normalise_database_url
from tests.conftest import Users, make_test_app, post_form


def test_home_page_is_the_catalogue(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Courses</h1>" in html
    assert 'href="/static/lms/lms.css"' in html
    with client.get("/static/lms/lms.css") as stylesheet:
        assert stylesheet.status_code == 200


def test_unknown_page_is_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/courses/no-such-course/")
    assert response.status_code == 404
    assert "There is no course at this address." in response.get_data(as_text=True)


def test_refuses_to_start_without_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigError, match="export LMS_SECRET_KEY="):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_reads_secret_and_database_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LMS_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("LMS_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    monkeypatch.setenv("LMS_BASE_URL", "https://learn.example.org/")
    monkeypatch.setenv("LMS_TRUSTED_HOSTS", "www.learn.example.org, learn.internal")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["LMS_BASE_URL"] == "https://learn.example.org"
    assert app.config["TRUSTED_HOSTS"] == [
        "learn.example.org",
        "www.learn.example.org",
        "learn.internal",
    ]
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_unknown_lms_setting_is_an_error(database_url: str) -> None:
    with pytest.raises(ConfigError, match="LMS_SITE_NAEM"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "LMS_SITE_NAEM": "x"})


def test_plain_postgres_urls_use_psycopg3() -> None:
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    app = make_test_app(f"sqlite:///{tmp_path / 'lms.sqlite3'}")
    with app.app_context(), app.extensions["sqlalchemy"].engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 5000


def test_sign_in_and_out(client: FlaskClient, users: Users) -> None:
    users.create("nurse@example.com")
    response = users.sign_in("nurse@example.com")
    assert response.status_code == 302
    assert "Nurse" in client.get("/").get_data(as_text=True)
    response = post_form(client, "/sign-out", {})
    assert response.status_code == 302
    assert "Sign in" in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_with_a_message(client: FlaskClient, users: Users) -> None:
    users.create("nurse@example.com")
    response = users.sign_in("nurse@example.com", "wrong password!")
    assert response.status_code == 200
    assert "The email or password is not right." in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client: FlaskClient, users: Users) -> None:
    users.create("nurse@example.com")
    response = client.post("/sign-in", data={"email": "nurse@example.com", "password": "x"})
    assert response.status_code in (200, 400)
    response = client.post("/sign-out")
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_sign_in_never_redirects_off_site(client: FlaskClient, users: Users, target: str) -> None:
    users.create("nurse@example.com")
    response = post_form(
        client,
        f"/sign-in?next={target}",
        {"email": "nurse@example.com", "password": "correct horse battery"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_every_page_carries_security_headers(client: FlaskClient) -> None:
    for path in ("/", "/courses/missing/", "/static/lms/lms.css", "/no-such-page"):
        with client.get(path) as response:
            csp = response.headers["Content-Security-Policy"]
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp
            assert "object-src 'none'" in csp and "base-uri 'none'" in csp
            assert "frame-ancestors" in csp
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_scripts_or_handlers(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html
    assert " onclick=" not in html and " onload=" not in html


def test_form_fields_link_errors_only_when_there_are_errors(
    client: FlaskClient, users: Users
) -> None:
    clean = client.get("/sign-in").get_data(as_text=True)
    assert "aria-invalid" not in clean and "None" not in clean
    users.create("nurse@example.com")
    html = users.sign_in("nurse@example.com", "wrong password!").get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="password-error"' in html
    assert 'id="password-error"' in html


def test_ids_that_cannot_exist_are_404_not_errors(client: FlaskClient, users: Users) -> None:
    users.create("nurse@example.com", role="admin")
    users.sign_in("nurse@example.com")
    for url in (
        "/attempts/99999999999999999999",
        "/attempts/2147483648/review",
        "/teach/learners/99999999999999999999",
        "/teach/cohorts/99999999999999999999/roster",
        "/teach/grading/answers/0",
    ):
        assert client.get(url).status_code == 404, url
