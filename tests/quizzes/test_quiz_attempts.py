"""Taking a quiz over HTTP: the quiz page, starting and resuming, autosave, and who may see
an attempt. (Submitting, time limits and grading: test_quiz_submit.py.)"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session
from lms.models import Attempt, AttemptStatus
from tests.conftest import Users, csrf_token, post_form
from tests.quizzes.conftest import (
    LEARNER,
    QUIZ_URL,
    RIGHT,
    as_form,
    as_json,
    autosave,
    enrol,
    keys,
    save_form,
    saved_responses,
    sign_in,
    start,
    submit,
    text,
)


def open_attempts(app: Flask) -> list[Attempt]:
    with app.app_context():
        return list(
            session.scalars(sa.select(Attempt).where(Attempt.status == AttemptStatus.IN_PROGRESS))
        )


def test_quiz_page_says_what_the_quiz_asks_and_offers_start(learner: FlaskClient) -> None:
    page = text(learner.get(QUIZ_URL))
    assert "<h1" in page and "Knowledge check" in page
    assert "re-read the" in page  # the description
    assert re.search(r"Questions</dt><dd>6</dd>", page)
    assert "75%" in page
    assert "15 minutes" in page
    assert "0 of 3 used" in page
    assert "Start the quiz" in page


def test_start_opens_an_attempt_and_starting_again_resumes_it(
    app: Flask, learner: FlaskClient
) -> None:
    first = start(learner)
    assert learner.get(f"/attempts/{first}").status_code == 200
    assert "Resume attempt 1" in text(learner.get(QUIZ_URL))
    assert start(learner) == first
    assert len(open_attempts(app)) == 1


def test_two_concurrent_starts_open_one_attempt(app: Flask, course: None, users: Users) -> None:
    enrol(app, users, LEARNER)
    tabs = [app.test_client(), app.test_client()]
    for tab in tabs:
        sign_in(tab, LEARNER)
    barrier = threading.Barrier(2)
    started: list[int] = []

    def press_start(tab: FlaskClient) -> None:
        barrier.wait()
        started.append(start(tab))

    threads = [threading.Thread(target=press_start, args=(tab,)) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(started) == 2
    assert started[0] == started[1]
    assert len(open_attempts(app)) == 1


def test_the_attempt_limit_refuses_another_start_with_a_clear_page(
    sync_quiz: Callable[..., None], learner: FlaskClient
) -> None:
    sync_quiz(essay=False, attempts=2)
    for _ in range(2):
        assert submit(learner, start(learner)).status_code == 302
    refused = post_form(learner, f"{QUIZ_URL}/attempts", {})
    assert refused.status_code == 403
    assert "You have used all 2 attempts" in text(refused)
    page = text(learner.get(QUIZ_URL))
    assert "You have used all 2 attempts at this quiz." in page
    assert "Start attempt" not in page


def question_order(page: str) -> list[str]:
    return re.findall(r'name="(q[0-9a-f]+)"', page)


def test_a_shuffled_attempt_keeps_its_order_on_every_reload(
    sync_quiz: Callable[..., None], learner: FlaskClient
) -> None:
    sync_quiz(shuffle=True)
    attempt_id = start(learner)
    first = text(learner.get(f"/attempts/{attempt_id}"))
    again = text(learner.get(f"/attempts/{attempt_id}"))
    assert question_order(first) and question_order(first) == question_order(again)
    assert re.findall(r'id="(q[0-9a-f]+-[0-9a-f]+)"', first) == re.findall(
        r'id="(q[0-9a-f]+-[0-9a-f]+)"', again
    )


def test_an_unshuffled_attempt_follows_the_quiz_file(
    app: Flask, sync_quiz: Callable[..., None], learner: FlaskClient
) -> None:
    sync_quiz(shuffle=False)
    attempt_id = start(learner)
    page = text(learner.get(f"/attempts/{attempt_id}"))
    prompts = ["Since which decade", "Pick the safe ones", "It is true", "Name it", "How many"]
    positions = [page.index(prompt) for prompt in prompts]
    assert positions == sorted(positions)
    assert page.index("The 1960s") < page.index("The 1990s")


def test_autosaved_answers_are_there_after_a_reload(app: Flask, learner: FlaskClient) -> None:
    attempt_id = start(learner)
    questions = keys(app, attempt_id)
    response = autosave(learner, attempt_id, as_json(questions, RIGHT))
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "saved"
    assert body["saved_at"]
    assert set(body) == {"status", "saved_at", "seconds_left"}  # nothing about the key

    page = text(learner.get(f"/attempts/{attempt_id}"))
    assert re.search(r'role="status">Saved at \d\d:\d\d<', page)
    for slug in ("first-used", "pick-all"):
        for choice in RIGHT[slug]:
            choice_id = questions[slug].choices[choice]
            assert re.search(rf'value="{choice_id}" checked', page)
    assert re.search(r'value="true" checked', page)
    assert 'value="KETAMINE"' in page  # trimmed, as typed
    assert 'value="6"' in page
    assert f">{RIGHT['reflect']}</textarea>" in page


def test_saving_without_javascript_redirects_back_with_the_answers_kept(
    app: Flask, learner: FlaskClient
) -> None:
    attempt_id = start(learner)
    questions = keys(app, attempt_id)
    response = save_form(learner, attempt_id, as_form(questions, RIGHT))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}")
    page = text(learner.get(f"/attempts/{attempt_id}"))
    assert re.search(r'class="lms-flash">Saved at \d\d:\d\d\.<', page)
    assert saved_responses(app, attempt_id)["name-it"] == "KETAMINE"


def test_a_malformed_autosave_is_a_400_with_a_message_and_loses_nothing(
    app: Flask, learner: FlaskClient
) -> None:
    attempt_id = start(learner)
    questions = keys(app, attempt_id)
    assert autosave(learner, attempt_id, as_json(questions, RIGHT)).status_code == 200

    bad = as_json(questions, {"how-many": "six", "name-it": "ketamine hcl"})
    response = autosave(learner, attempt_id, bad)
    assert response.status_code == 400
    body = response.get_json()
    assert body["status"] == "invalid"
    assert re.fullmatch(r"Question \d: “six” is not a number\.", body["error"])
    saved = saved_responses(app, attempt_id)
    assert saved["how-many"] == 6  # the earlier answer is kept
    assert saved["name-it"] == "ketamine hcl"  # the valid one in the same request is saved

    for body in ({"answers": {"999999": "x"}}, {"answers": []}, "not an object"):
        refused = autosave(learner, attempt_id, body)
        assert refused.status_code == 400
        assert refused.get_json()["error"]
    not_json = learner.post(
        f"/attempts/{attempt_id}/answers",
        data="{oops",
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(learner)},
    )
    assert not_json.status_code == 400
    assert "could not be read" in not_json.get_json()["error"]
    assert saved_responses(app, attempt_id) == saved


def test_a_malformed_form_save_shows_the_page_again_with_what_was_typed(
    app: Flask, learner: FlaskClient
) -> None:
    attempt_id = start(learner)
    questions = keys(app, attempt_id)
    answers = as_form(questions, RIGHT | {"how-many": "6,5"})
    response = save_form(learner, attempt_id, answers)
    assert response.status_code == 400
    page = text(response)
    assert "Some answers were not saved" in page
    assert "“6,5” is not a number. Use a point for decimals, like 6.5." in page
    assert 'value="6,5"' in page and 'aria-invalid="true"' in page
    saved = saved_responses(app, attempt_id)
    assert saved["name-it"] == "KETAMINE"
    assert "how-many" not in saved


def test_someone_elses_attempt_is_not_found(app: Flask, learner: FlaskClient, users: Users) -> None:
    attempt_id = start(learner)
    enrol(app, users, "bo@example.com")
    other = app.test_client()
    sign_in(other, "bo@example.com")
    assert other.get(f"/attempts/{attempt_id}").status_code == 404
    assert other.get(f"/attempts/{attempt_id}/review").status_code == 404
    assert post_form(other, f"/attempts/{attempt_id}/answers", {}).status_code == 404
    assert submit(other, attempt_id).status_code == 404
    assert autosave(other, attempt_id, {"answers": {}}).status_code == 404
    assert open_attempts(app)[0].status is AttemptStatus.IN_PROGRESS


def test_posts_without_the_csrf_token_are_refused(app: Flask, learner: FlaskClient) -> None:
    attempt_id = start(learner)
    questions = keys(app, attempt_id)
    as_script = learner.post(f"/attempts/{attempt_id}/answers", json=as_json(questions, RIGHT))
    assert as_script.status_code == 400
    assert "CSRF" in as_script.get_json()["error"]
    as_form_post = learner.post(f"/attempts/{attempt_id}/submit", data={"confirm": "yes"})
    assert as_form_post.status_code == 400
    assert "reload the page" in text(as_form_post)
    assert learner.post(f"{QUIZ_URL}/attempts").status_code == 400
    assert saved_responses(app, attempt_id) == {}
    assert open_attempts(app)[0].id == attempt_id


def test_a_learner_who_is_not_enrolled_gets_403(
    app: Flask, course: None, users: Users, client: FlaskClient
) -> None:
    users.create(LEARNER)
    sign_in(client, LEARNER)
    page = client.get(QUIZ_URL)
    assert page.status_code == 403
    assert "not enrolled" in text(page)
    assert post_form(client, f"{QUIZ_URL}/attempts", {}).status_code == 403
