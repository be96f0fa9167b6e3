"""Data for the browser tests, made directly in the database (fast), so that a test drives
only the steps it is about through the browser.

The functions below the people run inside `within(server)` (the live server's app, with a
request context so that notifications can build their links) and flush; the caller
commits.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from lms.accounts.service import create_account
from lms.ce.disclosure import acknowledge
from lms.database import session, utcnow
from lms.evaluations.service import submit
from lms.grading.forms import GradeForm, criteria_of
from lms.grading.service import save_grade
from lms.learning.enrolment import enrol_self_paced, join_cohort
from lms.learning.lessons import lesson_progress, mark_complete
from lms.models import (
    Answer,
    Attempt,
    Cohort,
    Course,
    Enrolment,
    Lesson,
    Profession,
    Profile,
    QuestionType,
    QuestionVersion,
    Quiz,
    Role,
)
from lms.quizzes.attempts import laid_out_questions, save_answers, start_attempt, submit_attempt
from tests.browser.conftest import LiveServer
from tests.conftest import PASSWORD

ESSENTIALS = "essentials-of-psychedelic-care"
RELATIONAL = "relational-psychedelic-assisted-therapy"
#: A reflection of about 200 words (the cohort course's week 1 reflection asks for 200 to 600).
REFLECTION = " ".join(
    [
        "My first association with ketamine was the party drug of my student years, and I",
        "notice that this memory still makes me want to warn clients rather than listen.",
    ]
    * 7
)


def within(server: LiveServer) -> Any:
    """A request context of the live server's app, its URLs pointing at the server."""
    return server.app.test_request_context(base_url=server.url)


# -- people and courses ----------------------------------------------------------------------


def person(
    email: str, name: str, role: Role = Role.LEARNER, profession: Profession | None = None
) -> Profile:
    create_account(
        email,
        name,
        PASSWORD,
        role,
        profession=profession,
        licence_type="RN" if profession is Profession.NURSE else None,
        licence_number="40112" if profession is Profession.NURSE else None,
    )
    found = session.scalar(sa.select(Profile).where(Profile.email == email))
    assert found is not None
    return found


def course(slug: str) -> Course:
    found = session.scalar(sa.select(Course).where(Course.slug == slug))
    assert found is not None, slug
    return found


def quiz(course_slug: str, quiz_slug: str) -> Quiz:
    found = session.scalar(
        sa.select(Quiz).join(Course).where(Course.slug == course_slug, Quiz.slug == quiz_slug)
    )
    assert found is not None, quiz_slug
    return found


def lessons(course_: Course) -> list[Lesson]:
    return [lesson for module in course_.modules for lesson in module.lessons]


def quizzes(course_: Course) -> list[Quiz]:
    return [q for module in course_.modules for q in module.quizzes]


def enrol(profile: Profile, course_: Course, *, acknowledged: bool = True) -> Enrolment:
    """Enrolled, and (unless told otherwise) past the CE disclosure."""
    enrolment = enrol_self_paced(profile, course_)
    if acknowledged:
        acknowledge(enrolment)
    return enrolment


def join(profile: Profile, cohort: Cohort, *, acknowledged: bool = True) -> Enrolment:
    enrolment = join_cohort(profile, cohort, invite_code=cohort.invite_code)
    if acknowledged:
        acknowledge(enrolment)
    return enrolment


def read(profile: Profile, to_read: list[Lesson]) -> None:
    """Each lesson read for its stated minutes, and marked complete."""
    for lesson in to_read:
        progress = lesson_progress(profile, lesson)
        progress.active_seconds = max(progress.active_seconds, lesson.minutes * 60)
        mark_complete(profile, lesson, progress=progress)


def has_read(server: LiveServer, email: str, lesson_title: str) -> None:
    """The learner spent the lesson's stated minutes on it already (as if she had read it
    in an earlier sitting), so "Mark complete" is accepted at once."""
    with server.app.app_context():
        profile = session.scalar(sa.select(Profile).where(Profile.email == email))
        lesson = session.scalar(sa.select(Lesson).where(Lesson.title == lesson_title))
        assert profile is not None and lesson is not None, lesson_title
        progress = lesson_progress(profile, lesson)
        progress.active_seconds = max(progress.active_seconds, lesson.minutes * 60)
        session.commit()


