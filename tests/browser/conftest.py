"""Real-browser tests: the app served on 127.0.0.1 by a real server thread, driven by
Debian's Chromium through Playwright.

Where Chromium is missing they skip with a reason, except when LMS_REQUIRE_BROWSER=1
(CI sets it), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lms import migrate
from lms.content.loader import load_courses
from lms.content.sync import sync_courses
from lms.database import session
from lms.resources import bundled_courses_dir
from tests.conftest import make_test_app
from tests.live import serving

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRED = os.environ.get("LMS_REQUIRE_BROWSER") == "1"
#: For browser tests outside this folder (this conftest's hook skips only its own).
NEEDS_CHROMIUM = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not REQUIRED,
    reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)",
)
SCREENSHOTS = Path(__file__).parents[2] / "artifacts" / "screenshots"
WIDTHS = {"desktop": 1280, "phone": 375}
#: Scroll to (x, y), then resolve once the page has been laid out and painted again.
RESTORE = """([x, y]) => new Promise(done => {
  window.scrollTo(0, 0);
  window.scrollTo(x, y);
  requestAnimationFrame(() => requestAnimationFrame(done));
})"""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if Path(CHROMIUM).exists():
        return
    if REQUIRED:
        raise pytest.UsageError(f"LMS_REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM}")
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@dataclass
class LiveServer:
    app: Flask
    url: str

    def shoot(self, page: Any, name: str) -> None:
        """Screenshots of the current page at desktop and phone widths."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        size = page.viewport_size
        scrolled = page.evaluate("[window.scrollX, window.scrollY]")
        for label, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
        page.set_viewport_size(size)
        # Back where the test was. Scrolling also makes Chromium choose its scroll anchor
        # again: with the one chosen at phone width, a later change of text (the quiz's
        # save status) made the page jump under the test's next click.
        page.evaluate(RESTORE, scrolled)


@contextmanager
def serve(database_url: str, courses: Path) -> Iterator[LiveServer]:
    """The standalone app with the courses in `courses` loaded, on a free local port."""
    app = make_test_app(database_url)
    with app.app_context():
        migrate.upgrade()
        result = load_courses(courses)
        assert result.ok, result.problems
        sync_courses(result.courses)
        session.commit()
        session.remove()
    try:
        with serving(app) as url:
            yield LiveServer(app, url)
    finally:
        with app.app_context():
            session.remove()
            app.extensions["sqlalchemy"].engine.dispose()


@pytest.fixture
def live_server(empty_database_url: str) -> Iterator[LiveServer]:
    """The standalone app with both courses loaded, served on a free local port."""
    with serve(empty_database_url, bundled_courses_dir()) as server:
        yield server
