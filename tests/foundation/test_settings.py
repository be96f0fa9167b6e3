"""Settings a deployer sets without Python: `LMS_*` environment variables and the TOML file
named by LMS_CONFIG_FILE, typed, checked at start-up, secrets never repeated (issue 14)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request

from lms import LMS, create_app
from lms.config import DEFAULTS, ConfigError
from lms.config_sources import from_text, from_toml, is_secret, read_settings
from tests.conftest import app_with_tables
from tests.foundation.test_cli import lms
from tests.foundation.test_plugin import make_host_app


@pytest.fixture(autouse=True)
def no_settings_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test sets: not the settings of the shell the tests run from."""
    for name in list(os.environ):
        if name.startswith("LMS_") and not name.startswith("LMS_TEST_"):
            monkeypatch.delenv(name)


def standalone(tmp_path: Path, **config: Any) -> Flask:
    database = f"sqlite:///{tmp_path / 'lms.sqlite3'}"
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database} | config)


def config_file(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "lms.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("LMS_CONFIG_FILE", str(path))
    return path


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Any]:
    """Build an app with tables (SQLite) from the current environment."""
    apps: list[Any] = []

    def build(**config: Any) -> Flask:
        context = app_with_tables(f"sqlite:///{tmp_path / 'served.sqlite3'}", **config)
        apps.append(context)
        return context.__enter__()

    yield build
    for context in apps:
        context.__exit__(None, None, None)


# -- typed values from the environment -------------------------------------------------------------


def test_every_kind_of_value_is_read_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LMS_SMTP_PORT", "2525")
    monkeypatch.setenv("LMS_SMTP_STARTTLS", "off")
    monkeypatch.setenv("LMS_SMTP_HOST", "mail.internal")
    monkeypatch.setenv("LMS_BASE_URL", "https://learn.example.org")
    monkeypatch.setenv("LMS_TRUSTED_HOSTS", '["www.learn.example.org", "lms.internal"]')
    monkeypatch.setenv("LMS_HSTS_MAX_AGE", "600")
    monkeypatch.setenv("LMS_QUIZ_GRACE_SECONDS", " 45 ")
    app = standalone(tmp_path)
    assert app.config["LMS_SMTP_PORT"] == 2525
    assert app.config["LMS_SMTP_STARTTLS"] is False
    assert app.config["LMS_SMTP_HOST"] == "mail.internal"
    assert app.config["LMS_HSTS_MAX_AGE"] == 600
    assert app.config["LMS_QUIZ_GRACE_SECONDS"] == 45
    assert app.config["TRUSTED_HOSTS"] == [
        "learn.example.org",
        "www.learn.example.org",
        "lms.internal",
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        *[("true", True), ("1", True), ("Yes", True), ("ON", True)],
        *[("false", False), ("0", False), ("no", False), ("Off", False)],
    ],
)
def test_booleans_have_clear_spellings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, value: bool
) -> None:
    monkeypatch.setenv("LMS_SMTP_STARTTLS", text)
    assert standalone(tmp_path).config["LMS_SMTP_STARTTLS"] is value


def test_an_empty_variable_counts_as_unset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMS_SMTP_PORT", "")
    monkeypatch.setenv("LMS_HSTS_MAX_AGE", " ")
    app = standalone(tmp_path)
    assert app.config["LMS_SMTP_PORT"] == DEFAULTS["LMS_SMTP_PORT"]
    assert app.config["LMS_HSTS_MAX_AGE"] == 365 * 24 * 3600  # the standalone default


