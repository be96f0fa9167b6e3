"""Accessibility in a real browser.

- axe-core (WCAG 2.0 and 2.1, A and AA) finds nothing on any page type, for visitors,
  learners, instructors and admins, at desktop (1280 px) and phone (375 px) widths, and no
  page scrolls sideways at either width; the lesson and the dashboard also in dark mode.
- A quiz can be taken with the keyboard alone, focus is always visible, and the skip link
  is the first tab stop and moves focus to the main content.
- The quiz timer is announced politely, at milestones only (not every second).
- Text at 200% does not make the page scroll sideways or hide the main content.
- Forms show each error next to its field and in a summary whose links lead to the field.
- Design: lesson lines of about 65-75 characters, the outline marks the current page, the
  dashboard says what to do next.

The data every page needs is made once per test, directly in the database.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe, AxeResults
from playwright.sync_api import Page, expect

from lms.cohorts import people as people_ops
from lms.cohorts.service import create_cohort
from lms.database import session, utcnow
from lms.grading.service import return_for_revision
from lms.learning.completion import update_completion
from lms.learning.progress import course_outline
from lms.mail import send_mail
from lms.models import (
    AttendanceStatus,
    Enrolment,
    LiveSession,
    Profession,
    QuestionType,
    Role,
    course_instructor,
)
from lms.quizzes.attempts import laid_out_questions, save_answers, submit_attempt
from tests.browser.conftest import SCREENSHOTS as SCREENSHOT_DIR
from tests.browser.conftest import WIDTHS, LiveServer
from tests.browser.scenarios import (
    ESSENTIALS,
    RELATIONAL,
    course,
    deadline_in,
    enrol,
    essay_answer,
    evaluate,
    grade,
    join,
    lessons,
    nurse_before_the_final,
    person,
    quiz,
    quizzes,
    read,
    right_answer,
    right_on_the_page,
    sign_in,
    start,
    take,
    within,
)
from tests.conftest import PASSWORD, confirm_link

pytestmark = pytest.mark.browser

WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],  # passes are not sent back: much faster
}
AXE = Axe()
#: LMS_SCREENSHOT_ALL=1: also save a screenshot of every page checked (slower; to look at).
SHOOT_ALL = os.environ.get("LMS_SCREENSHOT_ALL") == "1"
SELF_PACED = f"/courses/{ESSENTIALS}"
COHORT_COURSE = f"/courses/{RELATIONAL}"


# -- the data ----------------------------------------------------------------------------------


@dataclass
class World:
    cohort: int
    live_session: int
    theo_enrolment: int
    nadia_enrolment: int
    nadia_open_attempt: int
    nadia_failed_attempt: int
    theo_reflection: int
    theo_answer: int
    tara_answer: int
    tom_reflection: int
    certificate: str
    lesson: str
    locked_lesson: str
    cohort_lesson: str
    cohort_live_lesson: str
    cohort_locked_lesson: str


def build_world(server: LiveServer) -> World:
    """Every kind of page with something on it:

    - Nadia (nurse, self-paced) failed the module 1 check once and is in her second attempt;
      module 2 is locked until she passes.
    - Nell (nurse) finished the course and has her certificate.
    - The Spring cohort (started two days ago, taught by Iris; week 2 still locked): Theo's
      reflection was graded, released and regraded; Tara's waits for grading; Tom's was
      returned for revision. A live session has attendance taken.
    - Ada is an admin; the outbox holds a message.
    """
    nell_enrolment_id = nurse_before_the_final(server, "nell@example.com", "Nell Nurse")
    with within(server):
        nell_enrolment = session.get(Enrolment, nell_enrolment_id)
        assert nell_enrolment is not None
        essentials = course(ESSENTIALS)
        read(nell_enrolment.profile, [lessons(essentials)[-1]])
        take(nell_enrolment.profile, nell_enrolment, quizzes(essentials)[-1])
        evaluate(nell_enrolment)
        certificate = update_completion(nell_enrolment)
        assert certificate is not None

        person("ada@example.com", "Ada Admin", Role.ADMIN)
        iris = person("iris@example.com", "Iris Instructor", Role.INSTRUCTOR)
        send_mail("nadia@example.com", "Reset your password", "Follow this link to reset it.")

        nadia = person("nadia@example.com", "Nadia Nurse", profession=Profession.NURSE)
        nadia_enrolment = enrol(nadia, essentials)
        module_one = essentials.modules[0]
        read(nadia, module_one.lessons)
        check = module_one.quizzes[0]
        failed = start(nadia, nadia_enrolment, check)
        laid_out = laid_out_questions(failed)
        save_answers(failed, {q.version.id: right_answer(q.version) for q in laid_out[:2]})
        submit_attempt(failed)
        assert failed.passed is False
        open_attempt = start(nadia, nadia_enrolment, check)
        first = laid_out_questions(open_attempt)[0].version
        save_answers(open_attempt, {first.id: right_answer(first)})

        relational = course(RELATIONAL)
        cohort = create_cohort(
            relational,
            "Spring cohort",
            (utcnow() - timedelta(days=2)).date(),
            capacity=24,
            instructors=[iris],
        )
        week_one, week_two = relational.modules[0], relational.modules[1]
        live = LiveSession(
            module_id=week_one.id,
            title="Week 1 live session",
            starts_at=utcnow() - timedelta(days=1),
            duration_minutes=90,
            location="https://meet.example.com/spring",
        )
        cohort.live_sessions.append(live)
        cohort.live_sessions.append(
            LiveSession(
                module_id=week_two.id,
                title="Week 2 live session",
                starts_at=(utcnow() + timedelta(days=6)).replace(minute=0, second=0, microsecond=0),
                duration_minutes=90,
                location="https://meet.example.com/spring",
            )
        )
        # Iris also teaches the self-paced course's learners.
        session.execute(
            course_instructor.insert().values(course_id=essentials.id, profile_id=iris.id)
        )
        reflection = quiz(RELATIONAL, "week-1-reflection")
        enrolments = {}
        for email, name in [
            ("theo@example.com", "Theo Therapist"),
            ("tara@example.com", "Tara Therapist"),
            ("tom@example.com", "Tom Therapist"),
        ]:
            learner = person(email, name, profession=Profession.THERAPIST)
            enrolments[email] = (learner, join(learner, cohort))
        theo, theo_enrolment = enrolments["theo@example.com"]
        read(theo, week_one.lessons[:2])
        theo_attempt = take(theo, theo_enrolment, reflection)
        theo_answer = essay_answer(theo_attempt)
        grade(theo_answer, iris, "Honest and careful.", action="draft")
        grade(theo_answer, iris, "Honest and careful.", action="release")
        session.refresh(theo_answer)
        grade(
            theo_answer,
            iris,
            "Honest and careful; the history is used well.",
            action="draft",
            reason="Read again: the history is accurate.",
            fraction=Decimal("0.9"),
        )
        tara, tara_enrolment = enrolments["tara@example.com"]
        tara_answer = essay_answer(take(tara, tara_enrolment, reflection))
        tom, tom_enrolment = enrolments["tom@example.com"]
        take(tom, tom_enrolment, quiz(RELATIONAL, "week-1-check"))
        tom_attempt = take(tom, tom_enrolment, reflection)
        return_for_revision(
            essay_answer(tom_attempt), "Say more about the prescriber's role.", by=iris
        )
        session.flush()
        people_ops.mark_attendance(
            live,
            {theo.id: AttendanceStatus.PRESENT, tara.id: AttendanceStatus.LATE},
            iris,
        )
        session.commit()
        live_lesson = next(x for x in week_one.lessons if x.kind.value == "live-session")
        return World(
            cohort=cohort.id,
            live_session=live.id,
            theo_enrolment=theo_enrolment.id,
            nadia_enrolment=nadia_enrolment.id,
            nadia_open_attempt=open_attempt.id,
            nadia_failed_attempt=failed.id,
            theo_reflection=theo_attempt.id,
            theo_answer=theo_answer.id,
            tara_answer=tara_answer.id,
            tom_reflection=tom_attempt.id,
            certificate=certificate.code,
            lesson=module_one.lessons[0].slug,
            locked_lesson=next(
                i.slug
                for i in course_outline(nadia_enrolment).items
                if i.lock and i.kind == "lesson"
            ),
            cohort_lesson=week_one.lessons[0].slug,
            cohort_live_lesson=live_lesson.slug,
            cohort_locked_lesson=week_two.lessons[0].slug,
        )


# -- checking pages ----------------------------------------------------------------------------

#: A page to check: its name and either a path or a function that gets the page there.
Visit = tuple[str, str | Callable[[Page], Any], int]


class Audit:
    """Visits pages and collects every problem, so that one run reports them all."""

    def __init__(self, page: Page, server: LiveServer) -> None:
        self.page, self.server = page, server
        self.problems: list[str] = []

    def visit(self, name: str, where: str | Callable[[Page], Any], status: int = 200) -> None:
        if isinstance(where, str):
            response = self.page.goto(self.server.url + where)
            assert response is not None
            if response.status != status:
                self.problems.append(f"{name}: {where} answered {response.status}, not {status}")
                return
        else:
            where(self.page)
        self.check(name)

    def check(self, name: str) -> None:
        """axe at each width, and no sideways scrolling of the page."""
        page = self.page
        for label, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            if SHOOT_ALL:
                slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
                page.screenshot(
                    path=str(SCREENSHOT_DIR / f"a11y-{slug}-{label}.png"), full_page=True
                )
            results = run_axe(page)
            if results.violations_count:
                self.problems.append(f"{name} ({label}, {page.url}):\n{summary(results)}")
            overflow = page.evaluate(
                "document.scrollingElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 1:
                self.problems.append(f"{name} ({label}): the page scrolls sideways by {overflow}px")
        page.set_viewport_size({"width": 1280, "height": 900})

    def run(self, visits: list[Visit]) -> None:
        for name, where, status in visits:
            self.visit(name, where, status)

    def assert_clean(self) -> None:
        assert not self.problems, f"{len(self.problems)} problem(s):\n\n" + "\n\n".join(
            self.problems
        )


def run_axe(page: Page) -> AxeResults:
    """axe-core's WCAG 2.0/2.1 A and AA rules on the page as it is now (axe is injected
    once per document, not once per run)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.axe_script)
    return AxeResults(page.evaluate("options => axe.run(document, options)", WCAG))


