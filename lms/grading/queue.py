"""The grading queue: every submitted essay answer in scope that still needs a released
grade, oldest submission first, with filters and counts, in a fixed number of queries.

An answer waits when its attempt is submitted, it has no released grade (none yet, or a
draft), it is not back with the learner for revision, and its learner has not withdrawn.
A resubmitted answer counts from its resubmission.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.database import UTCDateTime, session, valid_id
from lms.grading.scope import essay_answers, scope_clause
from lms.models import (
    Answer,
    Attempt,
    Cohort,
    Course,
    Enrolment,
    EnrolmentStatus,
    Grade,
    GradeStatus,
    Profile,
    Question,
    QuestionVersion,
    Quiz,
)

PAGE_SIZE = 100
SELF_PACED = "self-paced"
FILTERS = ("cohort", "course", "quiz", "question")

#: When the answer was handed in: the attempt's submission, or its latest resubmission.
SUBMITTED = sa.type_coerce(
    sa.case((Answer.revision > 1, Answer.saved_at), else_=Attempt.submitted_at), UTCDateTime()
)


def waiting_clause() -> sa.ColumnElement[bool]:
    """Needs an instructor (with `Grade` outer-joined on the answer)."""
    return sa.and_(
        Answer.returned_at.is_(None),
        sa.or_(Grade.id.is_(None), Grade.status != GradeStatus.RELEASED),
        Enrolment.status != EnrolmentStatus.WITHDRAWN,
    )


def waiting(
    profile: Profile, *columns: Any, scope: sa.ColumnElement[bool] | None = None
) -> sa.Select[Any]:
    """The answers waiting in `profile`'s scope (Grade outer-joined), selecting `columns`."""
    return (
        essay_answers(profile, *columns, scope=scope)
        .outerjoin(Grade, Grade.answer_id == Answer.id)
        .where(waiting_clause())
    )


