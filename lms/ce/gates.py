"""What a certificate waits for: the gates a learner passes, each with a link to what is
still open.

- the CE disclosure acknowledged;
- every required item done: lessons, live sessions attended, quizzes passed, the final
  assessment (summative quizzes) passed, the evaluation submitted;
- the minimum reading time met on every lesson (or an exemption);
- the course still offered for credit (or finishing after expiry allowed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lms.ce.details import ce_details
from lms.database import utcnow
from lms.learning.progress import CourseOutline, ItemView
from lms.learning.reading import is_exempt, required_seconds
from lms.models import Enrolment, Lesson, LessonKind, Quiz
from lms.web import lms_url_for


@dataclass(frozen=True)
class Gate:
    label: str
    met: bool
    #: What to do, when not met.
    detail: str = ""
    #: Where to do it: an LMS endpoint and its arguments (a URL is built only when shown,
    #: so the gates can be checked outside a request too: the CLI, jobs).
    link: tuple[str, dict[str, str]] | None = None

    @property
    def url(self) -> str | None:
        return lms_url_for(self.link[0], **self.link[1]) if self.link else None


ENDPOINTS = {
    "lesson": ("learning.lesson", "lesson_slug"),
    "quiz": ("quizzes.quiz", "quiz_slug"),
    "evaluation": ("evaluations.evaluation", "evaluation_slug"),
}


def _link(course_slug: str, item: ItemView) -> tuple[str, dict[str, str]]:
    endpoint, argument = ENDPOINTS[item.kind]
    return endpoint, {"slug": course_slug, argument: item.slug}


def _is_live(item: ItemView) -> bool:
    return isinstance(item.item, Lesson) and item.item.kind is LessonKind.LIVE_SESSION


def _is_final(item: ItemView) -> bool:
    return isinstance(item.item, Quiz) and item.item.summative


#: (label, which required items it covers, what to say about the first one still open)
ITEM_GATES: list[tuple[str, Callable[[ItemView], bool], str]] = [
    (
        "Every lesson completed",
        lambda i: i.kind == "lesson" and not _is_live(i),
        "{count} to go, starting with “{title}”.",
    ),
    ("Live sessions attended", _is_live, "Not recorded yet: “{title}”."),
    (
        "Required quizzes passed",
        lambda i: i.kind == "quiz" and not _is_final(i),
        "“{title}” is not passed yet.",
    ),
    ("Final assessment passed", _is_final, "“{title}” is not passed yet."),
    ("Course evaluation submitted", lambda i: i.kind == "evaluation", "“{title}” waits for you."),
]


def certificate_gates(enrolment: Enrolment, outline: CourseOutline) -> list[Gate]:
    """Every gate of this learner's certificate, in the order they meet them."""
    course = outline.course
    details = ce_details(course)
    gates: list[Gate] = []
    if details is not None:
        gates.append(
            Gate(
                "CE disclosure acknowledged",
                enrolment.disclosure_acknowledged_at is not None,
                "Read the disclosure and acknowledge it.",
                ("ce.disclosure", {"slug": course.slug}),
            )
        )
    required = [item for item in outline.items if item.required]
    for label, covers, detail in ITEM_GATES:
        items = [item for item in required if covers(item)]
        if not items:
            continue
        open_items = [item for item in items if not item.status.done]
        if not open_items:
            gates.append(Gate(label, True))
            continue
        first = open_items[0]
        text = detail.format(count=len(open_items), title=first.title)
        gates.append(Gate(label, False, text, _link(course.slug, first)))
    if details is not None:
        short = reading_time_short(enrolment, outline)
        first_short = short[0] if short else None
        gates.append(
            Gate(
                "Minimum reading time met",
                first_short is None,
                f"Spend more time reading “{first_short.title}”." if first_short else "",
                _link(course.slug, first_short) if first_short else None,
            )
        )
        if details.expired(utcnow()) and not details.finish_after_expiry:
            ended = f"{details.expiry_date.day} {details.expiry_date:%B %Y}"
            gates.append(Gate("Course offered for credit", False, f"Credit ended on {ended}."))
    return gates


def reading_time_short(enrolment: Enrolment, outline: CourseOutline) -> list[ItemView]:
    """Lessons read with less than the minimum time (none for an exempt learner)."""
    short = [
        item
        for item in outline.items
        if item.kind == "lesson"
        and isinstance(item.item, Lesson)
        and required_seconds(outline.course, item.item)
        > (item.progress.active_seconds if item.progress is not None else 0)
    ]
    if short and is_exempt(enrolment):
        return []
    return short


def gates_met(gates: list[Gate]) -> bool:
    return all(gate.met for gate in gates)
