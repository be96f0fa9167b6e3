"""The CE disclosure: shown before the first lesson, acknowledged once (recorded with the
time), and on the course's CE information page any time; course pages for references."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.ce.conftest import CRED, LESSON, acknowledge, enrolment_of, events
from tests.conftest import post_form


def test_the_disclosure_comes_before_the_first_lesson_and_is_acknowledged_once(
    app: Flask, learner: FlaskClient
) -> None:
    first = learner.get(LESSON)
    assert first.status_code == 302
    assert first.headers["Location"] == f"{CRED}/disclosure?next={LESSON}"
    page = learner.get(first.headers["Location"]).get_data(as_text=True)
    for fact in (
        "Test Provider",
        "Nursing contact hours: 1.0",
        "Psychology CE credits: 1.0",
        "Test Provider is accredited to award nursing contact hours.",
        "Pat Planner, RN",
        "No relevant financial relationships",
        "Speaker&#39;s fees from Example Pharma",
        "Content reviewed by a planner with no relationships.",
        "1 January 2026 to 31 December 2099",
    ):
        assert fact in page, fact
    done = post_form(learner, f"{CRED}/disclosure", {"next": LESSON}, token_from=f"{CRED}/")
    assert done.status_code == 302 and done.headers["Location"] == LESSON
    post_form(learner, f"{CRED}/disclosure", {}, token_from=f"{CRED}/")  # a double click
    assert learner.get(LESSON).status_code == 200
    with app.app_context():
        enrolment = enrolment_of("nora@example.com")
        assert enrolment.disclosure_acknowledged_at is not None
        [entry] = events("disclosure_acknowledged")
        assert entry.enrolment_id == enrolment.id and entry.actor_id == enrolment.profile_id
    again = learner.get(f"{CRED}/disclosure").get_data(as_text=True)
    assert "You acknowledged this disclosure on" in again


def test_a_next_address_elsewhere_is_not_followed(learner: FlaskClient) -> None:
    response = post_form(
        learner, f"{CRED}/disclosure", {"next": "https://evil.example/"}, token_from=f"{CRED}/"
    )
    assert response.headers["Location"] == f"{CRED}/"


def test_the_ce_information_page_is_public_and_shows_how_hours_were_estimated(
    app: Flask, ce_courses: None
) -> None:
    visitor = app.test_client()
    page = visitor.get(f"{CRED}/ce").get_data(as_text=True)
    assert "CE information" in page and "How the hours were estimated" in page
    assert "Outline the history." in page  # the course's outcomes
    home = visitor.get(f"{CRED}/").get_data(as_text=True)
    assert f'href="{CRED}/ce"' in home and f'href="{CRED}/pages/references"' in home
    references = visitor.get(f"{CRED}/pages/references").get_data(as_text=True)
    assert "not peer-reviewed research" in references
    assert visitor.get(f"{CRED}/pages/nope").status_code == 404
    assert visitor.get("/courses/cred-co/pages/references").status_code == 404
    assert visitor.get("/courses/nope/ce").status_code == 404


def test_a_course_without_credit_has_no_disclosure(app: Flask, learner: FlaskClient) -> None:
    from tests.conftest import LEARNING_COURSES

    result = app.test_cli_runner().invoke(args=["lms", "courses", "sync", str(LEARNING_COURSES)])
    assert result.exit_code == 0, result.output
    assert learner.get("/courses/sp/disclosure").status_code == 404
    assert learner.get("/courses/sp/ce").status_code == 404


def test_acknowledging_needs_an_enrolment(app: Flask, learner: FlaskClient) -> None:
    acknowledge(learner)
    response = post_form(learner, "/courses/cred-co/disclosure", {}, token_from=f"{CRED}/")
    assert response.status_code == 403
