"""gunicorn's configuration for the LMS:

    gunicorn -c python:lms.deploy.gunicorn_conf -w 4 -b 0.0.0.0:8000 'lms:create_app()'

Settings given on the command line (workers, bind, ...) still apply; this module adds:

- no `Server` header: gunicorn sends `Server: gunicorn` on every response, which tells
  a scanner what to try; the LMS's responses go out without one (gunicorn has no setting
  for this, so its response class is told to leave the line out);
- `preload_app = False`: each worker builds the app, and so its database engine, after
  the fork (a connection pool must not be shared between processes);
- `gc.freeze()` once the worker has built the app: the modules, the app, its templates'
  loaders and SQLAlchemy's mappers are long-lived, so the garbage collector stops
  walking them on every collection;
- the settings (LMS_* variables, LMS_CONFIG_FILE) checked once before any worker starts:
  a mistake ends gunicorn with one "Error: ..." line, not a traceback per worker.

The LMS's own security headers (CSP, HSTS over HTTPS, no-store on private pages) come
from the app itself, under any server.
"""

from __future__ import annotations

import gc
import os
from typing import Any

from gunicorn.http import wsgi

preload_app = False


def on_starting(server: Any) -> None:
    """Check the settings in the master (gunicorn shows a RuntimeError such as ConfigError
    as "Error: ..." and exits 1)."""
    from lms.config_sources import read_settings

    read_settings(os.environ)


def post_worker_init(worker: Any) -> None:
    """After the worker has loaded the app: freeze what exists into the permanent generation."""
    gc.collect()
    gc.freeze()


_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self: wsgi.Response) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server  # type: ignore[method-assign]