# -- filters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters: a cohort (or self-paced learners), a course, a quiz, a question."""

    cohort_id: int | None = None
    self_paced: bool = False
    course_id: int | None = None
    quiz_id: int | None = None
    question_id: int | None = None

    @property
    def cohort_key(self) -> str | None:
        return SELF_PACED if self.self_paced else (str(self.cohort_id) if self.cohort_id else None)

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for links that keep them)."""
        args = {
            "cohort": self.cohort_key,
            "course": self.course_id,
            "quiz": self.quiz_id,
            "question": self.question_id,
        }
        return {key: str(value) for key, value in args.items() if value is not None}

    def without(self, name: str) -> QueueFilters:
        if name == "cohort":
            return replace(self, cohort_id=None, self_paced=False)
        return replace(self, **{f"{name}_id": None})

    @property
    def active(self) -> bool:
        return bool(self.as_args())

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        found: list[sa.ColumnElement[bool]] = []
        if self.self_paced:
            found.append(Enrolment.cohort_id.is_(None))
        elif self.cohort_id is not None:
            found.append(Enrolment.cohort_id == self.cohort_id)
        if self.course_id is not None:
            found.append(Quiz.course_id == self.course_id)
        if self.quiz_id is not None:
            found.append(Attempt.quiz_id == self.quiz_id)
        if self.question_id is not None:
            found.append(QuestionVersion.question_id == self.question_id)
        return found

    def matches(self, combo: Combo) -> bool:
        if self.self_paced and combo.cohort_id is not None:
            return False
        if self.cohort_id is not None and combo.cohort_id != self.cohort_id:
            return False
        return (
            (self.course_id is None or combo.course_id == self.course_id)
            and (self.quiz_id is None or combo.quiz_id == self.quiz_id)
            and (self.question_id is None or combo.question_id == self.question_id)
        )


def parse_filters(args: Mapping[str, str]) -> tuple[QueueFilters, list[str]]:
    """Filters from the query string, and a message per value that is not an id.

    Values that are ids are checked against what is waiting in `build_queue`.
    """
    values: dict[str, Any] = {}
    problems = []
    for name in FILTERS:
        raw = (args.get(name) or "").strip()
        if not raw:
            continue
        if name == "cohort" and raw == SELF_PACED:
            values["self_paced"] = True
        elif raw.isascii() and raw.isdigit() and len(raw) <= 10 and valid_id(int(raw)):
            values[f"{name}_id"] = int(raw)
        else:
            problems.append(f"The {name} filter “{raw[:40]}” is not valid, so it was ignored.")
    return QueueFilters(**values), problems


# -- counts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Combo:
    """How many answers wait for one cohort (or self-paced), course, quiz and question."""

    cohort_id: int | None
    cohort_name: str | None
    course_id: int
    course_title: str
    quiz_id: int
    quiz_title: str
    question_id: int
    question_position: int
    prompt: str
    count: int
    drafts: int


@dataclass(frozen=True)
class FilterOption:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class ReleaseGroup:
    """Draft grades ready to release for one quiz in one cohort (or its self-paced learners)."""

    cohort_id: int | None
    cohort_name: str | None
    course_id: int
    course_title: str
    quiz_id: int
    quiz_title: str
    drafts: int


def load_combos(profile: Profile, scope: sa.ColumnElement[bool] | None = None) -> list[Combo]:
    """Counts of waiting answers (and of drafts among them) per cohort/course/quiz/question.

    One query, whatever the number of answers.
    """
    query = (
        waiting(
            profile,
            Enrolment.cohort_id,
            Cohort.name,
            Quiz.course_id,
            Course.title,
            Attempt.quiz_id,
            Quiz.title,
            QuestionVersion.question_id,
            Question.position,
            sa.func.min(QuestionVersion.prompt),
            sa.func.count(Answer.id),
            sa.func.count(Grade.id),
            scope=scope,
        )
        .join(Course, Quiz.course_id == Course.id)
        .join(Question, QuestionVersion.question_id == Question.id)
        .outerjoin(Cohort, Enrolment.cohort_id == Cohort.id)
        .group_by(
            Enrolment.cohort_id,
            Cohort.name,
            Quiz.course_id,
            Course.title,
            Attempt.quiz_id,
            Quiz.title,
            QuestionVersion.question_id,
            Question.position,
        )
    )
    return [Combo(*row) for row in session.execute(query)]


def _options(combos: Iterable[Combo], filters: QueueFilters, name: str) -> list[FilterOption]:
    """The values of one filter, each counted with the other filters applied."""
    others = filters.without(name)
    counts: dict[str, int] = defaultdict(int)
    labels: dict[str, str] = {}
    order: dict[str, tuple[Any, ...]] = {}
    for combo in combos:
        if not others.matches(combo):
            continue
        if name == "cohort":
            value = str(combo.cohort_id) if combo.cohort_id else SELF_PACED
            label = combo.cohort_name or "Self-paced learners"
            key: tuple[Any, ...] = (combo.cohort_id is None, label.casefold())
        elif name == "course":
            value, label, key = str(combo.course_id), combo.course_title, (combo.course_title,)
        elif name == "quiz":
            value, label = str(combo.quiz_id), f"{combo.quiz_title} ({combo.course_title})"
            key = (combo.course_title, combo.quiz_title)
        else:
            prompt = " ".join(combo.prompt.split())
            short = prompt if len(prompt) <= 60 else prompt[:59] + "…"
            value = str(combo.question_id)
            label = f"{combo.quiz_title}, question {combo.question_position + 1}: {short}"
            key = (combo.course_title, combo.quiz_title, combo.question_position)
        counts[value] += combo.count
        labels[value], order[value] = label, key
    return [FilterOption(v, labels[v], counts[v]) for v in sorted(counts, key=order.__getitem__)]


# -- the queue -----------------------------------------------------------------------------------


@dataclass
class QueueRow:
    answer: Answer
    enrolment: Enrolment

    @property
    def submitted_at(self) -> datetime | None:
        if self.answer.revision > 1:
            return self.answer.saved_at
        return self.answer.attempt.submitted_at

    @property
    def draft(self) -> Grade | None:
        return self.answer.grade


@dataclass
class Queue:
    filters: QueueFilters
    messages: list[str]
    total: int  # waiting in scope, all filters off
    matching: int  # waiting with the filters on
    rows: list[QueueRow]
    page: int
    options: dict[str, list[FilterOption]] = field(default_factory=dict)
    releases: list[ReleaseGroup] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max((self.matching + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def _drop_unknown(filters: QueueFilters, combos: list[Combo], messages: list[str]) -> QueueFilters:
    """Ignore (with a message) filter values with nothing waiting in scope."""
    known = {
        "cohort": {str(c.cohort_id) if c.cohort_id else SELF_PACED for c in combos},
        "course": {str(c.course_id) for c in combos},
        "quiz": {str(c.quiz_id) for c in combos},
        "question": {str(c.question_id) for c in combos},
    }
    for name, value in filters.as_args().items():
        if value not in known[name]:
            filters = filters.without(name)
            messages.append(
                f"Nothing is waiting for that {name} among the answers you grade, "
                "so the filter was ignored."
            )
    return filters


def _release_groups(combos: Iterable[Combo], filters: QueueFilters) -> list[ReleaseGroup]:
    per_quiz = filters.without("question")
    groups: dict[tuple[int | None, int, int], ReleaseGroup] = {}
    for combo in combos:
        if not combo.drafts or not per_quiz.matches(combo):
            continue
        key = (combo.cohort_id, combo.course_id, combo.quiz_id)
        found = groups.get(key)
        groups[key] = ReleaseGroup(
            combo.cohort_id,
            combo.cohort_name,
            combo.course_id,
            combo.course_title,
            combo.quiz_id,
            combo.quiz_title,
            combo.drafts + (found.drafts if found else 0),
        )
    return sorted(
        groups.values(), key=lambda g: (g.course_title, g.cohort_name or "", g.quiz_title)
    )


def _queue_select(
    profile: Profile, filters: QueueFilters, scope: sa.ColumnElement[bool] | None = None
) -> sa.Select[Any]:
    return (
        waiting(profile, Answer, Enrolment, scope=scope)
        .where(*filters.clauses())
        .order_by(SUBMITTED, Answer.id)
    )


def build_queue(profile: Profile, args: Mapping[str, str], page: int = 1) -> Queue:
    """The queue page's data: at most four queries (the scope lookup, the counts, the
    page's ids, its rows), whatever the number of answers."""
    filters, messages = parse_filters(args)
    scope = scope_clause(profile)  # the instructor's cohorts and courses, looked up once
    combos = load_combos(profile, scope)
    filters = _drop_unknown(filters, combos, messages)
    matching = sum(c.count for c in combos if filters.matches(c))
    pages = max((matching + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    # The page's answers first (ids only: sorting every waiting answer's full row, essay
    # text and attempt layout included, was most of the page's time), then their rows.
    page_ids = session.scalars(
        _queue_select(profile, filters, scope)
        .with_only_columns(Answer.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    rows = session.execute(
        _queue_select(profile, filters, scope)
        .where(Answer.id.in_(page_ids))
        .options(
            so.contains_eager(Answer.attempt).joinedload(Attempt.profile),
            so.contains_eager(Answer.attempt).contains_eager(Attempt.quiz),
            so.contains_eager(Answer.question_version),
            so.contains_eager(Answer.grade).joinedload(Grade.grader),
            so.joinedload(Enrolment.cohort),
            so.joinedload(Enrolment.course),
            # The list shows none of these: the essays themselves, each attempt's layout
            # (every question of the paper), the questions' settings and feedback.
            so.defer(Answer.response),
            so.contains_eager(Answer.attempt).defer(Attempt.layout),
            so.contains_eager(Answer.question_version).defer(QuestionVersion.settings),
            so.contains_eager(Answer.question_version).defer(QuestionVersion.feedback),
        )
    ).all()
    return Queue(
        filters=filters,
        messages=messages,
        total=sum(c.count for c in combos),
        matching=matching,
        rows=[QueueRow(answer, enrolment) for answer, enrolment in rows],
        page=page,
        options={name: _options(combos, filters, name) for name in FILTERS},
        releases=_release_groups(combos, filters),
    )


def queue_ids(profile: Profile, filters: QueueFilters) -> list[int]:
    """The ids of the waiting answers, in queue order (for "next")."""
    query = _queue_select(profile, filters).with_only_columns(Answer.id)
    return list(session.scalars(query))


def next_answer_id(profile: Profile, filters: QueueFilters, current: int) -> int | None:
    """The answer after `current` in the queue; at the end, the first one still ungraded."""
    ids = queue_ids(profile, filters)
    if current in ids:
        after = ids[ids.index(current) + 1 :]
        if after:
            return after[0]
    ungraded = set(
        session.scalars(waiting(profile, Answer.id).where(*filters.clauses(), Grade.id.is_(None)))
    )
    return next((i for i in ids if i != current and i in ungraded), None)


def waiting_count(profile: Profile) -> int:
    """How many essay answers wait for grading in `profile`'s scope (0 for learners).

    One query; meant for dashboards.
    """
    return session.scalar(waiting(profile, sa.func.count(Answer.id))) or 0


@dataclass(frozen=True)
class QuizCount:
    quiz_title: str
    course_title: str
    count: int
    oldest: datetime | None


def waiting_by_quiz(profile: Profile) -> list[QuizCount]:
    """Waiting answers per quiz in `profile`'s scope, most waiting first (one query)."""
    query = (
        waiting(
            profile,
            Quiz.title,
            Course.title,
            sa.func.count(Answer.id),
            sa.func.min(SUBMITTED),
        )
        .join(Course, Quiz.course_id == Course.id)
        .group_by(Quiz.id, Quiz.title, Course.title)
    )
    found = [QuizCount(*row) for row in session.execute(query)]
    return sorted(found, key=lambda q: (-q.count, q.course_title, q.quiz_title))
