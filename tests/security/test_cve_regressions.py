"""Named regression tests: the bugs real learning platforms shipped, each tried here.

One short end-to-end test per advisory, named after it:

- LearnDash CVE-2024-1208: answer keys served to the browser before submission;
- LifterLMS CVE-2021-24562: a learner reads another learner's attempts and certificates;
- Moodle CVE-2021-32473: grades and feedback visible before they are released;
- Moodle CVE-2020-14321: a teacher gives themselves (or anyone) a higher role;
- Moodle CVE-2014-0213: cross-site request forgery on grading;
- Moodle GHSA-6r7x-6q98-qcqp: stored XSS through grader feedback and imported questions;
- Open edX CVE-2022-32195: open redirect after logout;
- Moodle CVE-2022-30600: lockout bypass by parallel sign-ins, tested in
  tests/security/test_login_throttling.py::test_cve_2022_30600_parallel_guesses_cannot_bypass_the_account_limit
  (listed in `ELSEWHERE`, which `test_every_named_cve_has_its_test` keeps honest).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from lms.database import session
from lms.models import Answer, AttemptStatus, Cohort, Grade, Profile, Role
from lms.policies import POLICIES, Audience
from lms.web import lms_url_for
from tests.cohorts import conftest as cohort_fixtures
from tests.conftest import Users, csrf_token, lms_rules, post_form
from tests.grading.conftest import (
    grade_url,
    hand_in,
    page_version,
    post_grade,
    stored_attempt,
    text,
)
from tests.quizzes import conftest as quiz_fixtures
from tests.quizzes.conftest import (
    GOOD,
    RIGHT,
    WRONG,
    as_form,
    as_json,
    autosave,
    enrol,
    keys,
    sign_in,
    start,
    sync_course,
)
from tests.security import test_access_matrix as matrix
from tests.security.test_access_matrix import World
from tests.security.test_xss import LITERALS, PAYLOADS, assert_nothing_executable

#: Fixtures of other modules: the access matrix's world (two cohorts, seven signed-in roles),
#: the quiz tests' course (tests/fixtures/courses/good) and its signed-in, enrolled learner,
#: and cheap password hashes (these tests make many accounts).
world = matrix.world
course = quiz_fixtures.course
learner = quiz_fixtures.learner
fast_passwords = cohort_fixtures.fast_passwords
pytestmark = pytest.mark.usefixtures("fast_passwords")

#: Tests of named advisories that live in other modules (module, test function).
ELSEWHERE = {
    "CVE-2022-30600": (
        "tests.security.test_login_throttling",
        "test_cve_2022_30600_parallel_guesses_cannot_bypass_the_account_limit",
    ),
}

#: What the fixture quiz keeps from learners until they submit (see check.quiz.yml).
ANSWER_KEY = [
    *("The 1960s.", "A and B.", "It is.", "Ketamine.", "Six.", "Thanks."),  # feedback
    "ketamine hydrochloride",
    "tolerance",
    "is_correct",
    '"correct"',
    "data-correct",
    "accepted",
]


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, email)
    return client


def test_cve_2024_1208_learndash_answer_keys_never_reach_the_browser_before_submission(
    app: Flask, learner: FlaskClient
) -> None:
    attempt_id = start(learner)
    questions = keys(app, attempt_id)
    seen = {"attempt page": text(learner.get(f"/attempts/{attempt_id}"))}
    saved = autosave(learner, attempt_id, as_json(questions, WRONG))
    seen["autosave JSON"] = text(saved)
    assert saved.status_code == 200 and set(saved.get_json()) == {
        "status",
        "saved_at",
        "seconds_left",
    }
    invalid = autosave(learner, attempt_id, {"answers": {questions["how-many"].key: "six"}})
    seen["autosave JSON, invalid"] = text(invalid)
    assert invalid.status_code == 400
    seen["page after saving"] = text(learner.get(f"/attempts/{attempt_id}"))
    data = as_form(questions, WRONG)
    seen["confirm page"] = text(post_form(learner, f"/attempts/{attempt_id}/submit", data))
    seen["quiz page"] = text(learner.get("/courses/good-course/quizzes/basics-check"))
    leaks = [(where, key) for where, page in seen.items() for key in ANSWER_KEY if key in page]
    assert not leaks
    assert all("correct" not in page.lower() for page in seen.values())


def test_cve_2021_24562_lifterlms_a_learner_cannot_read_another_learners_work(
    app: Flask, world: World
) -> None:
    values = world.values
    attempt, code, answer = values["attempt_id"], values["code"], values["answer_id"]
    with app.app_context():
        essay = session.get(Answer, answer)
        assert essay is not None
        essay_attempt = essay.attempt_id
    owner = world.clients["learner_a"]
    assert owner.get(f"/attempts/{attempt}").status_code == 200
    assert owner.get(f"/certificates/{code}/certificate.pdf").status_code == 200
    for role in ("learner_b", "stranger"):
        other = world.clients[role]
        token = csrf_token(other)
        reads = [
            other.get(f"/attempts/{attempt}"),
            other.get(f"/attempts/{attempt}/review"),
            other.get(f"/attempts/{essay_attempt}/review"),
            other.get(f"/certificates/{code}/certificate.pdf"),
        ]
        writes = [
            other.post(
                f"/attempts/{attempt}/answers", json={"answers": {}}, headers={"X-CSRFToken": token}
            ),
            other.post(f"/attempts/{attempt}/submit", data={"csrf_token": token, "confirm": "yes"}),
            other.post(
                f"/attempts/{essay_attempt}/answers/{answer}/resubmit",
                data={"csrf_token": token, "response": "Mine now."},
            ),
        ]
        assert [r.status_code for r in reads + writes] == [404] * 7, role
        assert all("My reflection." not in text(r) for r in reads + writes)
    # The public verification page confirms the certificate, and shows no answers.
    public = text(app.test_client().get(f"/certificates/{code}"))
    assert "My reflection." not in public


def test_cve_2021_32473_moodle_grades_and_feedback_stay_hidden_until_released(
    app: Flask, users: Users, course: None
) -> None:
    enrol(app, users, "ana@example.com")
    users.create("ada@example.com", role="admin")
    attempt_id, answer_id = hand_in(app, "ana@example.com")
    grader = signed_in(app, "ada@example.com")
    feedback = "Draft feedback: name the consent step."
    assert (
        post_grade(app, grader, answer_id, feedback=feedback, scores=("3", "2")).status_code == 302
    )

    ana = signed_in(app, "ana@example.com")
    before = {
        "review": text(ana.get(f"/attempts/{attempt_id}/review")),
        "dashboard": text(ana.get("/dashboard")),
        "notifications": text(ana.get("/notifications")),
        "autosave JSON": text(ana.post(
            f"/attempts/{attempt_id}/answers", json={"answers": {}},
            headers={"X-CSRFToken": csrf_token(ana)},
        )),
        "quiz page": text(ana.get("/courses/good-course/quizzes/basics-check")),
    }  # fmt: skip
    for where, page in before.items():
        assert feedback not in page, where
        assert "5 of 5 points" not in page and "100.0%" not in page, where
    assert "Awaiting grading" in before["review"]
    assert stored_attempt(app, attempt_id) == (AttemptStatus.AWAITING_GRADING, None, None)

    released = post_form(
        grader,
        f"{grade_url(answer_id)}/release",
        {"version": page_version(grader, answer_id)},
        token_from=grade_url(answer_id),
    )
    assert released.status_code == 302
    assert feedback in text(ana.get(f"/attempts/{attempt_id}/review"))  # the check was real
    assert feedback in text(ana.get("/dashboard"))


def test_cve_2020_14321_moodle_instructors_cannot_promote_anyone_or_assign_themselves(
    app: Flask, world: World
) -> None:
    instructor = world.clients["instructor_a"]
    token = csrf_token(instructor)
    with app.app_context():
        people = {p.email.split("@")[0]: p.id for p in session.scalars(sa.select(Profile))}
        cohort_b = session.scalar(sa.select(Cohort.id).where(Cohort.name == "Cohort B"))
    me, cohort_a = people["instructor.a"], world.values["cohort_id"]

    def snapshot() -> tuple[Any, ...]:
        with app.app_context():
            roles = sorted(session.execute(sa.select(Profile.email, Profile.role)).all())
            teaching = sorted(
                (c.name, sorted(p.email for p in c.instructors))
                for c in session.scalars(sa.select(Cohort))
            )
            return tuple(roles), tuple(teaching)

    before = snapshot()
    refused = {}
    for target in people.values():
        for role in Role:
            url = f"/admin/users/{target}/role"
            refused[f"{url} {role.value}"] = instructor.post(
                url, data={"csrf_token": token, "role": role.value}
            ).status_code
    for cohort in (cohort_a, cohort_b):
        for person in (me, people["instructor.b"], people["admin"]):
            url = f"/teach/cohorts/{cohort}/instructors"
            refused[f"{url} {person}"] = instructor.post(
                url, data={"csrf_token": token, "person": str(person)}
            ).status_code
            remove = f"/teach/cohorts/{cohort}/instructors/{person}/remove"
            refused[remove] = instructor.post(remove, data={"csrf_token": token}).status_code
    # Every admin-only POST route, whatever it is called (a new one is covered too).
    for rule in lms_rules(app):
        if POLICIES.get(rule.endpoint) is Audience.ADMIN and "POST" in (rule.methods or set()):
            with app.test_request_context():
                url = lms_url_for(rule.endpoint, **{k: world.values[k] for k in rule.arguments})
            refused[url] = instructor.post(url, data={"csrf_token": token}).status_code
    assert instructor.get("/admin/users").status_code == 403

    # Their own cohort: 403; another cohort: 404 (instructors never learn it exists).
    wrong = {
        where: status
        for where, status in refused.items()
        if status != 403 and not (status == 404 and f"/cohorts/{cohort_b}/" in where)
    }
    assert not wrong
    assert snapshot() == before


def test_cve_2014_0213_moodle_grading_needs_the_csrf_token(
    app: Flask, users: Users, course: None
) -> None:
    enrol(app, users, "ana@example.com")
    users.create("ada@example.com", role="admin")
    users.create("mallory@example.com", role="learner")
    attempt_id, answer_id = hand_in(app, "ana@example.com")
    grader = signed_in(app, "ada@example.com")
    mallory = signed_in(app, "mallory@example.com")
    url = grade_url(answer_id)
    version = page_version(grader, answer_id)
    with app.app_context():
        criteria = [
            f"criterion-{c.id}" for c in session.get(Answer, answer_id).question_version.rubric
        ]
    form = {criteria[0]: "0", criteria[1]: "0", "feedback": "Forged.", "action": "release"}
    form["version"] = version
    forged = [
        grader.post(url, data=form),  # no token at all
        grader.post(url, data=form | {"csrf_token": csrf_token(mallory)}),  # someone else's
        grader.post(url, data=form | {"csrf_token": "forged"}),
        grader.post(url, json=form),
        grader.post(f"{url}/release", data={"version": version}),
        grader.post(f"{url}/return", data={"note": "Forged."}),
    ]
    assert [r.status_code for r in forged] == [400] * 6
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Grade.id))) == 0
    assert stored_attempt(app, attempt_id) == (AttemptStatus.AWAITING_GRADING, None, None)
    # With the grader's own token, the same form is accepted: the refusal was the token.
    assert (
        post_grade(app, grader, answer_id, feedback="Fine.", scores=("1", "1")).status_code == 302
    )


def test_ghsa_6r7x_6q98_qcqp_moodle_xss_through_feedback_and_imported_questions(
    app: Flask, users: Users, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    quiz = yaml.safe_load((GOOD / "01-basics" / "check.quiz.yml").read_text())
    payloads = "\n".join(PAYLOADS[:12] + LITERALS)
    for question in quiz["questions"]:
        question["prompt"] = f"{question['prompt']} {payloads}"
        question["feedback"] = payloads
        for choice in question.get("choices", []):
            choice["feedback"] = payloads
    sync_course(
        runner,
        tmp_path / "good",
        questions=quiz["questions"],
        review={"correct_answers": "after_submit"},
    )
    enrol(app, users, "ana@example.com")
    users.create("ada@example.com", role="admin")
    ana = signed_in(app, "ana@example.com")
    attempt_id = start(ana)
    assert_nothing_executable("attempt page", ana.get(f"/attempts/{attempt_id}"), shows=LITERALS)
    autosave(
        ana,
        attempt_id,
        as_json(keys(app, attempt_id), dict(RIGHT, reflect=RIGHT["reflect"] + " more words here")),
    )
    done = post_form(ana, f"/attempts/{attempt_id}/submit", {"confirm": "yes"})
    assert done.status_code == 302, text(done)
    with app.app_context():
        answer_id = session.scalar(
            sa.select(Answer.id).where(Answer.attempt_id == attempt_id, Answer.score.is_(None))
        )
    grader = signed_in(app, "ada@example.com")
    graded = post_grade(app, grader, answer_id, feedback=payloads, action="release")
    assert graded.status_code == 302, text(graded)
    for where, response in {
        "learner review": ana.get(f"/attempts/{attempt_id}/review"),
        "learner dashboard": ana.get("/dashboard"),
        "grading screen": grader.get(grade_url(answer_id)),
    }.items():
        assert_nothing_executable(where, response, shows=LITERALS)


def test_cve_2022_32195_open_edx_no_open_redirect_after_sign_out(app: Flask, users: Users) -> None:
    users.create("ana@example.com")
    for target in [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "https:evil.example",
    ]:
        client = signed_in(app, "ana@example.com")
        token = csrf_token(client)
        response = client.post(
            "/sign-out", query_string={"next": target}, data={"csrf_token": token, "next": target}
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/", target
        assert "/profile" not in text(client.get("/"))  # and signed out


def test_every_named_cve_has_its_test() -> None:
    """The advisories of issue 6 each have a test here or in `ELSEWHERE`."""
    here = importlib.import_module(__name__)
    names = [name for name in dir(here) if name.startswith(("test_cve_", "test_ghsa_"))]
    for advisory in [
        "cve_2024_1208",
        "cve_2021_24562",
        "cve_2021_32473",
        "cve_2020_14321",
        "cve_2014_0213",
        "ghsa_6r7x_6q98_qcqp",
        "cve_2022_32195",
    ]:
        assert any(advisory in name for name in names), advisory
    for module, function in ELSEWHERE.values():
        assert callable(getattr(importlib.import_module(module), function, None)), function