def summary(results: Any) -> str:
    """Each violation: its rule, and each element with the first reason axe gives."""
    lines = []
    for violation in results.response["violations"]:
        lines.append(f"  {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:6]:
            reasons = [check["message"] for kind in ("any", "all", "none") for check in node[kind]]
            lines.append(f"    {' '.join(node['target'])}: {reasons[0] if reasons else ''}")
            lines.append(f"      {node['html'][:160]}")
    return "\n".join(lines)


def review_and_submit(server: LiveServer, attempt_id: int) -> Callable[[Page], None]:
    """The confirmation page (the answer to a POST): from the attempt page, via its button."""

    def go(page: Page) -> None:
        page.goto(f"{server.url}/attempts/{attempt_id}")
        page.get_by_role("button", name="Review and submit…").click()
        expect(page.get_by_role("heading", level=1, name="Ready to submit?")).to_be_visible()

    return go


# -- axe on every page type ------------------------------------------------------------------


def test_public_pages_pass_axe(page: Page, live_server: LiveServer) -> None:
    world = build_world(live_server)
    audit = Audit(page, live_server)
    audit.run(
        [
            ("catalogue", "/", 200),
            ("course home (self-paced, visitor)", f"{SELF_PACED}/", 200),
            ("course home (cohort, visitor)", f"{COHORT_COURSE}/", 200),
            ("references (cohort)", f"{COHORT_COURSE}/pages/references", 200),
            ("glossary (cohort)", f"{COHORT_COURSE}/pages/glossary", 200),
            ("CE information (cohort)", f"{COHORT_COURSE}/ce", 200),
            ("sign in", "/sign-in", 200),
            ("sign up", "/sign-up", 200),
            ("forgot password", "/forgot-password", 200),
            ("reset link not valid", "/reset-password/not-a-token", 400),
            ("sign-up link not valid", "/sign-up/confirm/not-a-token", 400),
            ("certificate (public)", f"/certificates/{world.certificate}", 200),
            ("no such certificate", "/certificates/NOPE-NOPE", 404),
            ("404", "/no-such-page", 404),
        ]
    )

    def forgot(page: Page) -> None:
        page.goto(f"{live_server.url}/forgot-password")
        page.get_by_label("Email").fill("nadia@example.com")
        page.get_by_role("button").filter(has_text="link").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()

    audit.visit("reset link sent", forgot)

    def asked_to_sign_up(page: Page) -> None:
        page.goto(f"{live_server.url}/sign-up")
        page.get_by_label("Name").fill("Kim Nurse")
        page.get_by_label("Email").fill("kim@example.com")
        page.get_by_label("Password", exact=True).fill("a good long password")
        page.get_by_label("Confirm password").fill("a good long password")
        page.get_by_label("Profession").select_option("nurse")
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("heading", level=1, name="Check your email")).to_be_visible()

    audit.visit("sign-up link sent", asked_to_sign_up)
    audit.visit("sign-up link", confirm_link(live_server.app, "kim@example.com"))
    audit.assert_clean()


