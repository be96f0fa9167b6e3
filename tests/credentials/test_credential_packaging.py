"""A non-editable install carries the shipped contexts and the OB 3.0 schema."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "lms" / "credentials"


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("lms-*.whl")
    return set(zipfile.ZipFile(built).namelist())


def test_wheel_has_every_context_schema_and_source_note(wheel_names: set[str]) -> None:
    shipped = [
        path.relative_to(REPO).as_posix()
        for folder in ("contexts", "schemas")
        for path in (PACKAGE / folder).iterdir()
    ]
    assert shipped
    missing = sorted(name for name in shipped if name not in wheel_names)
    assert not missing, f"add to [options.package_data] lms.credentials in setup.cfg: {missing}"
    assert "lms/credentials/__init__.py" in wheel_names
