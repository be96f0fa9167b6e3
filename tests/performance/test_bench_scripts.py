"""The benchmark's commands start: a refactor of bench/ once left `python -m bench.explain`
failing on an import, unnoticed because nothing ran it. (What they measure is checked by
running them; see docs/PERFORMANCE.md.)"""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("script", ["perf", "explain", "load", "seed"])
def test_bench_command_starts(script: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", f"bench.{script}", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: python -m bench.{script}")