def test_learner_pages_pass_axe(page: Page, live_server: LiveServer) -> None:
    world = build_world(live_server)
    audit = Audit(page, live_server)

    sign_in(page, live_server, "nadia@example.com")
    audit.run(
        [
            ("dashboard", "/dashboard", 200),
            ("course home (self-paced)", f"{SELF_PACED}/", 200),
            ("lesson", f"{SELF_PACED}/lessons/{world.lesson}", 200),
            ("locked lesson (403)", f"{SELF_PACED}/lessons/{world.locked_lesson}", 403),
            ("quiz intro", f"{SELF_PACED}/quizzes/module-1-check", 200),
            ("quiz attempt", f"/attempts/{world.nadia_open_attempt}", 200),
            ("quiz confirm", review_and_submit(live_server, world.nadia_open_attempt), 200),
            ("quiz review (not passed)", f"/attempts/{world.nadia_failed_attempt}/review", 200),
            ("profile", "/profile", 200),
            ("change password", "/account/password", 200),
            ("join with a code", "/join", 200),
            ("notifications", "/notifications", 200),
            ("teaching page as a learner (403)", "/teach/cohorts", 403),
            ("no such course (404)", "/courses/no-such-course/", 404),
        ]
    )
    # Dark mode, on the pages read the longest.
    page.emulate_media(color_scheme="dark")
    audit.run(
        [
            ("lesson (dark)", f"{SELF_PACED}/lessons/{world.lesson}", 200),
            ("dashboard (dark)", "/dashboard", 200),
            ("quiz attempt (dark)", f"/attempts/{world.nadia_open_attempt}", 200),
        ]
    )
    page.emulate_media(color_scheme="light")

    sign_in(page, live_server, "theo@example.com")
    audit.run(
        [
            ("dashboard (cohort, feedback)", "/dashboard", 200),
            ("course home (cohort)", f"{COHORT_COURSE}/", 200),
            ("lesson (cohort)", f"{COHORT_COURSE}/lessons/{world.cohort_lesson}", 200),
            ("live session", f"{COHORT_COURSE}/lessons/{world.cohort_live_lesson}", 200),
            (
                "module locked until its date (403)",
                f"{COHORT_COURSE}/lessons/{world.cohort_locked_lesson}",
                403,
            ),
            ("quiz review (feedback)", f"/attempts/{world.theo_reflection}/review", 200),
            ("notifications (unread)", "/notifications", 200),
        ]
    )
    sign_in(page, live_server, "tom@example.com")
    audit.visit("quiz review (returned for revision)", f"/attempts/{world.tom_reflection}/review")
    sign_in(page, live_server, "nell@example.com")
    audit.run(
        [
            ("dashboard (completed)", "/dashboard", 200),
            ("certificate (holder)", f"/certificates/{world.certificate}", 200),
        ]
    )
    audit.assert_clean()


