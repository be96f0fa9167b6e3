"""Random form data on every POST route of the app: a 4xx with a message, never a 5xx.

For each POST rule in `app.url_map` (URL arguments from the access-matrix `world`), the
role that the route's policy allows posts forms that hypothesis makes up: the route's real
field names (read from its page) and random ones, with values that are random Unicode
text (NUL and other control characters included), very long strings, numbers as text,
dates that do not exist, the page's own option values, and lists of values; always with
a valid CSRF token, so the request reaches the view. The autosave route also gets random
JSON bodies and bytes that are not JSON.

A 5xx found here is a bug: the fix goes into the app and a plain regression test for the
case goes into the test module of its feature or `test_input_limits.py`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule

from lms.database import session
from lms.models import Attempt
from lms.policies import POLICIES, Audience
from lms.quizzes.attempts import build_layout
from lms.web import lms_url_for
from tests.cohorts import conftest as cohort_fixtures
from tests.conftest import csrf_token, lms_rules
from tests.security import test_access_matrix as matrix
from tests.security.test_access_matrix import World

#: Fixtures of other modules: the access matrix's world (two cohorts, seven signed-in
#: roles) and cheap password hashes.
world = matrix.world
fast_passwords = cohort_fixtures.fast_passwords
pytestmark = pytest.mark.usefixtures("fast_passwords")

#: Examples per route: enough to meet each field's edge cases, few enough for CI.
EXAMPLES = 20

#: Who posts to a route of each audience (someone the policy allows).
POSTER = {
    Audience.PUBLIC: "anonymous",
    Audience.SIGNED_IN: "stranger",
    Audience.ENROLLED: "learner_b",
    Audience.OWNER: "learner_a",
    Audience.TEACHING: "instructor_a",
    Audience.STAFF: "instructor_a",
    Audience.ADMIN: "admin",
}

#: Routes whose form is on another page (same arguments), to read field names from.
FORM_PAGES = {
    "quizzes.save": "quizzes.attempt",
    "quizzes.submit": "quizzes.attempt",
    "grading.release": "grading.answer",
    "grading.return_answer": "grading.answer",
    "grading.release_quiz": "grading.queue",
    "cohorts.regenerate_calendar": "cohorts.calendar",
    "admin.set_role": "admin.users",
    "learning.join": "learning.course_home",
    "learning.enrol": "learning.course_home",
}

#: Field names that POST-only routes read (the page may not show them to this poster).
KNOWN_FIELDS = [
    "confirm",
    "next",
    "version",
    "action",
    "feedback",
    "reason",
    "note",
    "response",
    "cohort",
    "role",
    "code",
    "emails",
    "person",
    "all_present",
    "regenerate",
]

#: Routes that end or undo something (the poster signs out, leaves, loses a role): last.
RUN_LAST = [
    "quizzes.submit",
    "cohorts.edit",
    "cohorts.calendar",
    "cohorts.regenerate_calendar",
    "learning.leave_course",
    "cohorts.remove_learner",
    "cohorts.remove_instructor",
    "cohorts.delete_session",
    "admin.set_role",
    "accounts.sign_out",
]

SPECIAL_VALUES = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "0",
    "-1",
    "-0",
    "1.5",
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "0x10",
    "1_000",
    "٣",  # an Arabic-Indic digit: isdigit() but not ASCII
    "²",
    str(2**31),
    str(2**63),
    str(10**30),
    "9" * 400,
    "yes",
    "y",
    "true",
    "on",
    "null",
    "[]",
    "{}",
    "2025-02-30",
    "2025-13-01",
    "0001-01-01",
    "9999-12-31T23:59",
    "2025-03-30T01:30",  # does not exist in Europe/London (clocks go forward)
    "25:61",
    "self-paced",
    "//evil.example",
    "https://evil.example/",
    "../../etc/passwd",
    "%00",
    "\u202e\u0301",
    "😀" * 50,
    "<script>alert(1)</script>",
]

texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
numbers = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
#: Just over the limits the forms set (names 120, titles 200, notes 5,000, feedback
#: 10,000, essays 50,000, pasted emails 60,000), and over the 500 kB a field may hold.
long_texts = st.builds(
    lambda unit, count: unit * count,
    st.sampled_from(["x", "é", "😀", "<a>", " ", "\x00", "9"]),
    st.sampled_from([121, 201, 501, 1_001, 5_001, 10_001, 50_001, 60_001, 200_000]),
)


def values(domain: list[str]) -> st.SearchStrategy[Any]:
    one = st.one_of(
        *([st.sampled_from(domain)] if domain else []),
        st.sampled_from(SPECIAL_VALUES),
        texts,
        numbers,
        long_texts,
    )
    return st.one_of(one, st.lists(one, min_size=2, max_size=4))


def forms(fields: dict[str, list[str]]) -> st.SearchStrategy[dict[str, Any]]:
    """Some of the route's real fields, and some made-up ones, with random values."""
    real = st.fixed_dictionaries(
        {}, optional={name: values(domain) for name, domain in sorted(fields.items())}
    )
    made_up = st.dictionaries(texts.filter(lambda key: key != "csrf_token"), values([]), max_size=3)
    return st.builds(lambda a, b: b | a, real, made_up)


