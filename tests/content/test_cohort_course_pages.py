"""The revised cohort course as a visitor and a learner see it: the home page states the
outcomes, the source and the pass marks, and links the references, glossary and CE
information; those pages render, with the live and home-study credit apart."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from lms.resources import bundled_courses_dir
from tests.conftest import Users

COURSE = "/courses/relational-psychedelic-assisted-therapy"


def test_home_references_glossary_and_ce_information(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner
) -> None:
    synced = runner.invoke(args=["lms", "courses", "sync", str(bundled_courses_dir())])
    assert synced.exit_code == 0, synced.output

    html = client.get(f"{COURSE}/").get_data(as_text=True)
    home = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert "Ketamine and Anxiety: Relational Practice for Therapists" in home
    assert "Navigating Ketamine for Anxiety Disorders" in home
    assert "not peer-reviewed research" in home
    assert "60% of the points" in home
    for link in ("pages/references", "pages/glossary", "/ce"):
        assert f'{link}"' in html, link

    references = client.get(f"{COURSE}/pages/references")
    assert references.status_code == 200
    text = references.get_data(as_text=True)
    assert "Schedule III" in text and "SAMHSA" in text and "Spravato (esketamine)" in text

    glossary = client.get(f"{COURSE}/pages/glossary").get_data(as_text=True)
    for term in ("Laryngospasm", "Acute porphyria", "Eclampsia", "Refractory anxiety",
                 "Treatment-resistant depression", "Dysphoria", "Ego dissolution"):  # fmt: skip
        assert term in glossary, term

    ce = client.get(f"{COURSE}/ce")
    assert ce.status_code == 200
    info = re.sub(r"\s+", " ", ce.get_data(as_text=True))
    assert "Live credit: 7.5 hours" in info
    assert "Home-study credit: 5.5 hours" in info
    assert "How the hours were estimated" in info
    assert "[Planner name, credentials]" in info
    assert "Accommodations" in info and "Concerns and complaints" in info


def test_staff_course_page_links_the_evaluation_results(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, users: Users
) -> None:
    """The staff page of a course with an evaluation links its results (it used to fail to
    build that link, for every course)."""
    synced = runner.invoke(args=["lms", "courses", "sync", str(bundled_courses_dir())])
    assert synced.exit_code == 0, synced.output
    users.create("avery@example.com", "admin")
    users.sign_in("avery@example.com")
    page = client.get(f"/teach{COURSE}")
    assert page.status_code == 200
    results = f'/teach{COURSE}/evaluations/course-evaluation"'
    assert results in page.get_data(as_text=True)
    assert client.get(results.rstrip('"')).status_code == 200
    other = client.get("/teach/courses/essentials-of-psychedelic-care")
    assert other.status_code == 200