def test_the_site_name_from_the_environment_is_on_the_pages(
    served: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LMS_SITE_NAME", "Ketamine Care Academy")
    page = served().test_client().get("/").get_data(as_text=True)
    assert "Ketamine Care Academy" in page


# -- the TOML file, and what wins ------------------------------------------------------------------


def test_settings_from_the_file_then_the_environment_then_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file(
        tmp_path,
        'LMS_SITE_NAME = "From the file"\n'
        "LMS_SMTP_PORT = 2525\n"
        'LMS_MAIL_SENDER = "file@example.org"\n'
        'LMS_TRUSTED_HOSTS = ["a.example.org"]\n'
        "LMS_SMTP_STARTTLS = false\n",
        monkeypatch,
    )
    app = standalone(tmp_path)
    assert app.config["LMS_SITE_NAME"] == "From the file"
    assert app.config["LMS_SMTP_PORT"] == 2525
    assert app.config["LMS_SMTP_STARTTLS"] is False
    assert app.config["LMS_TRUSTED_HOSTS"] == ["a.example.org"]

    monkeypatch.setenv("LMS_SITE_NAME", "From the environment")
    monkeypatch.setenv("LMS_SMTP_PORT", "465")
    app = standalone(tmp_path, LMS_SMTP_PORT=25)
    assert app.config["LMS_SITE_NAME"] == "From the environment"  # env beats the file
    assert app.config["LMS_SMTP_PORT"] == 25  # code beats both
    assert app.config["LMS_MAIL_SENDER"] == "file@example.org"  # the file's other settings stay


def test_a_host_name_list_in_the_file_reaches_trusted_hosts(
    served: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file(
        tmp_path,
        'LMS_BASE_URL = "https://learn.example.org"\nLMS_TRUSTED_HOSTS = ["lms.internal"]\n',
        monkeypatch,
    )
    client = served().test_client()
    assert client.get("/", base_url="https://lms.internal").status_code == 200
    assert client.get("/", base_url="https://evil.example").status_code == 400


# -- mistakes: named at start-up, secrets kept back ------------------------------------------------


def test_an_unknown_variable_is_named_with_a_suggestion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LMS_SMTP_HOTS", "mail.internal")
    with pytest.raises(ConfigError) as error:
        standalone(tmp_path)
    assert str(error.value) == (
        "Unknown setting in the environment: LMS_SMTP_HOTS (did you mean LMS_SMTP_HOST?)."
    )


def test_variables_that_are_not_settings_are_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LMS_TEST_SOMETHING", "x")
    monkeypatch.setenv("LMS_REQUIRE_BROWSER", "1")
    monkeypatch.setenv("LMS_CONFIG_FILE", "")
    assert standalone(tmp_path).config["LMS_SITE_NAME"] == DEFAULTS["LMS_SITE_NAME"]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("LMS_SMTP_PORT", "587.5", "a whole number"),
        ("LMS_HSTS_MAX_AGE", "a year", "a whole number"),
        ("LMS_SMTP_STARTTLS", "maybe", "true or false (or 1/0, yes/no, on/off)"),
        ("LMS_TRUSTED_HOSTS", '["unclosed', "a list (comma-separated, or a JSON array)"),
        ("LMS_TRUSTED_HOSTS", '[{"not": "a list"}', "a list (comma-separated, or a JSON array)"),
    ],
)
def test_a_value_of_the_wrong_type_names_the_setting_and_the_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str, expected: str
) -> None:
    monkeypatch.setenv(name, text)
    with pytest.raises(ConfigError) as error:
        standalone(tmp_path)
    assert str(error.value) == f"{name} in the environment must be {expected}, not {text!r}."


def test_every_problem_is_named_at_once_and_secrets_are_never_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = config_file(
        tmp_path,
        "LMS_SMTP_PASSWORD = 31415926535\n"
        'LMS_DATABASE_URL = ["postgresql://lms:hunter2-secret@db/lms"]\n'
        'LMS_SMTP_PORT = "587"\n'
        "LMS_SITE_NAME = true\n"
        'site_name = "x"\n'
        'LMS_SECRET_KEY = "fine, but the next one is unknown"\n'
        'LMS_SECRET = "swordfish-secret"\n',
        monkeypatch,
    )
    monkeypatch.setenv("LMS_SMTP_STARTTLS", "sometimes")
    with pytest.raises(ConfigError) as error:
        standalone(tmp_path)
    message = str(error.value)
    assert message.splitlines()[1:] == [
        f"- Unknown setting in {path}: LMS_SECRET (did you mean LMS_SECRET_KEY?).",
        f"- Unknown setting in {path}: site_name (did you mean LMS_SITE_NAME?). "
        "Settings are top-level keys named like the environment variables (LMS_...).",
        f'- LMS_SMTP_PASSWORD in {path} must be a string ("..."), not (value hidden: a secret).',
        f'- LMS_DATABASE_URL in {path} must be a string ("..."), '
        "not ['postgresql://lms:***@db/lms'].",
        f"- LMS_SMTP_PORT in {path} must be a whole number, not '587'.",
        f'- LMS_SITE_NAME in {path} must be a string ("..."), not True.',
        "- LMS_SMTP_STARTTLS in the environment must be true or false "
        "(or 1/0, yes/no, on/off), not 'sometimes'.",
    ]
    for secret in ("31415926535", "hunter2", "swordfish"):
        assert secret not in message


def test_a_file_that_cannot_be_read_or_parsed_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LMS_CONFIG_FILE", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match=r"missing\.toml', which cannot be read: No such file"):
        standalone(tmp_path)
    config_file(tmp_path, 'LMS_SMTP_PASSWORD = "unclosed-secret\n', monkeypatch)
    with pytest.raises(ConfigError, match="is not valid TOML") as error:
        standalone(tmp_path)
    assert "unclosed-secret" not in str(error.value)