def test_instructor_pages_pass_axe(page: Page, live_server: LiveServer) -> None:
    world = build_world(live_server)
    audit = Audit(page, live_server)
    cohort = f"/teach/cohorts/{world.cohort}"
    sign_in(page, live_server, "iris@example.com")

    def bulk_report(page: Page) -> None:
        page.goto(f"{live_server.url}{cohort}/people")
        page.get_by_label("Emails").fill("nadia@example.com\nnobody@example.com\nnot an email")
        page.get_by_role("button", name="Enrol", exact=True).click()
        expect(page.get_by_role("heading", name=r"Enrolment report", exact=False)).to_be_visible()

    def grading_errors(page: Page) -> None:
        page.goto(f"{live_server.url}/teach/grading/answers/{world.tara_answer}")
        page.get_by_role("button", name="Save draft").click()
        expect(page.locator(".lms-error-summary")).to_be_visible()

    audit.run(
        [
            ("dashboard (teaching)", "/dashboard", 200),
            ("teaching list", "/teach/cohorts", 200),
            ("cohort overview", cohort, 200),
            ("calendar", f"{cohort}/calendar", 200),
            ("live sessions", f"{cohort}/sessions", 200),
            ("live session edit", f"{cohort}/sessions/{world.live_session}", 200),
            ("attendance", f"{cohort}/sessions/{world.live_session}/attendance", 200),
            ("people", f"{cohort}/people", 200),
            ("people: enrolment report", bulk_report, 200),
            ("learner's dates", f"{cohort}/people/{world.theo_enrolment}", 200),
            ("roster", f"{cohort}/roster", 200),
            ("grading queue", "/teach/grading", 200),
            ("grading screen (regraded)", f"/teach/grading/answers/{world.theo_answer}", 200),
            ("grading screen (new)", f"/teach/grading/answers/{world.tara_answer}", 200),
            ("grading screen (errors)", grading_errors, 200),
            ("gradebook", f"{cohort}/gradebook", 200),
            ("learner record", f"/teach/learners/{world.theo_enrolment}", 200),
            ("statistics", f"{cohort}/quizzes/week-1-check/statistics", 200),
            ("self-paced course (staff)", f"/teach/courses/{ESSENTIALS}", 200),
            ("self-paced learners", f"/teach/courses/{ESSENTIALS}/learners", 200),
            ("another cohort (404)", "/teach/cohorts/999999", 404),
            ("admin page as an instructor (403)", "/teach/cohorts/new", 403),
        ]
    )
    audit.assert_clean()


