"""Many requests at once, at a small scale (the load script, bench/load.py, does the same
at full scale through gunicorn): a burst of learners starting and submitting one quiz,
attempt limits under several tabs, and one lesson completed in two tabs at once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

import lms.learning.lessons
from lms.database import session
from lms.models import AttemptStatus, Certificate, Enrolment, LessonProgress
from lms.quizzes import attempt_submitted
from tests.reliability.conftest import (
    MAX_ATTEMPTS,
    Tab,
    add_learners,
    answers_for,
    as_form,
    as_json,
    attempt_id_of,
    attempts_of,
    duplicates,
    layout,
    recorded,
    sign_in,
    stored_answers,
    together,
)

BURST = 30


def test_a_burst_of_learners_starting_and_submitting_at_once(app: Flask, course: None) -> None:
    emails = add_learners(app, BURST)
    tabs = [sign_in(app, email) for email in emails]
    second_tabs = [tab.another_tab(app) for tab in tabs]

    # Everyone presses Start at once, in two tabs each (a double click).
    started = together([tab.start for tab in tabs + second_tabs])
    ids = [attempt_id_of(response) for response in started]
    assert ids[:BURST] == ids[BURST:], "a learner's two tabs got different attempts"
    assert len(set(ids[:BURST])) == BURST
    for email, attempt_id in zip(emails, ids, strict=False):
        [attempt] = attempts_of(app, email)  # exactly one attempt, open, while the quiz is open
        assert (attempt.id, attempt.status) == (attempt_id, AttemptStatus.IN_PROGRESS)

    # Everyone autosaves, then sends the page's form (the confirm step) with other answers.
    sent: dict[int, tuple[dict[int, Any], dict[int, Any]]] = {}
    for n, attempt_id in enumerate(ids[:BURST]):
        questions = layout(app, attempt_id)
        sent[attempt_id] = (answers_for(questions, 2 * n), answers_for(questions, 2 * n + 1))

    def answer(tab: Tab, attempt_id: int) -> tuple[int, int]:
        draft, final = sent[attempt_id]
        saved = tab.post_json(f"/attempts/{attempt_id}/answers", as_json(draft))
        confirm_page = tab.post(f"/attempts/{attempt_id}/submit", as_form(final))
        return saved.status_code, confirm_page.status_code

    pairs = list(zip(tabs, ids, strict=False))
    assert together([lambda p=p: answer(*p) for p in pairs]) == [(200, 200)] * BURST

    # Everyone confirms, in both tabs at once.
    with recorded(attempt_submitted) as submitted:
        confirmed = together(
            [lambda p=p: p[0].confirm(p[1]) for p in pairs]
            + [lambda p=p: p[0].confirm(p[1]) for p in zip(second_tabs, ids, strict=False)]
        )
    assert [response.status_code for response in confirmed] == [302] * (2 * BURST)
    assert sorted(submitted) == sorted(ids[:BURST])  # each attempt submitted exactly once

    for email, attempt_id in zip(emails, ids, strict=False):
        [attempt] = attempts_of(app, email)
        assert attempt.status is AttemptStatus.GRADED
        assert stored_answers(app, attempt_id) == sent[attempt_id][1]
    assert set(duplicates(app).values()) == {0}


def test_the_attempt_limit_holds_when_several_tabs_start_and_submit_at_once(
    app: Flask, course: None
) -> None:
    [email] = add_learners(app, 1)
    first = sign_in(app, email)
    tabs = [first] + [first.another_tab(app) for _ in range(3)]

    def keep_trying(tab: Tab) -> list[int]:
        """Start and submit until the quiz refuses another attempt."""
        statuses = []
        for _ in range(MAX_ATTEMPTS + 2):
            started = tab.start()
            statuses.append(started.status_code)
            if started.status_code == 403:
                break
            statuses.append(tab.confirm(attempt_id_of(started)).status_code)
        return statuses

    results = together([lambda tab=tab: keep_trying(tab) for tab in tabs])
    for statuses in results:
        assert set(statuses) <= {302, 403}
        assert statuses[-1] == 403
    attempts = attempts_of(app, email)
    assert [a.number for a in attempts] == list(range(1, MAX_ATTEMPTS + 1))
    assert {a.status for a in attempts} == {AttemptStatus.GRADED}
    assert set(duplicates(app).values()) == {0}


class StepTogether:
    """`lms.learning.lessons.session` with a meeting point after its first read: both tabs
    find no progress row before either writes one (the race, every time)."""

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties)

    def __getattr__(self, name: str) -> Any:
        return getattr(session, name)

    def scalar(self, *args: Any, **kwargs: Any) -> Any:
        found = session.scalar(*args, **kwargs)
        self.barrier.wait(timeout=10)
        return found


def test_two_tabs_completing_the_last_lesson_at_once_record_it_once(
    app: Flask, course: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    [email] = add_learners(app, 1, lessons_done=1)
    tab = sign_in(app, email)
    other = tab.another_tab(app)
    monkeypatch.setattr(lms.learning.lessons, "session", StepTogether(2))

    done = together([lambda: tab.complete("lesson-two"), lambda: other.complete("lesson-two")])
    assert [response.status_code for response in done] == [302, 302]
    with app.app_context():
        rows = list(session.scalars(sa.select(LessonProgress)))
        assert len(rows) == 2  # lesson one (before) and lesson two, once
        assert all(row.completed_at is not None for row in rows)
        enrolment = session.scalars(sa.select(Enrolment)).one()
        assert enrolment.completed_at is not None  # the course is complete...
        assert session.scalar(sa.select(sa.func.count(Certificate.id))) == 1  # ...once
    assert set(duplicates(app).values()) == {0}
