"""Input limits: too large, too long, the wrong type or out of range answers 4xx with a
message a person understands, never a 500.

- a body over MAX_CONTENT_LENGTH (or a field over MAX_FORM_MEMORY_SIZE): 413, the LMS's
  error page saying what to do (JSON for the autosave script);
- a field over its form's limit: the form again, with a message next to the field;
- absurd ids in URLs (10**30, 0, -1, "abc", "٣"): 404; odd slugs and codes: 4xx;
- numbers out of range, not numbers, dates that do not exist: form errors;
- malformed JSON: a 400 JSON error.

Also the plain regression tests of what tests/security/test_fuzz_forms.py found (each
was a 500): see the `test_regression_...` functions at the end.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from lms import LMS
from lms.database import session
from lms.models import Account, Answer, Attempt, Attendance, Profile
from lms.quizzes.attempts import build_layout, laid_out_questions
from tests.cohorts import conftest as cohort_fixtures
from tests.conftest import csrf_token, post_form
from tests.foundation.test_plugin import make_host_app
from tests.quizzes.conftest import GOOD
from tests.security import test_access_matrix as matrix
from tests.security.test_access_matrix import World

#: Fixtures of other modules: the access matrix's world (two cohorts, seven signed-in
#: roles), built with cheap password hashes.
world = matrix.world
fast_passwords = cohort_fixtures.fast_passwords
pytestmark = pytest.mark.usefixtures("fast_passwords")

TOO_LARGE = "What you sent is more than this site accepts"
SIGN_UP = {
    "name": "Nadia Nurse",
    "email": "nadia@example.com",
    "password": "a long enough password",
    "confirm": "a long enough password",
    "profession": "nurse",
}


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def is_lms_page(html: str) -> bool:
    return 'class="lms-site-header"' in html and "Back to the courses" in html


# -- size ----------------------------------------------------------------------------------------


def test_a_request_over_the_size_limit_gets_413_and_the_lms_page_saying_what_to_do(
    app: Flask, world: World
) -> None:
    visitor, learner = app.test_client(), world.clients["learner_b"]
    instructor, people = (
        world.clients["instructor_a"],
        f"/teach/cohorts/{world.values['cohort_id']}/people",
    )
    huge = "x" * (3 * 1024 * 1024)  # MAX_CONTENT_LENGTH is 2 MB
    for client, url, data in [
        (visitor, "/sign-up", SIGN_UP | {"name": huge}),
        (learner, "/join", {"code": huge}),
        (learner, "/profile", {"display_name": "x", "timezone": huge}),
        (instructor, people, {"emails": huge}),
    ]:  # fmt: skip
        response = client.post(url, data={"csrf_token": csrf_token(client), **data})
        assert response.status_code == 413, url
        page = text(response)
        assert is_lms_page(page), url
        assert TOO_LARGE in page and "(at most 2 MB)" in page and "Nothing was saved" in page
        assert "Request Entity Too Large</h1>\n<p>The data value" not in page  # werkzeug's

    owner = world.clients["learner_a"]
    saved = owner.post(
        f"/attempts/{world.values['attempt_id']}/answers",
        json={"answers": {"1": huge}},
        headers={"X-CSRFToken": csrf_token(owner)},
    )
    assert saved.status_code == 413
    assert saved.get_json()["status"] == "error"
    assert TOO_LARGE in saved.get_json()["error"]


def test_in_a_host_app_the_lms_answers_413_with_its_page_and_the_host_keeps_its_own(
    database_url: str, tmp_path: Path
) -> None:
    """Plugin mode: the host's MAX_CONTENT_LENGTH applies; LMS routes explain it, the
    host's own routes keep whatever the host does."""
    host = make_host_app(database_url, tmp_path, MAX_CONTENT_LENGTH=10_000)
    LMS(host, url_prefix="/learn")
    client = host.test_client()
    response = client.post("/learn/join", data={"code": "x" * 20_000})
    assert response.status_code == 413
    assert TOO_LARGE in text(response) and "(at most 10 kB)" in text(response)
    assert is_lms_page(text(response))
    assert client.post("/", data={"x": "x" * 20_000}).status_code == 405  # the host's


