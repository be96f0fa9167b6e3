"""Print pip constraints pinning every runtime dependency of setup.cfg (the core and the
runtime extras) at its declared minimum: `pip install --constraint` then installs exactly
the lowest versions the package claims to support. Test tools are left free."""

from __future__ import annotations

import configparser
import re
import sys
from pathlib import Path

#: Extras that are tools for developing the LMS, not part of what it runs with.
TOOL_EXTRAS = {"test"}


def requirements(setup_cfg: Path) -> list[str]:
    config = configparser.ConfigParser()
    config.read(setup_cfg)
    lines = config["options"]["install_requires"].splitlines()
    for extra, value in config["options.extras_require"].items():
        if extra not in TOOL_EXTRAS:
            lines += value.splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def minimums(lines: list[str]) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in lines:
        match = re.match(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*(.*)$", line)
        if not match:
            continue
        name, spec = match.group(1).lower(), match.group(2)
        lowest = re.search(r">=\s*([0-9][^,;\s]*)", spec)
        if lowest:
            pins[name] = lowest.group(1)
    return pins


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    for name, version in sorted(minimums(requirements(root / "setup.cfg")).items()):
        print(f"{name}=={version}")
