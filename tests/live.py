"""A WSGI app served on a free local port, in a thread, for the browser and LTI tests."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import make_server


def _closing(app: Any) -> Any:
    """Hand Werkzeug's dev server a finished body and close the app's iterable here.

    When a browser drops a connection mid-response (it often does for the favicon),
    Werkzeug's dev server can skip closing the response iterable, which leaves a static
    file open and fails the test that happens to collect it with a ResourceWarning."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        iterable = app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    return wsgi


@contextmanager
def serving(app: Any, host: str = "127.0.0.1", ssl_context: Any = None) -> Iterator[str]:
    """Serve `app` on a free port of `host` until the block ends (over HTTPS with an
    `ssl_context`); yields its base URL."""
    server = make_server(host, 0, _closing(app), threaded=True, ssl_context=ssl_context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{'https' if ssl_context else 'http'}://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
