"""Assignment and Grade Services: a launched quiz's score lands in the platform's line item
(auto-graded on submit, essays only on release, a regrade sends the new score), never
posted twice, and a platform that is down delays scores without losing them."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from lms.database import session
from lms.models import Attempt, Job, JobState, LtiScore
from lms.quizzes.grading import attempt_percent
from tests.conftest import run_jobs
from tests.grading.conftest import ESSAY, criterion_fields, essay_answer_id
from tests.lti.conftest import GOOD_QUIZ, SP_QUIZ, Browser, LiveLMS, read_lessons
from tests.lti.platform import LEARNER, Link, Person, RunningPlatform
from tests.quizzes.conftest import RIGHT, as_form, keys

SP_RIGHT = {"decade": ["1960s"], "truth": "true"}
SP_WRONG = {"decade": ["1990s"], "truth": "false"}


def take_quiz(browser: Browser, lms: LiveLMS, quiz: str, answers: dict[str, Any]) -> int:
    """Start, answer and submit (with the confirmation step) over HTTP; the attempt id."""
    started = browser.post(f"{quiz}/attempts", {}, allow_redirects=False)
    assert started.status_code == 302, started.text[:1000]
    match = re.search(r"/attempts/(\d+)$", started.headers["Location"])
    assert match
    attempt_id = int(match.group(1))
    data = as_form(keys(lms.app, attempt_id), answers)
    confirm = browser.post(f"/attempts/{attempt_id}/submit", data)
    assert confirm.status_code == 200, confirm.text[:1000]
    done = browser.post(f"/attempts/{attempt_id}/submit", {"confirm": "yes"}, allow_redirects=False)
    assert done.status_code == 302, done.text[:1000]
    return attempt_id


def send_scores(lms: LiveLMS) -> Any:
    return lms.app.test_cli_runner().invoke(args=["lms", "lti", "send-scores"])


def waiting(lms: LiveLMS) -> int:
    with lms.app.app_context():
        count = session.scalar(
            sa.select(sa.func.count()).select_from(LtiScore).where(LtiScore.sent_at.is_(None))
        )
        session.remove()
        return int(count or 0)


def launched_learner(lms: LiveLMS, platform: RunningPlatform, quiz: str, course: str) -> Browser:
    platform.state.people["ana"] = Person("ana-sub", LEARNER, "Ana", "ana@school.example")
    platform.state.links["quiz"] = Link("quiz-link", "course-101", lms.url + quiz, graded=True)
    browser = Browser(lms)
    browser.launch(platform, "ana", "quiz")
    read_lessons(lms, "ana-sub", course)
    return browser


def test_the_background_worker_sends_the_score_after_the_commit(
    lms_server: LiveLMS, platform: RunningPlatform
) -> None:
    """The score is a job enqueued in the grading transaction: the worker sends it, once."""
    browser = launched_learner(lms_server, platform, SP_QUIZ, "sp")
    take_quiz(browser, lms_server, SP_QUIZ, SP_RIGHT)
    assert platform.scores("quiz-link") == []
    with lms_server.app.app_context():
        [job] = session.scalars(sa.select(Job).where(Job.kind == "lti.score")).all()
        assert job.state is JobState.PENDING
        session.remove()
    assert run_jobs(lms_server.app) >= 1
    [score] = platform.scores("quiz-link")
    assert (score["userId"], score["scoreGiven"]) == ("ana-sub", 100.0)
    assert waiting(lms_server) == 0
    run_jobs(lms_server.app)  # nothing left to do: still one score
    assert send_scores(lms_server).exit_code == 0
    assert len(platform.scores("quiz-link")) == 1


def test_auto_graded_score_goes_to_the_line_item_once(
    lms_server: LiveLMS, platform: RunningPlatform
) -> None:
    browser = launched_learner(lms_server, platform, SP_QUIZ, "sp")
    take_quiz(browser, lms_server, SP_QUIZ, SP_RIGHT)
    assert platform.scores("quiz-link") == []  # queued in the grading transaction, not sent
    assert waiting(lms_server) == 1

    result = send_scores(lms_server)
    assert result.exit_code == 0, result.output
    assert "Scores sent: 1" in result.output
    [score] = platform.scores("quiz-link")
    assert score["userId"] == "ana-sub"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (100.0, 100.0)
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
    assert score["timestamp"]

    # Sending again posts nothing; a worse second attempt does not change the counted
    # (best) score, so no new score is queued either.
    assert "Scores sent: 0" in send_scores(lms_server).output
    take_quiz(browser, lms_server, SP_QUIZ, SP_WRONG)
    assert waiting(lms_server) == 0
    send_scores(lms_server)
    assert len(platform.scores("quiz-link")) == 1


def test_platform_down_delays_scores(lms_server: LiveLMS, platform: RunningPlatform) -> None:
    browser = launched_learner(lms_server, platform, SP_QUIZ, "sp")
    take_quiz(browser, lms_server, SP_QUIZ, SP_WRONG)
    platform.state.down = True
    result = send_scores(lms_server)
    assert result.exit_code == 1
    assert "failed (will be retried): 1" in result.output
    with lms_server.app.app_context():
        row = session.scalars(sa.select(LtiScore)).one()
        assert row.sent_at is None and row.tries == 1 and row.last_error
        session.remove()

    platform.state.down = False
    result = send_scores(lms_server)
    assert result.exit_code == 0 and "Scores sent: 1" in result.output
    [score] = platform.scores("quiz-link")
    assert score["scoreGiven"] == 0.0


def sign_in_admin(lms: LiveLMS) -> Browser:
    runner = lms.app.test_cli_runner()
    result = runner.invoke(
        args=["lms", "users", "create", "ada@example.com", "--role", "admin", "--password-stdin"],
        input="correct horse battery\n",
    )
    assert result.exit_code == 0, result.output
    admin = Browser(lms)
    signed = admin.post(
        "/sign-in",
        {"email": "ada@example.com", "password": "correct horse battery"},
        allow_redirects=False,
    )
    assert signed.status_code == 302, signed.text[:500]
    return admin


def grade(
    admin: Browser, lms: LiveLMS, answer_id: int, scores: tuple[str, str], **extra: str
) -> None:
    url = f"/teach/grading/answers/{answer_id}"
    page = admin.get(url)
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version, page.text[:1000]
    insight, care = criterion_fields(lms.app, answer_id)
    data = {
        insight: scores[0],
        care: scores[1],
        "feedback": "Thank you.",
        "version": version.group(1),
    }
    response = admin.post(url, data | extra, allow_redirects=False)
    assert response.status_code in (200, 302), response.text[:1000]


def counted_percent(lms: LiveLMS, attempt_id: int) -> float:
    with lms.app.app_context():
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        value = attempt_percent(attempt)
        session.remove()
    assert value is not None
    return float(Decimal(value).quantize(Decimal("0.01")))


def test_essay_score_only_on_release_and_regrade_sends_again(
    lms_server: LiveLMS, platform: RunningPlatform
) -> None:
    browser = launched_learner(lms_server, platform, GOOD_QUIZ, "good-course")
    attempt_id = take_quiz(browser, lms_server, GOOD_QUIZ, dict(RIGHT, reflect=ESSAY))
    assert waiting(lms_server) == 0  # the essay is not graded yet: nothing to send
    answer_id = essay_answer_id(lms_server.app, attempt_id)

    admin = sign_in_admin(lms_server)
    grade(admin, lms_server, answer_id, ("1", "1"), action="draft")
    assert waiting(lms_server) == 0  # a draft is not released
    grade(admin, lms_server, answer_id, ("1", "1"), action="release")
    assert waiting(lms_server) == 1
    first = counted_percent(lms_server, attempt_id)
    send_scores(lms_server)
    [score] = platform.scores("quiz-link")
    assert score["scoreGiven"] == first < 100

    grade(admin, lms_server, answer_id, ("3", "2"), action="release", reason="Reread it.")
    second = counted_percent(lms_server, attempt_id)
    assert second > first
    send_scores(lms_server)
    scores = platform.scores("quiz-link")
    assert [s["scoreGiven"] for s in scores] == [first, second]
    assert scores[1]["timestamp"] > scores[0]["timestamp"]


def test_a_score_sent_out_of_order_never_overwrites_a_newer_one(
    lms_server: LiveLMS, platform: RunningPlatform
) -> None:
    """As jobs may run: the newer score is sent first; the older one is then skipped."""
    from lms.lti.outbox import send_one

    browser = launched_learner(lms_server, platform, SP_QUIZ, "sp")
    take_quiz(browser, lms_server, SP_QUIZ, SP_WRONG)  # 0
    take_quiz(browser, lms_server, SP_QUIZ, SP_RIGHT)  # 100 (the best counts)
    with lms_server.app.app_context():
        older, newer = session.scalars(sa.select(LtiScore.id).order_by(LtiScore.id)).all()
        assert send_one(newer) and send_one(older)
        skipped = session.get(LtiScore, older)
        assert skipped is not None and skipped.sent_at is not None
        assert "Superseded" in skipped.last_error
        session.remove()
    assert [s["scoreGiven"] for s in platform.scores("quiz-link")] == [100.0]