class FieldReader(HTMLParser):
    """The names of a page's form fields, with the values its page offers for each."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, set[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        name = found.get("name")
        if tag in ("input", "textarea", "select", "button") and name:
            offered = self.fields.setdefault(name, set())
            if found.get("value"):
                offered.add(found["value"])
            self._select = name if tag == "select" else self._select
        elif tag == "option" and self._select and found.get("value"):
            self.fields[self._select].add(found["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def page_fields(client: FlaskClient, url: str) -> dict[str, list[str]]:
    reader = FieldReader()
    reader.feed(client.get(url).get_data(as_text=True))
    return {
        name: sorted(offered)[:30]  # a time zone list is long: some of it is enough
        for name, offered in reader.fields.items()
        if name != "csrf_token"
    }


def post_rules(app: Flask) -> list[Rule]:
    rules = [rule for rule in lms_rules(app) if "POST" in (rule.methods or set())]
    order = {endpoint: index for index, endpoint in enumerate(RUN_LAST)}
    return sorted(rules, key=lambda rule: (order.get(rule.endpoint, -1), rule.endpoint))


def url_of(app: Flask, world: World, endpoint: str, arguments: Any) -> str:
    with app.test_request_context():
        return lms_url_for(endpoint, **{name: world.values[name] for name in arguments})


class Poster:
    """Posts as one client with its current CSRF token (fetched again if a post ended the
    session that the token belonged to)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token = csrf_token(client)

    def post(self, url: str, **kwargs: Any) -> Any:
        response = self._post(url, **kwargs)
        if response.status_code == 400 and b"CSRF" in response.data:
            self.token = csrf_token(self.client)
            response = self._post(url, **kwargs)
        return response

    def _post(self, url: str, **kwargs: Any) -> Any:
        if "content_type" in kwargs:
            kwargs.setdefault("headers", {})["X-CSRFToken"] = self.token
            return self.client.post(url, **kwargs)
        return self.client.post(url, data={**kwargs.pop("data"), "csrf_token": self.token})


def fuzz(run: Callable[..., None], strategy: st.SearchStrategy[Any]) -> None:
    settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.function_scoped_fixture,
        ],
    )(given(strategy)(run))()


def describe(response: Any) -> str:
    body = response.get_data(as_text=True)
    return f"{response.status_code}: {body[:300]!r}"


def routes(app: Flask, world: World) -> Iterator[tuple[Rule, str, Poster, dict[str, list[str]]]]:
    """Each POST route: its URL, a poster allowed to use it, and its fields."""
    posters: dict[str, Poster] = {}
    for rule in post_rules(app):
        role = POSTER[POLICIES[rule.endpoint]]
        if role not in posters:
            posters[role] = Poster(world.clients[role])
        poster = posters[role]
        url = url_of(app, world, rule.endpoint, rule.arguments)
        fields: dict[str, list[str]] = {name: [] for name in KNOWN_FIELDS}
        page = FORM_PAGES.get(rule.endpoint, rule.endpoint if "GET" in rule.methods else None)
        if page is not None:
            page_rule = next(r for r in lms_rules(app) if r.endpoint == page)
            fields |= page_fields(poster.client, url_of(app, world, page, page_rule.arguments))
        yield rule, url, poster, fields


def lay_out_the_open_attempt(app: Flask, world: World) -> None:
    """The world's open attempt gets its questions, as the Start button gives them."""
    with app.app_context():
        attempt = session.get(Attempt, world.values["attempt_id"])
        assert attempt is not None
        attempt.layout = build_layout(attempt.quiz)
        session.commit()


def form_poster(poster: Poster, url: str) -> Callable[[dict[str, Any]], None]:
    def post(data: dict[str, Any]) -> None:
        response = poster.post(url, data=data)
        assert response.status_code < 500, describe(response)

    return post


def test_random_forms_on_every_post_route_never_get_a_server_error(
    app: Flask, world: World
) -> None:
    lay_out_the_open_attempt(app, world)
    failures: list[str] = []
    covered = []
    for rule, url, poster, fields in routes(app, world):
        covered.append(rule.endpoint)
        try:
            fuzz(form_poster(poster, url), forms(fields))
        except Exception as error:  # an assertion, or the app's own exception (TESTING)
            failures.append(f"POST {url} ({rule.endpoint}): {type(error).__name__}: {error}"[:900])
    assert len(covered) >= 30, covered
    assert not failures, "\n".join(failures)


json_values = st.recursive(
    st.none() | st.booleans() | numbers | st.integers() | st.floats() | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=12,
)


def test_random_json_to_the_autosave_route_never_gets_a_server_error(
    app: Flask, world: World
) -> None:
    lay_out_the_open_attempt(app, world)
    attempt_id = world.values["attempt_id"]
    url = f"/attempts/{attempt_id}/answers"
    poster = Poster(world.clients["learner_a"])
    keys = [  # the questions' keys: their fields' names less the "q"
        name[1:]
        for name in page_fields(poster.client, f"/attempts/{attempt_id}")
        if re.fullmatch(r"q[0-9a-f]{16}", name)
    ]
    assert keys
    bodies = st.one_of(
        json_values,
        st.fixed_dictionaries({"answers": json_values}),
        st.fixed_dictionaries(
            {"answers": st.dictionaries(st.sampled_from(keys) | texts, json_values, max_size=4)}
        ),
    )

    def post_json(body: Any) -> None:
        response = poster.post(url, data=json.dumps(body), content_type="application/json")
        assert response.status_code < 500, describe(response)
        assert response.mimetype == "application/json", describe(response)
        if response.status_code >= 400:
            assert response.get_json()["error"], describe(response)

    def post_bytes(body: bytes) -> None:
        response = poster.post(url, data=body, content_type="application/json")
        assert response.status_code < 500, describe(response)
        assert response.mimetype == "application/json", describe(response)

    fuzz(post_json, bodies)
    fuzz(post_bytes, st.binary(max_size=200) | texts.map(str.encode))