OVERSIZED = [
    ("stranger", "/profile", {"display_name": "N" * 121}, "Use at most 120 characters."),
    ("stranger", "/profile", {"licence_type": "R" * 81}, "Use at most 80 characters."),
    ("learner_b", "/join", {"code": "C" * 33}, "Field cannot be longer than 32 characters."),
    ("admin", "/teach/cohorts/new", {"name": "N" * 121}, "Use at most 120 characters."),
    ("admin", "/teach/cohorts/new", {"invite_code": "c" * 33}, "Use 4 to 32 characters."),
    ("instructor_a", "sessions", {"title": "T" * 201}, "Use at most 200 characters."),
    ("instructor_a", "sessions", {"location": "L" * 501}, "Use at most 500 characters."),
    ("instructor_a", "people", {"emails": "a@b.c\n" * 10_001}, "Paste fewer addresses"),
    ("instructor_a", "people", {"emails": "a@b.c\n" * 501}, "Paste at most 500 addresses"),
    ("instructor_a", "grade", {"feedback": "F" * 10_001}, "the most is 10,000"),
    ("instructor_a", "return", {"note": "N" * 5_001}, "Keep the note to 5,000 characters"),
]


def test_an_oversized_field_gets_a_form_error(app: Flask, world: World) -> None:
    cohort, answer = world.values["cohort_id"], world.values["answer_id"]
    urls = {
        "sessions": f"/teach/cohorts/{cohort}/sessions",
        "people": f"/teach/cohorts/{cohort}/people",
        "grade": f"/teach/grading/answers/{answer}",
        "return": f"/teach/grading/answers/{answer}/return",
    }
    problems = []
    for role, url, data, message in OVERSIZED:
        response = post_form(world.clients[role], urls.get(url, url), data)
        if response.status_code not in (200, 400) or message not in text(response):
            problems.append(f"{url} {sorted(data)}: {response.status_code}, no {message!r}")
    assert not problems, "\n".join(problems)


# -- wrong types and ranges ----------------------------------------------------------------------

BAD_IDS = [str(10**30), str(2**31), "0", "-1", "abc", "1.5", "٣"]
BAD_STRINGS = ["x" * 3000, "%00", "%FF%FE", "ü", "..", "%3Cscript%3E"]


def test_absurd_ids_and_odd_slugs_in_urls_are_4xx_never_500(app: Flask, world: World) -> None:
    """Every rule, each argument in turn made absurd: ids are 404, other strings 4xx."""
    admin = world.clients["admin"]
    token = csrf_token(admin)
    problems = []
    for rule in app.url_map.iter_rules():
        if not rule.arguments or rule.endpoint == "static":
            continue
        for name in sorted(rule.arguments):
            is_id = f"<lms_id:{name}>" in rule.rule
            for bad in BAD_IDS if is_id else BAD_STRINGS:
                url = rule.rule
                for argument in rule.arguments:
                    value = bad if argument == name else str(world.values[argument])
                    url = re.sub(rf"<(?:[a-z_]+:)?{argument}>", value, url)
                for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                    if method == "GET":
                        response = admin.get(url)
                    else:
                        response = admin.post(url, data={"csrf_token": token})
                    status = response.status_code
                    response.close()
                    # "٣" is a digit to werkzeug (and int()): the id 3, whatever it is.
                    expected = (404,) if is_id and bad != "٣" else range(400, 500)
                    if status not in expected:
                        problems.append(f"{method} {url[:120]} ({rule.endpoint}): {status}")
    assert not problems, "\n".join(problems)


def test_odd_page_numbers_and_filters_are_not_errors(app: Flask, world: World) -> None:
    admin, instructor = world.clients["admin"], world.clients["instructor_a"]
    for odd in ["-1", "0", str(10**30), "9" * 5000, "abc", "1.5", "٣", "\x00", "%", ""]:
        for client, url, args in [
            (admin, "/admin/users", {"page": odd, "q": odd}),
            (admin, "/admin/outbox", {"page": odd}),
            (
                instructor,
                "/teach/grading",
                dict.fromkeys(["page", "cohort", "quiz", "status"], odd),
            ),
            (instructor, f"/teach/grading/answers/{world.values['answer_id']}", {"cohort": odd}),
        ]:
            status = client.get(url, query_string=args).status_code
            assert status == 200, (url, odd[:10], status)


