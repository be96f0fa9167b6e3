"""bandit finds no medium or high severity issue in the package (static security checks)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_bandit_is_clean() -> None:
    bandit = shutil.which("bandit") or str(REPO / ".venv/bin/bandit")
    result = subprocess.run(
        [bandit, "-r", "lms", "-q", "-ll"], cwd=REPO, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
