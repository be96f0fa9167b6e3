"""A non-editable install carries its templates, courses and migrations."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("lms-*.whl")
    return built


def test_wheel_contains_templates_courses_and_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "lms/templates/lms/base.html" in names
    assert "lms/static/lms.css" in names
    assert "lms/migrations/env.py" in names
    assert "lms/migrations/script.py.mako" in names
    assert any(n.startswith("lms/migrations/versions/") and n.endswith(".py") for n in names)
    assert "lms/courses/README.md" in names
    assert any(n.endswith("/course.yml") for n in names if n.startswith("lms/courses/"))
    assert "lms/py.typed" in names
    assert "lms/deploy/gunicorn_conf.py" in names  # README: gunicorn -c python:lms.deploy...
    packages = {p.parent.relative_to(REPO).as_posix() for p in (REPO / "lms").rglob("__init__.py")}
    missing = {p for p in packages if f"{p}/__init__.py" not in names}
    assert not missing, f"add these to [options] packages in setup.cfg: {missing}"
    assert not any(n.startswith("tests/") for n in names)


def test_the_core_install_pulls_only_what_a_host_needs(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        lines = archive.read(metadata).decode().splitlines()
    requires = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Requires-Dist")]
    core = {re.split(r"[ <>=!\[;]", r)[0].lower() for r in requires if "extra ==" not in r}
    assert not core & {"gunicorn", "psycopg", "fpdf2", "flask-limiter", "zxcvbn", "pillow"}
    assert {"flask", "flask-login", "flask-sqlalchemy", "sqlalchemy", "alembic"} <= core
    extras = {line.split(":", 1)[1].strip() for line in lines if line.startswith("Provides-Extra")}
    assert {"pdf", "postgres", "limits", "server", "standalone", "badges", "test"} <= extras


def test_installed_package_runs_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "FLASK_"))}
    env |= {
        "PYTHONPATH": str(target),
        "LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'installed.sqlite3'}",
        "LMS_SECRET_KEY": "installed-test",
        "LMS_BASE_URL": "http://localhost",
    }
    script = (
        "import lms, lms.resources as r\n"
        f"assert str(r.templates_dir()).startswith({str(target)!r}), r.templates_dir()\n"
        "assert (r.bundled_courses_dir() / 'README.md').is_file()\n"
        "from lms import migrate\n"
        "app = lms.create_app()\n"
        "with app.app_context(): migrate.upgrade()\n"
        "response = app.test_client().get('/')\n"
        "assert response.status_code == 200 and b'<h1>Courses</h1>' in response.data\n"
        "print('installed ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=elsewhere, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "installed ok" in result.stdout