COHORT_FORM = [
    ("capacity", "-5", "Enter 1 to 10,000 places."),
    ("capacity", "0", "Enter 1 to 10,000 places."),
    ("capacity", "ten", "Enter a whole number of places"),
    ("capacity", "2.5", "Enter a whole number of places"),
    ("capacity", str(10**30), "Enter 1 to 10,000 places."),  # was OverflowError: a 500
    ("capacity", "9" * 400, "Enter 1 to 10,000 places."),
    ("starts_on", "2025-02-30", "Enter a date like 2025-03-03."),
    ("starts_on", "1066-10-14", "Choose a date between 2000 and 2199."),
    ("timezone", "Mars/Olympus_Mons", "Choose a time zone from the list."),
    ("course", "-1", "Choose a course from the list."),
    ("course", str(10**30), "Choose a course from the list."),
]
SESSION_FORM = [
    ("duration_minutes", "0", "Enter 1 to 600 minutes."),
    ("duration_minutes", "-90", "Enter 1 to 600 minutes."),
    ("duration_minutes", str(10**30), "Enter 1 to 600 minutes."),
    ("duration_minutes", "ninety", "Enter a whole number of minutes"),
    ("day", "2025-13-01", "Enter a date like 2025-03-03."),
    ("start", "25:61", "Enter a time like 18:30."),
    ("module", "-1", "Choose a module from the list."),
    ("title", "Circle\x00", "Remove the control characters"),
]
EXTRA_TIME = [
    ("extra_time_percent", "-1", "Enter 0 to 300."),
    ("extra_time_percent", "301", "Enter 0 to 300."),
    ("extra_time_percent", str(10**30), "Enter 0 to 300."),
    ("extra_time_percent", "half", "Enter a whole number, like 50"),
]
SCORES = [
    ("-1", "a score cannot be negative"),
    ("4", "at most 3 points"),
    ("1e309", "is not a number of points"),
    ("NaN", "is not a number of points"),
    ("inf", "is not a number of points"),
    ("²", "is not a number of points"),
    ("9" * 400, "is not a number of points"),
    ("1,5", "Use a point for halves"),
    ("1.25", "use whole or half points"),
]


def test_wrong_types_and_out_of_range_values_are_form_errors(app: Flask, world: World) -> None:
    """Each value alone in an otherwise good form: 400, the form with the message."""
    cohort, answer_id = world.values["cohort_id"], world.values["answer_id"]
    with app.app_context():
        answer = session.get(Answer, answer_id)
        assert answer is not None
        insight, care = (f"criterion-{c.id}" for c in answer.question_version.rubric)
    forms: list[tuple[str, str, dict[str, str], list[tuple[str, str, str]]]] = [
        (
            "admin",
            "/teach/cohorts/new",
            {"course": "1", "name": "Autumn", "starts_on": "2030-09-01", "timezone": "UTC"}
            | {"capacity": "20", "invite_code": "autumn-30"},
            COHORT_FORM,
        ),
        (
            "instructor_a",
            f"/teach/cohorts/{cohort}/sessions",
            {"title": "Circle", "day": "2030-09-01", "start": "18:00", "duration_minutes": "90"},
            SESSION_FORM,
        ),
        (
            "instructor_a",
            f"/teach/cohorts/{cohort}/people/{world.values['enrolment_id']}",
            {"extra_time_percent": "50"},
            EXTRA_TIME,
        ),
        (
            "instructor_a",
            f"/teach/grading/answers/{answer_id}",
            {insight: "1", care: "1", "feedback": "Kind.", "version": "0"},
            [(insight, score, message) for score, message in SCORES],
        ),
    ]
    problems = []
    for role, url, good, cases in forms:
        client = world.clients[role]
        token = csrf_token(client)
        for field, value, message in cases:
            response = client.post(url, data=good | {field: value, "csrf_token": token})
            if response.status_code != 400 or message not in text(response):
                problems.append(f"{url} {field}={value[:20]!r}: {response.status_code}")
    assert not problems, "\n".join(problems)
    with app.app_context():
        assert session.get(Answer, answer_id).grade is None  # type: ignore[union-attr]

    release = f"/teach/grading/quizzes/{world.values['quiz_id']}/release"
    for odd in ["abc", "-1", str(10**30), "٣", ""]:
        assert post_form(world.clients["admin"], release, {"cohort": odd}).status_code == 404


# -- JSON ----------------------------------------------------------------------------------------


MALFORMED_JSON = [
    b"{not json",
    b"",
    b"[",
    b"[" * 100_000,  # was RecursionError: a 500
    b'{"answers": ' * 50_000,
    b"null",
    b"[]",
    b'"answers"',
    b'{"answers": []}',
    b'{"answers": {"999999999999": "x"}}',
    b'{"answers": {"nope": 1}}',
    b"\xff\xfe\x00",
    b"NaN",
]


