"""What learners see of answers: never the key before submitting, and afterwards what the
quiz's review policy allows."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import post_form
from tests.quizzes.conftest import (
    QUIZ_URL,
    RIGHT,
    WRONG,
    as_form,
    as_json,
    autosave,
    keys,
    start,
    submit,
    text,
)

FEEDBACK = ["The 1960s.", "A and B.", "It is.", "Ketamine.", "Six.", "Thanks."]


def choice_items(page: str, field: str) -> list[str]:
    """A choice group's <li>s with ids and texts blanked, to compare their markup."""
    items = re.findall(
        rf'<li class="lms-choice">\s*(<input[^>]*name="{field}".*?)</li>', page, re.S
    )
    blanked = [re.sub(r'(id|for|value)="[^"]*"', r'\1=""', item) for item in items]
    return [re.sub(r">[^<]*</label>", "></label>", item) for item in blanked]


def test_the_attempt_page_never_carries_the_answer_key(app: Flask, learner: FlaskClient) -> None:
    attempt_id = start(learner)
    questions = keys(app, attempt_id)
    pages = [text(learner.get(f"/attempts/{attempt_id}"))]
    # Answered (wrongly), saved and on the confirmation step: still nothing of the key.
    autosave(learner, attempt_id, as_json(questions, WRONG))
    pages.append(text(learner.get(f"/attempts/{attempt_id}")))
    data = as_form(questions, WRONG)
    pages.append(text(post_form(learner, f"/attempts/{attempt_id}/submit", data)))

    for page in pages:
        for feedback in FEEDBACK:
            assert feedback not in page
        assert "ketamine" not in page.lower()  # the accepted answers
        assert "0.5" not in page and "tolerance" not in page  # the numeric key
        assert "correct" not in page.lower()
        assert "answer=" not in page
    # Right and wrong choices are marked up alike; the only ticks are the learner's own.
    for slug in ("first-used", "pick-all"):
        items = choice_items(pages[0], questions[slug].field)
        assert len(items) == len(questions[slug].choices)
        assert len(set(items)) == 1
    assert " checked" not in pages[0]
    assert pages[1].count(" checked") == 3  # one choice each in single, multiple, true/false


def test_the_review_waits_for_the_submission(app: Flask, learner: FlaskClient) -> None:
    attempt_id = start(learner)
    response = learner.get(f"/attempts/{attempt_id}/review")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}")
    assert "Submit the attempt to see its results." in text(learner.get(f"/attempts/{attempt_id}"))


def hand_in(app: Flask, client: FlaskClient, answers: dict[str, Any]) -> str:
    """Start, answer, submit; the review page."""
    attempt_id = start(client)
    autosave(client, attempt_id, as_json(keys(app, attempt_id), answers))
    response = submit(client, attempt_id)
    assert response.status_code == 302
    return text(client.get(response.headers["Location"]))


def policy(correct_answers: str, results: bool = True, feedback: bool = True) -> dict[str, Any]:
    return {"results": results, "feedback": feedback, "correct_answers": correct_answers}


def test_correct_answers_after_submit_shows_results_feedback_and_answers(
    app: Flask, sync_quiz: Callable[..., None], learner: FlaskClient
) -> None:
    sync_quiz(essay=False, review=policy("after_submit"))
    review = hand_in(app, learner, WRONG)
    assert review.count(">Not correct</span>") == 5
    assert "Correct answer" in review
    assert "ketamine or ketamine hydrochloride" in review
    assert "6 (± 0.5)" in review
    assert "The 1960s; " not in review and ">A; B<" in review
    for feedback in FEEDBACK[:-1]:
        assert feedback in review
    assert "Your answer" in review and ">propofol<" in review


def settings(**values: str) -> dict[str, str]:
    """A quiz file's `review` block: every setting after each attempt unless given."""
    return {
        name: values.get(name, "after_each_attempt")
        for name in ("score", "correctness", "answers", "feedback")
    }


def test_answers_never_keeps_the_key_hidden(
    app: Flask, sync_quiz: Callable[..., None], learner: FlaskClient
) -> None:
    sync_quiz(essay=False, review=settings(answers="never", feedback="never"))
    review = hand_in(app, learner, WRONG)
    assert "This quiz does not show the correct answers." in review
    assert "Correct answer" not in review
    assert "ketamine hydrochloride" not in review
    for feedback in FEEDBACK:  # it would give the answers away (issue 17, finding 3)
        assert feedback not in review
    assert review.count(">Not correct</span>") == 5  # which were right is still shown


def test_review_feedback_never_gives_away_answers_the_quiz_still_hides(
    app: Flask, sync_quiz: Callable[..., None], learner: FlaskClient
) -> None:
    """Security finding 3: a quiz of the first version's format (results and feedback
    true, answers after the last attempt) showed feedback after attempt 1, and the
    feedback stated the answers. Old-format files now read as feedback-with-the-answers."""
    old_format = {"results": True, "feedback": True, "correct_answers": "after_last_attempt"}
    sync_quiz(essay=False, attempts=2, review=old_format)
    first = hand_in(app, learner, WRONG)
    assert "ketamine hydrochloride" not in first and "6 (± 0.5)" not in first
    for feedback in FEEDBACK[:-1]:
        assert feedback not in first
    assert "Feedback on each question is shown once you pass this quiz" in first
    last = hand_in(app, learner, WRONG)
    assert "6 (± 0.5)" in last and "Six." in last


