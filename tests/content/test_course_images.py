"""A course's picture (course.yml `image:` and `image_alt:`): checked with the rest of the
files, stored by sync, served locally, and shown on the catalogue's and dashboard's cards."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from lms.content.loader import check_courses
from lms.database import session
from lms.models import CourseImage
from tests.conftest import Users, post_form

GOOD = Path(__file__).parents[1] / "fixtures" / "courses" / "good"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 9"><rect width="16"/></svg>'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    target = tmp_path / "good"
    shutil.copytree(GOOD, target)
    return target


def with_image(folder: Path, lines: str, files: dict[str, bytes] | None = None) -> Path:
    path = folder / "course.yml"
    path.write_text(path.read_text() + lines)
    for name, data in (files or {}).items():
        (folder / name).write_bytes(data)
    return path


def problems(folder: Path) -> list[str]:
    return [f"{p.path.name}:{p.line}: {p.message}" for p in check_courses(folder)]


def test_a_picture_with_alt_text_passes_the_check(course_dir: Path) -> None:
    with_image(course_dir, 'image: card.svg\nimage_alt: "Hills at dawn."\n', {"card.svg": SVG})
    assert problems(course_dir) == []


ALT = 'image_alt: "Hills."\n'
TOO_BIG = b"<svg>" + b" " * 600_000 + b"</svg>"


@pytest.mark.parametrize(
    ("lines", "files", "expected"),
    [
        ("image: card.svg\n", {"card.svg": SVG}, "the course has an image but no 'image_alt'"),
        (ALT, {}, "'image_alt' describes an image, but the course has no 'image'"),
        ("image: nope.svg\n" + ALT, {}, "image 'nope.svg' does not exist in"),
        (
            "image: card.gif\n" + ALT,
            {"card.gif": b"GIF89a"},
            "'card.gif' is not a picture the LMS can show",
        ),
        ("image: ../card.svg\n" + ALT, {}, "'../card.svg' is not a file name"),
        ("image: card.png\n" + ALT, {"card.png": b"not a png"}, "'card.png' is not a valid png"),
        (
            "image: card.svg\n" + ALT,
            {"card.svg": b'<svg onload="alert(1)"></svg>'},
            "'card.svg' is not a valid svg file",
        ),
        (
            "image: card.svg\n" + ALT,
            {"card.svg": b"<svg><script>x</script></svg>"},
            "'card.svg' is not a valid svg file",
        ),
        ("image: card.svg\n" + ALT, {"card.svg": TOO_BIG}, "image 'card.svg' is 585 KB; the most"),
    ],
)
def test_a_picture_that_cannot_be_used_is_a_problem_with_its_line(
    course_dir: Path, lines: str, files: dict[str, bytes], expected: str
) -> None:
    with_image(course_dir, lines, files)
    found = problems(course_dir)
    assert len(found) == 1, found
    assert found[0].startswith("course.yml:22: " + expected), found


def sync(runner: FlaskCliRunner, path: Path) -> str:
    result = runner.invoke(args=["lms", "courses", "sync", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def test_sync_stores_the_picture_and_the_site_serves_it(
    app: Flask, client: FlaskClient, users: Users, runner: FlaskCliRunner, course_dir: Path
) -> None:
    with_image(course_dir, 'image: card.svg\nimage_alt: "Hills at dawn."\n', {"card.svg": SVG})
    sync(runner, course_dir)
    assert "No changes" in sync(runner, course_dir)
    with app.app_context():
        image = session.scalars(sa.select(CourseImage)).one()
        version = image.sha256[:16]
    catalogue = client.get("/").get_data(as_text=True)
    tag = (
        f'<img class="lms-course-picture" src="/courses/good-course/image?v={version}" '
        'alt="Hills at dawn." width="640" height="360" loading="lazy" decoding="async">'
    )
    assert tag in catalogue

    response = client.get(f"/courses/good-course/image?v={version}")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.data == SVG
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(
        "/courses/good-course/image", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    assert client.get("/courses/no-such-course/image").status_code == 404

    # On the dashboard's card too.
    users.create("nadia@example.com")
    users.sign_in("nadia@example.com")
    post_form(client, "/courses/good-course/enrol", {})
    assert tag.replace('class="lms-course-picture"', 'class="lms-course-picture"') in client.get(
        "/dashboard"
    ).get_data(as_text=True)

    # A new picture replaces it; no `image:` removes it.
    (course_dir / "card.png").write_bytes(PNG)
    path = course_dir / "course.yml"
    path.write_text(path.read_text().replace("image: card.svg", "image: card.png"))
    assert "Updated 1 course" in sync(runner, course_dir)
    assert client.get("/courses/good-course/image").mimetype == "image/png"
    path.write_text(path.read_text().replace('image: card.png\nimage_alt: "Hills at dawn."\n', ""))
    sync(runner, course_dir)
    assert client.get("/courses/good-course/image").status_code == 404
    assert "lms-course-picture" not in client.get("/").get_data(as_text=True)


def test_the_bundled_courses_have_pictures(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner
) -> None:
    from lms.resources import bundled_courses_dir

    sync(runner, bundled_courses_dir())
    catalogue = client.get("/").get_data(as_text=True)
    assert catalogue.count('class="lms-course-picture"') == 2
    for slug in ("essentials-of-psychedelic-care", "relational-psychedelic-assisted-therapy"):
        response = client.get(f"/courses/{slug}/image")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