def test_malformed_json_to_the_autosave_route_is_a_400_json_error(app: Flask, world: World) -> None:
    owner = world.clients["learner_a"]
    token = csrf_token(owner)
    for body in MALFORMED_JSON:
        response = owner.post(
            f"/attempts/{world.values['attempt_id']}/answers",
            data=body,
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == 400, (body[:20], text(response)[:200])
        assert response.mimetype == "application/json"
        assert response.get_json()["status"] == "error"
        assert response.get_json()["error"]


# -- regressions of what the fuzz test found -----------------------------------------------------


def test_regression_a_superscript_digit_as_a_choice_is_400_not_500(
    app: Flask, world: World
) -> None:
    """A choice of "²" was a 500: "²".isdigit() is True, but int("²") raises ValueError."""
    attempt_id = world.values["attempt_id"]
    owner = world.clients["learner_a"]
    with app.app_context():
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        attempt.layout = build_layout(attempt.quiz)
        session.commit()
        fields = [q.field_name for q in laid_out_questions(attempt)]
    for value in ["²", "٣", "9" * 5000]:
        response = post_form(owner, f"/attempts/{attempt_id}/answers", dict.fromkeys(fields, value))
        assert response.status_code == 400
        page = text(response)
        assert "Choose one of the listed answers." in page or "not one of" in page


def test_regression_a_blank_attendance_mark_is_unmarked_not_500(app: Flask, world: World) -> None:
    """RadioField + Optional() let " " through without the choice check: was ValueError."""
    cohort, live = world.values["cohort_id"], world.values["session_id"]
    with app.app_context():
        learner = session.scalar(
            sa.select(Profile.id).where(Profile.email == "learner.a@example.com")
        )
    url = f"/teach/cohorts/{cohort}/sessions/{live}/attendance"
    response = post_form(world.clients["instructor_a"], url, {f"mark_{learner}": " "})
    assert response.status_code == 302
    with app.app_context():
        marks = session.scalar(sa.select(sa.func.count(Attendance.id)))
        assert marks == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "Nadia\x00Nurse"), ("name", "Nadia\x1bNurse"), ("licence_type", "RN\x00")],
)
def test_regression_control_characters_in_a_name_are_a_form_error(
    app: Flask, client: FlaskClient, field: str, value: str
) -> None:
    """PostgreSQL cannot store NUL: signing up with one in the name was a 500 there."""
    data = SIGN_UP | {"licence_type": "RN", "licence_number": "1"} | {field: value}
    response = post_form(client, "/sign-up", data)
    assert response.status_code == 200
    assert "Remove the control characters from this text." in text(response)
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Account.id))) == 0


def test_regression_control_characters_in_a_profile_are_a_form_error(
    app: Flask, world: World
) -> None:
    stranger = world.clients["stranger"]
    for field in ("display_name", "licence_type", "licence_number"):
        data = {"display_name": "Stan", "profession": "nurse", "timezone": "UTC"}
        data |= {"licence_type": "RN", "licence_number": "1", field: "x\x00y"}
        response = post_form(stranger, "/profile", data)
        assert "Remove the control characters from this text." in text(response), field


@pytest.mark.parametrize(
    ("where", "key", "value", "message"),
    [
        ("course.yml", "title", "T" * 201, "is 201 characters long; the most is 200"),
        ("course.yml", "audience", "A" * 201, "is 201 characters long; the most is 200"),
        ("01-basics/module.yml", "title", "M" * 250, "is 250 characters long; the most is 200"),
        ("01-basics/check.quiz.yml", "title", "Q" * 201, "is 201 characters long"),
        ("course.yml", "slug", "s" * 101, "the slug is 101 characters long; the most is 100"),
    ],
)
def test_regression_a_course_text_too_long_for_the_database_is_a_check_error(
    app: Flask,
    runner: FlaskCliRunner,
    tmp_path: Path,
    where: str,
    key: str,
    value: str,
    message: str,
) -> None:
    """Titles are 200 characters in the database: a longer one passed `lms courses check`
    and then failed the sync on PostgreSQL with a DataError (SQLite does not check)."""
    folder = tmp_path / "good"
    shutil.copytree(GOOD, folder)
    path = folder / where
    data = yaml.safe_load(path.read_text())
    data[key] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    for command in ("check", "sync"):
        result = runner.invoke(args=["lms", "courses", command, str(folder)])
        assert result.exit_code != 0, command
        assert message in result.output, result.output
        assert "DataError" not in result.output
