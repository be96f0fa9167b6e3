"""Light dependencies: what a feature needs beyond the core install comes with an extra,
and a feature whose extra is missing says which one to install."""

from __future__ import annotations

import subprocess
import sys

import pytest
from flask.testing import FlaskClient

from tests.conftest import Users


def test_a_pdf_without_fpdf2_says_which_extra_to_install(
    client: FlaskClient, users: Users, monkeypatch: pytest.MonkeyPatch
) -> None:
    users.create("nora@example.com")
    users.sign_in("nora@example.com")
    assert client.get("/transcript.pdf").status_code == 200
    monkeypatch.setitem(sys.modules, "fpdf", None)  # as if fpdf2 were not installed
    response = client.get("/transcript.pdf")
    assert response.status_code == 501
    assert (
        "Transcript PDFs needs the lms[pdf] extra: pip install &#39;lms[pdf]&#39;."
        in response.get_data(as_text=True)
    )
    assert client.get("/transcript.csv").status_code == 200  # the rest works


@pytest.mark.parametrize(
    ("absent", "environment", "message"),
    [
        ("zxcvbn", {}, "The standalone app (sign-in throttling, passwords) needs the "
         "lms[standalone] extra: pip install 'lms[standalone]'."),
        ("psycopg", {"LMS_DATABASE_URL": "postgresql://lms@127.0.0.1/lms"},
         "PostgreSQL needs the lms[postgres] extra: pip install 'lms[postgres]'."),
    ],
)  # fmt: skip
def test_the_standalone_command_names_the_missing_extra_in_one_line(
    absent: str, environment: dict[str, str], message: str, tmp_path: object
) -> None:
    script = (
        f"import sys; sys.modules[{absent!r}] = None\n"
        "from lms.cli.main import main\n"
        "sys.argv = ['lms', 'db', 'current']\n"
        "main()\n"
    )
    env = {"PATH": "/usr/bin:/bin", "LMS_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env | environment, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert (
        result.returncode == 2
    )  # a setting or install that cannot work: status 2, as for settings
    assert result.stderr == f"Error: {message}\n"