def test_admin_pages_pass_axe(page: Page, live_server: LiveServer) -> None:
    world = build_world(live_server)
    audit = Audit(page, live_server)
    cohort = f"/teach/cohorts/{world.cohort}"
    sign_in(page, live_server, "ada@example.com")

    def empty_cohort_form(page: Page) -> None:
        page.goto(f"{live_server.url}/teach/cohorts/new")
        page.get_by_label("Invite code").fill("")
        page.get_by_role("button", name="Create cohort").click()
        expect(page.locator(".lms-error-summary")).to_be_visible()

    audit.run(
        [
            ("dashboard (admin)", "/dashboard", 200),
            ("teaching list (all cohorts)", "/teach/cohorts", 200),
            ("cohort creation", "/teach/cohorts/new", 200),
            ("cohort creation (errors)", empty_cohort_form, 200),
            ("cohort settings", f"{cohort}/edit", 200),
            ("instructors", f"{cohort}/instructors", 200),
            ("admin home", "/admin", 200),
            ("outbox", "/admin/outbox", 200),
            ("background jobs", "/admin/jobs", 200),
            ("course instructors", f"/teach/courses/{ESSENTIALS}/instructors", 200),
            ("people and roles", "/admin/users", 200),
            ("self-paced gradebook", f"/teach/courses/{ESSENTIALS}/gradebook", 200),
            (
                "self-paced statistics",
                f"/teach/courses/{ESSENTIALS}/quizzes/module-1-check/statistics",
                200,
            ),
            ("learner record (self-paced)", f"/teach/learners/{world.nadia_enrolment}", 200),
        ]
    )
    audit.assert_clean()


# -- a learner part-way through module 1 (for the tests below) ---------------------------------


def learner_in_module_one(server: LiveServer, email: str, *, attempt: bool = False) -> int | None:
    """A nurse in the self-paced course who has read module 1's lessons (its knowledge check
    is next); with `attempt`, her first attempt at it is open. Returns the attempt id."""
    with within(server):
        learner = person(email, "Kim Keyboard", profession=Profession.NURSE)
        essentials = course(ESSENTIALS)
        enrolment = enrol(learner, essentials)
        read(learner, essentials.modules[0].lessons)
        opened = start(learner, enrolment, essentials.modules[0].quizzes[0]) if attempt else None
        session.commit()
        return opened.id if opened else None