def test_a_redis_uri_needs_no_server_at_start_up_but_an_unknown_scheme_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LMS_RATELIMIT_STORAGE_URI", "redis://:pw-secret@127.0.0.1:1/0")
    assert standalone(tmp_path).config["RATELIMIT_STORAGE_URI"].startswith("redis://")
    monkeypatch.setenv("LMS_RATELIMIT_STORAGE_URI", "rediss+typo://:pw-secret@127.0.0.1/0")
    with pytest.raises(ConfigError, match="must be memory:// or redis://") as error:
        standalone(tmp_path)
    assert "pw-secret" not in str(error.value)


# -- the Flask settings a deployer needs -----------------------------------------------------------


def test_secure_cookies_over_plain_http_behind_a_tls_proxy(
    served: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LMS_SESSION_COOKIE_SECURE", "true")
    cookie = served().test_client().get("/sign-in").headers["Set-Cookie"]
    assert "; Secure" in cookie
    # Code that names the Flask setting itself wins.
    cookie = served(SESSION_COOKIE_SECURE=False).test_client().get("/sign-in").headers["Set-Cookie"]
    assert "; Secure" not in cookie


def test_the_request_size_limit(served: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMS_MAX_CONTENT_LENGTH", "1000")
    client = served().test_client()
    response = client.post("/sign-in", data={"email": "a" * 2000})
    assert response.status_code == 413


def test_behind_a_proxy_its_forwarded_scheme_and_address_are_trusted(
    served: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    page = "/static/lms/lms.css"
    with served().test_client().get(page, headers=forwarded) as response:
        assert "Strict-Transport-Security" not in response.headers  # no proxy trusted
    monkeypatch.setenv("LMS_PROXY_COUNT", "1")
    app = served()
    seen: list[str | None] = []
    app.before_request(lambda: seen.append(request.remote_addr))
    with app.test_client().get(page, headers=forwarded) as response:
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert seen == ["203.0.113.9"]  # what the throttles count by


def test_the_connection_pool_is_sized_from_a_json_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LMS_DATABASE_ENGINE_OPTIONS", '{"pool_size": 3, "max_overflow": 1}')
    app = standalone(tmp_path)
    options = {"pool_pre_ping": True, "pool_size": 3, "max_overflow": 1}
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == options
    with app.app_context():
        assert app.extensions["sqlalchemy"].engine.pool.size() == 3
    monkeypatch.setenv("LMS_DATABASE_ENGINE_OPTIONS", "[3]")
    with pytest.raises(ConfigError, match="LMS_DATABASE_ENGINE_OPTIONS in the environment must"):
        standalone(tmp_path)


def test_throttles_can_be_switched_off_for_a_load_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LMS_RATELIMIT_ENABLED", "false")
    assert standalone(tmp_path).config["RATELIMIT_ENABLED"] is False


# -- the `lms` command -----------------------------------------------------------------------------


def test_the_command_says_what_is_wrong_in_one_line(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    result = lms(database, "db", "upgrade", env={"LMS_SMTP_PORT": "submission"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Error: LMS_SMTP_PORT in the environment must be a whole number, not 'submission'."
    )
    assert not (tmp_path / "cli.sqlite3").exists()

    typo = lms(database, "users", "create", "a@example.com", env={"LMS_SITE_NAEM": "x"})
    assert typo.returncode == 2
    assert typo.stderr.strip() == (
        "Error: Unknown setting in the environment: LMS_SITE_NAEM (did you mean LMS_SITE_NAME?)."
    )

    secret = lms(database, "db", "current", env={"LMS_RATELIMIT_STORAGE_URI": "x://:pw@h"})
    assert secret.returncode == 2
    assert "Traceback" not in secret.stderr and "pw" not in secret.stderr.replace("pip", "")


def test_the_command_reads_the_settings_file(tmp_path: Path) -> None:
    database = tmp_path / "from-the-file.sqlite3"
    settings = tmp_path / "lms.toml"
    settings.write_text(f'LMS_DATABASE_URL = "sqlite:///{database}"\n', encoding="utf-8")
    # An empty LMS_DATABASE_URL counts as unset, so the file's database is used.
    result = lms("", "db", "upgrade", env={"LMS_CONFIG_FILE": str(settings)})
    assert result.returncode == 0, result.stderr
    assert database.exists()


def test_lms_settings_shows_each_setting_and_its_source_never_a_secret(tmp_path: Path) -> None:
    settings = tmp_path / "lms.toml"
    settings.write_text(
        'LMS_SITE_NAME = "From the file"\n'
        'LMS_MAIL_SENDER = "learn@example.org"\n'
        'LMS_SMTP_PASSWORD = "file-password-secret"\n',
        encoding="utf-8",
    )
    env = {
        "LMS_CONFIG_FILE": str(settings),
        "LMS_SITE_NAME": "From the environment",
        "LMS_SECRET_KEY": "environment-key-secret",
        "LMS_RATELIMIT_STORAGE_URI": "redis://:redis-password-secret@127.0.0.1:6379/0",
        "LMS_TRUSTED_HOSTS": "a.example.org, b.example.org",
    }
    result = lms(f"sqlite:///{tmp_path / 'lms.sqlite3'}", "settings", env=env)
    assert result.returncode == 0, result.stderr
    lines = {
        line.split(" = ")[0]: line.split(" = ")[1].split() for line in result.stdout.splitlines()
    }
    assert list(lines) == list(DEFAULTS)
    assert lines["LMS_SITE_NAME"] == ['"From', "the", 'environment"', "environment"]
    assert lines["LMS_MAIL_SENDER"] == ['"learn@example.org"', str(settings)]
    assert lines["LMS_SMTP_PASSWORD"] == ["(set,", "hidden)", str(settings)]
    assert lines["LMS_SECRET_KEY"] == ["(set,", "hidden)", "environment"]
    assert lines["LMS_TRUSTED_HOSTS"] == ['["a.example.org",', '"b.example.org"]', "environment"]
    assert lines["LMS_RATELIMIT_STORAGE_URI"] == ['"redis://:***@127.0.0.1:6379/0"', "environment"]
    assert lines["LMS_HSTS_MAX_AGE"] == ["31536000", "default"]  # the standalone app's
    assert lines["LMS_SMTP_HOST"] == ["none", "default"]
    assert "secret" not in result.stdout


# -- the pieces, for the types no setting has yet -------------------------------------------------


def test_numbers_and_json_objects_from_text() -> None:
    assert from_text(float, "2.5") == 2.5
    assert from_text(float, "3") == 3.0
    assert from_text(dict, '{"timeout": 10}') == {"timeout": 10}
    assert from_text(list, " a , b,,c ") == ["a", "b", "c"]
    assert from_text(list, '["a,b", "c"]') == ["a,b", "c"]
    bad_text = [(float, "nan"), (float, "inf"), (float, "fast"), (dict, "[1]"), (dict, "{")]
    assert all(refused(from_text, kind, text) for kind, text in bad_text)
    assert from_toml(float, 3) == 3.0
    bad_toml = [(int, True), (int, 1.5), (str, 5), (list, "a,b"), (dict, [])]
    assert all(refused(from_toml, kind, value) for kind, value in bad_toml)


def refused(parse: Any, kind: type, value: Any) -> bool:
    try:
        parse(kind, value)
    except ValueError:
        return True
    return False


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("LMS_SECRET_KEY", True),
        ("LMS_SMTP_PASSWORD", True),
        ("LMS_XAPI_TOKEN", True),
        ("LMS_BADGE_PRIVATE_KEY_FILE", True),
        ("LMS_PASSWORD_RESET_MAX_AGE", False),
        ("LMS_RATELIMIT_KEY_PREFIX", False),
        ("LMS_SMTP_USERNAME", False),
    ],
)
def test_which_settings_are_secrets(name: str, secret: bool) -> None:
    assert is_secret(name) is secret


def test_a_host_app_can_read_the_settings_the_same_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LMS_SITE_NAME", "The Host's Learning")
    monkeypatch.setenv("LMS_HSTS_MAX_AGE", "600")
    host = make_host_app(f"sqlite:///{tmp_path / 'host.sqlite3'}", tmp_path)
    host.config.update(read_settings(os.environ))
    LMS(host, url_prefix="/learn")
    assert host.config["LMS_SITE_NAME"] == "The Host's Learning"
    with host.test_client().get("/learn/static/lms/lms.css", base_url="https://h") as response:
        assert response.headers["Strict-Transport-Security"] == "max-age=600"


def test_gunicorn_with_the_shipped_config_says_what_is_wrong_before_starting_workers(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "FLASK_"))}
    env |= {"LMS_SECRET_KEY": "x", "LMS_BASE_URL": "http://127.0.0.1", "LMS_SMTP_PORT": "abc"}
    command = [sys.executable, "-m", "gunicorn", "-c", "python:lms.deploy.gunicorn_conf"]
    command += ["-b", "127.0.0.1:0", "lms:create_app()"]
    result = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 1
    assert "Error: LMS_SMTP_PORT in the environment must be a whole number, not 'abc'." in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert "Booting worker" not in result.stderr
