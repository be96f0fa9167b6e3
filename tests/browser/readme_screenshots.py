"""Make the README's screenshots (docs/screenshots/): the main pages at 1280 px (two at
375 px), each cut to its top 1000 px (1300 on a phone) and saved with a 256-colour palette
to stay small.

    .venv/bin/python -m tests.browser.readme_screenshots

Uses the data of the accessibility tests (tests/browser/test_accessibility.py) in a
throwaway SQLite database, served on a free local port, and Debian's Chromium.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

from lms import migrate
from lms.content.loader import load_courses
from lms.content.sync import sync_courses
from lms.database import session
from lms.resources import bundled_courses_dir
from tests.browser.conftest import CHROMIUM, LiveServer
from tests.browser.scenarios import ESSENTIALS, sign_in
from tests.browser.test_accessibility import COHORT_COURSE, SELF_PACED, World, build_world
from tests.conftest import make_test_app

OUT = Path(__file__).parents[2] / "docs" / "screenshots"
LIMIT = 200_000  # bytes


#: Shots that start lower on the page than its top: name -> the element to start above.
START_AT = {"review-with-feedback": ".lms-grader-feedback"}


def save(page: Page, name: str, *, height: int = 1000) -> None:
    """`height` pixels of the page (from its top, or from above START_AT's element), as a
    palette PNG."""
    raw = OUT / f"{name}.raw.png"
    page.screenshot(path=str(raw), full_page=True)
    start = 0
    if name in START_AT:
        start = max(int(page.locator(START_AT[name]).first.evaluate(
            "el => el.getBoundingClientRect().top + window.scrollY"
        )) - 360, 0)  # fmt: skip
    with Image.open(raw) as image:
        top = image.convert("RGB").crop((0, start, image.width, min(image.height, start + height)))
        top.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
            OUT / f"{name}.png", optimize=True
        )
    raw.unlink()
    size = (OUT / f"{name}.png").stat().st_size
    print(f"{name}.png: {size // 1000} KB")
    assert size < LIMIT, f"{name}.png is {size} bytes"


def shots(server: LiveServer, world: World) -> list[tuple[str, str, Callable[[Page], None]]]:
    """(who, name, how to get there), in the order taken."""
    url = server.url
    cohort = f"/teach/cohorts/{world.cohort}"

    def go(path: str) -> Callable[[Page], None]:
        return lambda page: page.goto(url + path) and None

    def grading(page: Page) -> None:
        page.goto(f"{url}/teach/grading/answers/{world.tara_answer}")
        for score, value in zip(
            page.locator("input[data-criterion-score]").all(), ["2.5", "2", "2", "1.5"], strict=True
        ):
            score.fill(value)
        page.get_by_label("Feedback for the learner").fill(
            "You name your own starting point honestly. Bring in the Spravato facts, and say "
            "where the prescriber's part begins."
        )

    return [
        ("", "catalogue", go("/")),
        ("theo@example.com", "dashboard", go("/dashboard")),
        ("theo@example.com", "course-home-cohort", go(f"{COHORT_COURSE}/")),
        (
            "theo@example.com",
            "review-with-feedback",
            go(f"/attempts/{world.theo_reflection}/review"),
        ),
        ("nadia@example.com", "lesson", go(f"{SELF_PACED}/lessons/{world.lesson}")),
        ("nadia@example.com", "quiz-attempt", go(f"/attempts/{world.nadia_open_attempt}")),
        ("iris@example.com", "grading-screen", grading),
        ("iris@example.com", "roster", go(f"{cohort}/roster")),
        ("iris@example.com", "cohort-calendar", go(f"{cohort}/calendar")),
        ("iris@example.com", "teaching-self-paced", go(f"/teach/courses/{ESSENTIALS}")),
    ]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        app = make_test_app(f"sqlite:///{folder}/lms.sqlite3")
        with app.app_context():
            migrate.upgrade()
            result = load_courses(bundled_courses_dir())
            assert result.ok, result.problems
            sync_courses(result.courses)
            session.commit()
            session.remove()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        live = LiveServer(app, f"http://127.0.0.1:{server.server_port}")
        try:
            world = build_world(live)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
                )
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                who = None
                for email, name, get_there in shots(live, world):
                    if email != who:
                        if email:
                            sign_in(page, live, email)
                        else:
                            page.context.clear_cookies()
                        who = email
                    get_there(page)
                    save(page, name)
                    if name in ("course-home-cohort", "lesson"):
                        page.set_viewport_size({"width": 375, "height": 900})
                        save(page, f"{name}-phone", height=1300)
                        page.set_viewport_size({"width": 1280, "height": 900})
                browser.close()
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
