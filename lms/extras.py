"""Optional parts of the LMS and the extras that install them.

The core install (`pip install lms`) is what a host app needs; the rest comes with extras:

- `lms[pdf]`: certificate and transcript PDFs (fpdf2);
- `lms[postgres]`: the standalone app on PostgreSQL (psycopg; a host brings its own driver);
- `lms[limits]`: the standalone app's sign-in throttling (Flask-Limiter);
- `lms[server]`: gunicorn, with the shipped configuration (lms.deploy.gunicorn_conf);
- `lms[standalone]`: all of the above and the standalone accounts' password check (zxcvbn);
- `lms[badges]`: Open Badges 3.0 credentials.

A feature whose extra is missing says which one to install.
"""

from __future__ import annotations

import importlib

from werkzeug.exceptions import NotImplemented as NotImplementedHTTP

#: Extra name -> the modules it brings (import names).
EXTRAS: dict[str, tuple[str, ...]] = {
    "pdf": ("fpdf",),
    "postgres": ("psycopg",),
    "limits": ("flask_limiter",),
    "server": ("gunicorn",),
    "standalone": ("fpdf", "psycopg", "flask_limiter", "gunicorn", "zxcvbn"),
}


class MissingExtra(NotImplementedHTTP):
    """A feature needs an extra that is not installed (a 501 page in a request)."""


def missing(extra: str, modules: tuple[str, ...] | None = None) -> list[str]:
    """The modules of `extra` (or just `modules` of it) that cannot be imported."""
    absent = []
    for module in modules or EXTRAS[extra]:
        try:
            importlib.import_module(module)
        except ImportError:
            absent.append(module)
    return absent


def how_to_install(extra: str, feature: str) -> str:
    return f"{feature} needs the lms[{extra}] extra: pip install 'lms[{extra}]'."


def require(extra: str, feature: str, modules: tuple[str, ...] | None = None) -> None:
    """Raise MissingExtra, saying what to install, when `extra` (or `modules` of it) is
    missing."""
    if missing(extra, modules):
        raise MissingExtra(description=how_to_install(extra, feature))
