"""Where the LMS's files are: inside the installed package, or at the top of a checkout.

The repository keeps `templates/`, `courses/` and `migrations/` at its top level; setup.cfg
installs them as `lms/templates` etc. A source checkout (or an editable install) falls back
to the repository's top level.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_path(name: str) -> Path:
    installed = PACKAGE_DIR / name
    return installed if installed.is_dir() else PACKAGE_DIR.parent / name


def templates_dir() -> Path:
    return resource_path("templates")


def migrations_dir() -> Path:
    return resource_path("migrations")


def bundled_courses_dir() -> Path:
    return resource_path("courses")