# -- the keyboard --------------------------------------------------------------------------------

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName, type: el.type || "", id: el.id, name: el.name || "",
    value: el.value === undefined ? "" : String(el.value), checked: !!el.checked,
    text: (el.innerText || "").trim().slice(0, 60), cls: String(el.className || ""),
    focusVisible: el.matches(":focus-visible"),
    ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
          || style.boxShadow !== "none",
    onScreen: box.right > 0 && box.bottom > 0 && box.left < innerWidth && box.width > 0,
  };
}"""


class Keyboard:
    """Tab through a page, checking that every stop shows where focus is."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.invisible: list[str] = []

    def press(self, key: str) -> dict[str, Any]:
        self.page.keyboard.press(key)
        focused: dict[str, Any] = self.page.evaluate(FOCUSED)
        if focused["tag"] not in ("BODY", "MAIN") and not (
            focused["focusVisible"] and focused["ring"] and focused["onScreen"]
        ):
            self.invisible.append(f"{self.page.url}: {focused}")
        return focused

    def tab_to(self, matches: Callable[[dict[str, Any]], bool], limit: int = 60) -> dict[str, Any]:
        for _ in range(limit):
            focused = self.press("Tab")
            if matches(focused):
                return focused
        raise AssertionError(f"{limit} presses of Tab on {self.page.url} never reached it")

    def first_stop_is_the_skip_link(self) -> None:
        focused = self.press("Tab")
        assert "skip-link" in focused["cls"], focused
        assert focused["onScreen"], "the skip link stays off screen when focused"
        self.page.keyboard.press("Enter")
        assert self.page.evaluate("document.activeElement.id") == "main"