def acknowledge_disclosure(page: Page) -> None:
    """The CE disclosure stands before a course's first page: read it, go on."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Before you start: CE disclosure")
    page.get_by_role("button", name="I have read the disclosure: start the course").click()


# -- quizzes ---------------------------------------------------------------------------------


def right_answer(version: QuestionVersion, essay: str = REFLECTION) -> Any:
    """The parsed response that scores full marks (an essay: `essay`)."""
    kind = version.type
    if kind is QuestionType.SINGLE:
        return next(c.id for c in version.choices if c.is_correct)
    if kind is QuestionType.MULTIPLE:
        return sorted(c.id for c in version.choices if c.is_correct)
    if kind is QuestionType.TRUE_FALSE:
        return bool(version.settings.get("answer"))
    if kind is QuestionType.SHORT_ANSWER:
        return version.settings["accepted"][0]
    if kind is QuestionType.NUMERIC:
        value = Decimal(str(version.settings.get("answer", 0)))
        return int(value) if value == value.to_integral_value() else float(value)
    return essay


def take(
    profile: Profile, enrolment: Enrolment, quiz_: Quiz, *, essay: str = REFLECTION
) -> Attempt:
    """Start, answer everything right and submit (essays then await grading)."""
    attempt, _resumed = start_attempt(quiz_, profile, enrolment)
    save_answers(
        attempt, {q.version.id: right_answer(q.version, essay) for q in laid_out_questions(attempt)}
    )
    submit_attempt(attempt)
    return attempt


def evaluate(enrolment: Enrolment) -> None:
    """Submit the course's evaluations: 'Agree' on each scale, the first option of each
    choice, no comments (the certificate waits for them)."""
    for module in enrolment.course.modules:
        for evaluation in module.evaluations:
            answers: dict[str, Any] = {}
            for question in evaluation.questions:
                if question.type == "likert":
                    answers[question.slug] = 4
                elif question.type == "single":
                    answers[question.slug] = question.options[0]
            submit(evaluation, enrolment, answers)


def start(profile: Profile, enrolment: Enrolment, quiz_: Quiz) -> Attempt:
    attempt, _resumed = start_attempt(quiz_, profile, enrolment)
    return attempt


def essay_answer(attempt: Attempt) -> Answer:
    for answer in attempt.answers:
        if answer.question_version.type is QuestionType.ESSAY:
            return answer
    raise AssertionError("the attempt has no essay")


def grade(
    answer: Answer,
    grader: Profile,
    feedback: str,
    *,
    action: str = "release",
    reason: str = "",
    fraction: Decimal = Decimal("0.8"),
) -> None:
    """Score every rubric criterion at `fraction` of its points (rounded to halves)."""
    criteria = criteria_of(answer.question_version)
    data = {c.field_name: str((c.points * fraction * 2).to_integral_value() / 2) for c in criteria}
    version = answer.grade.version if answer.grade else 0
    data |= {"feedback": feedback, "action": action, "version": str(version), "reason": reason}
    released = answer.grade is not None and answer.grade.released_at is not None
    form = GradeForm.parse(criteria, data, released=released)
    assert not form.errors, form.errors
    save_grade(answer, grader, form)


# -- whole situations ------------------------------------------------------------------------


def nurse_before_the_final(server: LiveServer, email: str, name: str = "Nadia Nurse") -> int:
    """A nurse in the self-paced course with everything done except the wrap-up lesson and
    the final assessment (the two last items). Returns the enrolment id."""
    with within(server):
        nurse = person(email, name, profession=Profession.NURSE)
        essentials = course(ESSENTIALS)
        enrolment = enrol(nurse, essentials)
        last_module = essentials.modules[-1]
        read(
            nurse, [lesson for lesson in lessons(essentials) if lesson.module_id != last_module.id]
        )
        for check in quizzes(essentials):
            if check.module_id != last_module.id:
                take(nurse, enrolment, check)
        session.commit()
        return enrolment.id


def deadline_in(server: LiveServer, attempt_id: int, seconds: float) -> None:
    with server.app.app_context():
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        attempt.deadline_at = utcnow() + timedelta(seconds=seconds)
        session.commit()


# -- the browser -----------------------------------------------------------------------------


def sign_in(page: Page, server: LiveServer, email: str) -> None:
    """Sign in on a fresh session (any earlier user is signed out first)."""
    page.context.clear_cookies()
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def right_on_the_page(page: Page, server: LiveServer) -> dict[str, tuple[QuestionType, Any]]:
    """On an attempt page: each question's form field -> (type, the right answer as the
    page names it: a choice's opaque value, a set of them, "true"/"false", or text)."""
    attempt_id = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    with server.app.app_context():
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        right: dict[str, tuple[QuestionType, Any]] = {}
        for q in laid_out_questions(attempt):
            answer = right_answer(q.version)
            names = {choice_id: token for token, choice_id in q.choices.items()}
            if q.version.type is QuestionType.SINGLE:
                answer = names[answer]
            elif q.version.type is QuestionType.MULTIPLE:
                answer = {names[choice_id] for choice_id in answer}
            elif q.version.type is QuestionType.TRUE_FALSE:
                answer = "true" if answer else "false"
            right[q.field_name] = (q.version.type, answer)
        return right


def answer_right(page: Page, server: LiveServer) -> None:
    """On an attempt page: give every question its right answer, as a learner would."""
    for field, (kind, right) in right_on_the_page(page, server).items():
        if kind is QuestionType.SINGLE or kind is QuestionType.TRUE_FALSE:
            page.locator(f"#{field}-{right}").check()
        elif kind is QuestionType.MULTIPLE:
            for token in right:
                page.locator(f"#{field}-{token}").check()
        else:
            page.locator(f"#{field}").fill(str(right))