def test_answers_after_passing_or_the_last_attempt(
    app: Flask, sync_quiz: Callable[..., None], learner: FlaskClient
) -> None:
    later = "after_passing_or_last_attempt"
    sync_quiz(essay=False, attempts=3, review=settings(answers=later, feedback=later))
    failed = hand_in(app, learner, WRONG)
    assert (
        "The correct answers are shown once you pass this quiz, or after your last attempt."
        in failed
    )
    assert "ketamine hydrochloride" not in failed and "Six." not in failed
    assert "Try again" in failed
    passed = hand_in(app, learner, RIGHT)
    assert "ketamine or ketamine hydrochloride" in passed and "Six." in passed
    assert "Try again" not in passed


def test_the_last_attempt_shows_what_waits_for_it(
    app: Flask, sync_quiz: Callable[..., None], learner: FlaskClient
) -> None:
    later = "after_passing_or_last_attempt"
    sync_quiz(essay=False, attempts=2, review=settings(answers=later))
    first = hand_in(app, learner, WRONG)
    assert "6 (± 0.5)" not in first
    assert "Six." in first  # this quiz shows feedback after each attempt: its author's choice
    last = hand_in(app, learner, WRONG)
    assert "6 (± 0.5)" in last


def test_score_and_correctness_can_be_hidden(
    app: Flask, sync_quiz: Callable[..., None], learner: FlaskClient
) -> None:
    sync_quiz(
        essay=False,
        review=settings(score="never", correctness="never", answers="never", feedback="never"),
    )
    review = hand_in(app, learner, RIGHT | {"how-many": "7"})
    assert "80.0%" not in review and "You scored" not in review
    assert "This quiz does not show your score." in review
    assert "Not correct" not in review and ">Correct<" not in review
    for feedback in FEEDBACK:
        assert feedback not in review


def test_a_summative_quiz_cannot_show_feedback_before_its_answers(
    runner: Any, tmp_path: Any
) -> None:
    from tests.quizzes.conftest import sync_course

    with pytest.raises(AssertionError, match="shows feedback") as refused:
        sync_course(
            runner,
            tmp_path / "good",
            summative=True,
            review=settings(answers="after_passing_or_last_attempt"),
        )
    assert "set review.feedback to the same as review.answers, or later" in str(refused.value)


def test_an_essay_review_says_it_awaits_grading(app: Flask, learner: FlaskClient) -> None:
    review = hand_in(app, learner, RIGHT)
    assert "An instructor grades the written answers." in review
    assert "status-awaiting_grading" in review
    assert RIGHT["reflect"] in review
    quiz_page = text(learner.get(QUIZ_URL))
    assert "Awaiting grading" in quiz_page


@pytest.mark.parametrize(
    ("rule", "score", "status"),
    [
        ("best", "Your best score: 100.0%", "Passed"),
        ("last", "Your latest score: 0.0%", "Not passed yet, 1 attempt left"),
    ],
)
def test_the_quiz_page_counts_the_best_or_the_last_attempt(
    app: Flask,
    sync_quiz: Callable[..., None],
    learner: FlaskClient,
    rule: str,
    score: str,
    status: str,
) -> None:
    sync_quiz(essay=False, score_rule=rule)
    hand_in(app, learner, RIGHT)
    hand_in(app, learner, WRONG)
    page = text(learner.get(QUIZ_URL))
    assert score in page
    assert f">{status}</span>" in page
    assert "2 of 3 used" in page
    assert page.count("/review") == 2


def test_finding_3_feedback_waits_for_the_correct_answers(
    app: Flask, sync_quiz: Callable[..., None], learner: FlaskClient
) -> None:
    """With "correct answers after the last attempt", question and choice feedback (which
    states the answers) showed after attempt 1. It now shows only with the answers."""
    sync_quiz(essay=False, attempts=2, review=policy("after_last_attempt"))
    first = hand_in(app, learner, WRONG)
    later = "shown once you pass this quiz, or after your last attempt."
    assert f"The correct answers are {later}" in first
    assert f"Feedback on each question is {later}" in first
    for feedback in FEEDBACK:
        assert feedback not in first
    assert first.count(">Not correct</span>") == 5  # results are still shown
    last = hand_in(app, learner, WRONG)
    for feedback in FEEDBACK[:-1]:
        assert feedback in last
    # The first attempt's review now shows them too: nothing is left to hide.
    first_id = re.findall(r"/attempts/(\d+)/review", text(learner.get(QUIZ_URL)))[0]
    assert "The 1960s." in text(learner.get(f"/attempts/{first_id}/review"))


def test_finding_3_after_pass_feedback_comes_with_the_pass(
    app: Flask, sync_quiz: Callable[..., None], learner: FlaskClient
) -> None:
    sync_quiz(essay=False, review=policy("after_pass"))
    failed = hand_in(app, learner, WRONG)
    assert "A and B." not in failed
    assert "Feedback on each question is shown once you pass this quiz" in failed
    passed = hand_in(app, learner, RIGHT)
    assert "A and B." in passed