def button(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda focused: focused["tag"] == "BUTTON" and focused["text"] == text


def test_a_quiz_can_be_taken_with_the_keyboard_alone(page: Page, live_server: LiveServer) -> None:
    learner_in_module_one(live_server, "kim@example.com")
    keys = Keyboard(page)

    # Sign in: the skip link first, then the fields, Enter to send.
    page.goto(f"{live_server.url}/sign-in")
    keys.first_stop_is_the_skip_link()
    keys.tab_to(lambda f: f["id"] == "email")
    page.keyboard.type("kim@example.com")
    keys.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.goto(f"{live_server.url}{SELF_PACED}/quizzes/module-1-check")
    keys.first_stop_is_the_skip_link()
    keys.tab_to(button("Start the quiz"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Review and submit…")).to_be_visible()

    # What each question's right answer is (the attempt's order is shuffled).
    right = right_on_the_page(page, live_server)

    # Tab through the whole page; answer each question as focus reaches it.
    answered: set[str] = set()
    focused = keys.press("Tab")
    for _ in range(120):
        if focused["tag"] == "BUTTON" and focused["text"] == "Review and submit…":
            break
        name = focused["name"]
        if name in right:
            kind, answer = right[name]
            if kind is QuestionType.MULTIPLE:
                if focused["value"] in answer and not focused["checked"]:
                    page.keyboard.press("Space")
            elif focused["type"] == "radio":
                for _ in range(8):  # arrow keys move through the group, choosing as they go
                    if focused["value"] == answer:
                        break
                    focused = keys.press("ArrowDown")
                if not focused["checked"]:
                    page.keyboard.press("Space")
            else:
                page.keyboard.type(str(answer))
            answered.add(name)
        focused = keys.press("Tab")
    else:
        raise AssertionError("Tab never reached “Review and submit…”")
    assert answered == set(right), set(right) - answered
    # Shift+Tab goes back to “Save answers”, Tab forward again.
    assert keys.press("Shift+Tab")["text"] == "Save answers"
    assert keys.press("Tab")["text"] == "Review and submit…"
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1, name="Ready to submit?")).to_be_visible()
    expect(page.get_by_text(f"You answered {len(right)} of {len(right)} questions")).to_be_visible()
    keys.tab_to(button("Submit my answers"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name="Passed")).to_be_visible()
    expect(page.locator(".lms-score")).to_contain_text(re.compile(r"You scored 100(\.0)?%"))
    assert not keys.invisible, "focus not visible at:\n" + "\n".join(keys.invisible)


# -- the timer -----------------------------------------------------------------------------------

WATCH_LIVE_REGIONS = """() => {
  window.liveChanges = [];
  window.timerTicks = 0;
  const regions = document.querySelectorAll(
    '[aria-live], [role=status], [role=alert], [role=log], [role=timer], [role=marquee]');
  for (const region of regions) {
    new MutationObserver(() => window.liveChanges.push([region.id, region.textContent.trim()]))
      .observe(region, {childList: true, characterData: true, subtree: true});
  }
  new MutationObserver(() => { window.timerTicks += 1; })
    .observe(document.querySelector('[data-time-left]'),
             {childList: true, characterData: true, subtree: true});
  return regions.length;
}"""


def test_the_quiz_timer_is_announced_politely_not_every_second(
    page: Page, live_server: LiveServer
) -> None:
    enrolment_id = nurse_before_the_final(live_server, "tia@example.com", "Tia Timer")
    with within(live_server):
        enrolment = session.get(Enrolment, enrolment_id)
        assert enrolment is not None
        essentials = course(ESSENTIALS)
        read(enrolment.profile, [lessons(essentials)[-1]])
        attempt_id = start(enrolment.profile, enrolment, quizzes(essentials)[-1]).id
        session.commit()
    # 10 minutes and 2.5 seconds left: the "10 minutes left" milestone falls in the window.
    deadline_in(live_server, attempt_id, 602.5)
    sign_in(page, live_server, "tia@example.com")
    page.goto(f"{live_server.url}/attempts/{attempt_id}")

    announcer = page.locator("#quiz-time-announcer")
    expect(announcer).to_have_attribute("aria-live", "polite")
    assert page.locator("[aria-live=assertive], [role=alert]").count() == 0
    ticking = page.locator("[data-time-left]")
    assert (
        ticking.evaluate(
            "el => el.closest('[aria-live], [role=status], [role=alert], [role=log], [role=timer]')"
        )
        is None
    ), "the countdown itself must not be a live region (it changes every second)"
    assert page.evaluate(WATCH_LIVE_REGIONS) >= 2
    page.wait_for_timeout(3_500)
    changes = page.evaluate("window.liveChanges")
    assert page.evaluate("window.timerTicks") >= 2, "the countdown should be ticking"
    assert len(changes) <= 1, changes
    expect(announcer).to_have_text("10 minutes left.")
    audit = Audit(page, live_server)
    audit.check("timed quiz attempt")  # the timer bar passes axe too
    audit.assert_clean()


# -- text at 200% ------------------------------------------------------------------------------

ZOOMED = """() => {
  const main = document.querySelector('main');
  const heading = document.querySelector('h1');
  const box = heading.getBoundingClientRect();
  return {
    overflow: document.scrollingElement.scrollWidth - document.documentElement.clientWidth,
    mainWidth: main.getBoundingClientRect().width,
    headingInView: box.width > 0 && box.left >= 0 && box.right <= innerWidth + 1,
    rootSize: getComputedStyle(document.documentElement).fontSize,
  };
}"""


def test_text_at_200_percent_does_not_scroll_sideways(page: Page, live_server: LiveServer) -> None:
    attempt_id = learner_in_module_one(live_server, "zoe@example.com", attempt=True)
    sign_in(page, live_server, "zoe@example.com")
    with live_server.app.app_context():
        first_lesson = course(ESSENTIALS).modules[0].lessons[0].slug
    page.set_viewport_size({"width": 1280, "height": 900})
    problems = []
    for name, path in [
        ("lesson", f"{SELF_PACED}/lessons/{first_lesson}"),
        ("quiz", f"/attempts/{attempt_id}"),
        ("dashboard", "/dashboard"),
    ]:
        page.goto(live_server.url + path)
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        zoomed = page.evaluate(ZOOMED)
        assert zoomed["rootSize"] == "32px", zoomed
        if zoomed["overflow"] > 1 or not zoomed["headingInView"] or zoomed["mainWidth"] < 600:
            problems.append(f"{name}: {zoomed}")
        page.screenshot(path=str(SCREENSHOT_DIR / f"text-200-{name}.png"), full_page=False)
    assert not problems, problems


# -- forms and their errors ----------------------------------------------------------------------

ERRORS = """() => [...document.querySelectorAll('.lms-error-summary a')].map(link => {
  const id = decodeURIComponent(link.hash.slice(1));
  const field = document.getElementById(id);
  const error = document.getElementById(id + '-error');
  return {
    href: link.getAttribute('href'),
    field: field ? field.tagName : null,
    invalid: field ? field.getAttribute('aria-invalid') : null,
    describedBy: field ? (field.getAttribute('aria-describedby') || '').split(' ') : [],
    errorNextToField: !!(error && field
                         && error.closest('.lms-field') === field.closest('.lms-field')
                         && error.offsetHeight > 0),
  };
})"""


def assert_errors_linked(page: Page, expected: int) -> None:
    summary = page.locator(".lms-error-summary")
    expect(summary).to_be_visible()
    errors = page.evaluate(ERRORS)
    assert len(errors) >= expected, errors
    for error in errors:
        assert error["field"] in ("INPUT", "SELECT", "TEXTAREA"), error
        assert error["invalid"] == "true", error
        assert error["href"][1:] + "-error" in error["describedBy"], error
        assert error["errorNextToField"], error
    # Following the first link puts the cursor in its field.
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == errors[0]["href"][1:]


def test_form_errors_are_next_to_the_field_and_in_a_linked_summary(
    page: Page, live_server: LiveServer
) -> None:
    with within(live_server):
        person("ada@example.com", "Ada Admin", Role.ADMIN)
        session.commit()

    page.goto(f"{live_server.url}/sign-up")
    page.get_by_role("button", name="Create account").click()
    assert_errors_linked(page, expected=4)
    audit = Audit(page, live_server)
    audit.check("sign up (errors)")
    audit.assert_clean()

    sign_in(page, live_server, "ada@example.com")
    page.goto(f"{live_server.url}/teach/cohorts/new")
    page.get_by_label("Invite code").fill("")
    page.get_by_role("button", name="Create cohort").click()
    assert_errors_linked(page, expected=3)

    # A quiz saved with the button (not the autosave) and a number written with a comma:
    # the module 6 check asks for a number; Nia has done everything before it.
    with within(live_server):
        nia = person("nia@example.com", "Nia Number", profession=Profession.NURSE)
        essentials = course(ESSENTIALS)
        enrolment = enrol(nia, essentials)
        read(nia, lessons(essentials))
        for check in quizzes(essentials)[:5]:
            take(nia, enrolment, check)
        attempt_id = start(nia, enrolment, quiz(ESSENTIALS, "module-6-check")).id
        session.commit()
    sign_in(page, live_server, "nia@example.com")
    page.goto(f"{live_server.url}/attempts/{attempt_id}")
    page.locator("input.lms-number-input").first.fill("6,5")
    page.get_by_role("button", name="Save answers").click()
    expect(page.get_by_role("heading", name="Some answers were not saved")).to_be_visible()
    assert_errors_linked(page, expected=1)
    audit = Audit(page, live_server)
    audit.check("quiz attempt (errors)")
    audit.assert_clean()


# -- design details ------------------------------------------------------------------------------

MEASURE_PROSE = """() => {
  const prose = document.querySelector('.lms-prose');
  const probe = document.createElement('span');
  probe.textContent = '0'.repeat(100);
  probe.style.whiteSpace = 'nowrap';
  prose.appendChild(probe);
  const ch = probe.getBoundingClientRect().width / 100;
  probe.remove();
  const counts = [];
  for (const p of prose.querySelectorAll('p')) {
    const lineHeight = parseFloat(getComputedStyle(p).lineHeight);
    const lines = Math.round(p.getBoundingClientRect().height / lineHeight);
    if (lines >= 3) counts.push(p.textContent.length / (lines - 0.5));
  }
  return {widthCh: prose.getBoundingClientRect().width / ch,
          charsPerLine: counts.reduce((a, b) => a + b, 0) / counts.length};
}"""


def test_reading_and_finding_your_way(page: Page, live_server: LiveServer) -> None:
    learner_in_module_one(live_server, "rae@example.com")
    sign_in(page, live_server, "rae@example.com")
    with live_server.app.app_context():
        lesson = course(ESSENTIALS).modules[0].lessons[1]
        lesson_slug, lesson_title = lesson.slug, lesson.title
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}{SELF_PACED}/lessons/{lesson_slug}")

    # Lines of about 65-75 characters.
    measured = page.evaluate(MEASURE_PROSE)
    assert 60 <= measured["widthCh"] <= 75, measured
    assert 62 <= measured["charsPerLine"] <= 78, measured

    # The outline shows where you are; the progress bar is labelled and visible.
    current = page.locator(".lms-course-nav [aria-current=page]")
    expect(current).to_have_text(lesson_title)
    expect(page.locator(".lms-course-nav .lms-outline-item.lms-is-current")).to_contain_text(
        lesson_title
    )
    progress = page.locator(".lms-course-nav progress")
    expect(progress).to_be_visible()
    assert (progress.bounding_box() or {}).get("height", 0) >= 8
    expect(page.get_by_label(re.compile(r"\d+% complete")).first).to_be_visible()

    # The dashboard says what to do next: the module 1 knowledge check.
    page.goto(f"{live_server.url}/dashboard")
    card = page.locator(".lms-course-card", has_text="Ketamine and Anxiety: Role, Scope")
    expect(card.get_by_role("link", name="Next: Module 1 knowledge check")).to_be_visible()
