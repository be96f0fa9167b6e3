"""A learner's course outline: every item's status and lock, and progress by the course's
completion rule. One function computes it, so the course page, the lesson gate, the
dashboard and the instructors' views never disagree (no stored, drifting percentages).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, NamedTuple

import sqlalchemy as sa

from lms.database import session, utcnow
from lms.learning.release import Lock, module_schedule
from lms.learning.status import (
    AttemptRow,
    QuizState,
    ReadingRow,
    Status,
    lesson_status,
    quiz_state,
)
from lms.learning.structure import course_query, course_structure
from lms.models import (
    Attempt,
    Attendance,
    AttendanceStatus,
    CohortModule,
    Course,
    Enrolment,
    EnrolmentOverride,
    Evaluation,
    EvaluationSubmission,
    Lesson,
    LessonKind,
    LessonProgress,
    LiveSession,
    Module,
    Quiz,
)

#: What attendance counts as having been at a live session.
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.MADE_UP)


@dataclass(slots=True)
class ItemView:
    kind: Literal["lesson", "quiz", "evaluation"]
    item: Lesson | Quiz | Evaluation
    module: Module
    status: Status
    required: bool
    lock: Lock | None = None
    progress: ReadingRow | None = None
    quiz: QuizState | None = None

    @property
    def slug(self) -> str:
        return self.item.slug

    @property
    def title(self) -> str:
        return self.item.title

    @property
    def is_open(self) -> bool:
        return self.lock is None

    @property
    def done_for_ordering(self) -> bool:
        """What "complete in order" waits for: a lesson completed, a quiz handed in."""
        if self.quiz is not None:
            return self.quiz.has_submitted
        return self.status is Status.COMPLETE


@dataclass(slots=True)
class ModuleView:
    module: Module
    items: list[ItemView]
    opens_at: datetime | None
    due_at: datetime | None
    lock: Lock | None
    status: Status = Status.NOT_STARTED
    required_total: int = 0
    required_done: int = 0
    #: Past its due date, or complete: the outline folds it away.
    is_over: bool = False


@dataclass
class CourseOutline:
    course: Course
    enrolment: Enrolment
    modules: list[ModuleView]
    items: list[ItemView] = field(default_factory=list)
    required_total: int = 0
    required_done: int = 0
    status: Status = Status.NOT_STARTED

    @property
    def percent(self) -> int:
        if not self.required_total:
            return 100 if self.status is Status.COMPLETE else 0
        return round(100 * self.required_done / self.required_total)

    @property
    def is_complete(self) -> bool:
        return self.status is Status.COMPLETE

    def find(self, kind: str, slug: str) -> ItemView | None:
        return next((i for i in self.items if i.kind == kind and i.slug == slug), None)

    def neighbours(self, item: ItemView) -> tuple[ItemView | None, ItemView | None]:
        index = self.items.index(item)
        before = self.items[index - 1] if index > 0 else None
        after = self.items[index + 1] if index + 1 < len(self.items) else None
        return before, after

    @property
    def next_item(self) -> ItemView | None:
        """The first open item still to do (not one handed in and waiting for a grade)."""
        return next(
            (
                i
                for i in self.items
                if i.is_open and not i.status.done and i.status is not Status.AWAITING_GRADING
            ),
            None,
        )

    @property
    def resume_item(self) -> ItemView | None:
        """Where the learner left off: the last lesson opened but not finished, else next."""
        started = [
            i for i in self.items if i.progress is not None and i.status is Status.IN_PROGRESS
        ]
        if started:
            return max(started, key=lambda i: i.progress.last_seen_at)  # type: ignore[union-attr]
        return self.next_item


def load_course(course_id: int) -> Course:
    """A course with its modules, lessons, quizzes and evaluations, in the request's
    session: for code that writes (cohort calendars link their rows to its modules).

    Lesson bodies are left out (about 200 kB a course): the lesson page loads its one body.
    Code that only reads uses the cached `lms.learning.structure.course_structure`.
    """
    course = session.scalar(course_query(course_id))
    assert course is not None
    return course


def required_items(course: Course) -> tuple[bool, set[str] | None]:
    """(all lessons required?, the slugs of required quizzes or None for all of them)."""
    rule = course.completion_rule or {}
    lessons_required = rule.get("lessons", "all") == "all"
    quizzes = rule.get("quizzes", "all")
    if quizzes == "all":
        return lessons_required, None
    if quizzes == "none":
        return lessons_required, set()
    return lessons_required, set(quizzes)


def course_outline(
    enrolment: Enrolment, now: datetime | None = None, course: Course | None = None
) -> CourseOutline:
    """Everything about one learner in one course, computed in a fixed number of queries
    (the same loading as every instructor's view: `outlines_of`)."""
    course = course or course_structure(enrolment.course_id)
    return outlines_of([enrolment], now, {course.id: course})[enrolment.id]


def has_evaluations(course: Course) -> bool:
    return any(module.evaluations for module in course.modules)


def submitted_evaluations(
    courses: Collection[Course], enrolment_ids: list[int]
) -> dict[int, set[int]]:
    """For each enrolment, the evaluations submitted (no query for courses without one)."""
    submitted: dict[int, set[int]] = defaultdict(set)
    if not enrolment_ids or not any(has_evaluations(course) for course in courses):
        return submitted
    for enrolment_id, evaluation_id in session.execute(
        sa.select(EvaluationSubmission.enrolment_id, EvaluationSubmission.evaluation_id).where(
            EvaluationSubmission.enrolment_id.in_(enrolment_ids)
        )
    ):
        submitted[enrolment_id].add(evaluation_id)
    return submitted


def attended_modules(cohort_ids: Collection[int], profile_ids: list[int]) -> dict[int, set[int]]:
    """For each learner, the modules whose live session they attended (present, late, or
    made up)."""
    attended: dict[int, set[int]] = defaultdict(set)
    if not cohort_ids or not profile_ids:
        return attended
    for profile_id, module_id in session.execute(
        sa.select(Attendance.profile_id, LiveSession.module_id)
        .join(LiveSession, Attendance.live_session_id == LiveSession.id)
        .where(
            LiveSession.cohort_id.in_(list(cohort_ids)),
            LiveSession.module_id.is_not(None),
            Attendance.profile_id.in_(profile_ids),
            Attendance.status.in_(ATTENDED),
        )
    ):
        attended[profile_id].add(module_id)
    return attended


class PlannedEntry(NamedTuple):
    """One item of a course plan, with what statuses read of it taken out once."""

    entry: Lesson | Quiz | Evaluation
    kind: Literal["lesson", "quiz", "evaluation"]
    id: int
    is_live_session: bool
    required: bool


@dataclass(frozen=True)
class CoursePlan:
    """A course's live modules and items in order, with the completion rule applied: what
    every outline of the course walks (once per request, however many learners)."""

    course: Course
    modules: list[tuple[Module, list[PlannedEntry]]]


def course_plan(course: Course) -> CoursePlan:
    lessons_required, quiz_slugs = required_items(course)
    modules = []
    for module in course.modules:
        if module.is_retired:
            continue
        entries: list[Lesson | Quiz | Evaluation] = [
            *module.lessons,
            *module.quizzes,
            *module.evaluations,
        ]
        entries.sort(key=lambda entry: entry.position)
        planned = []
        for entry in entries:
            if entry.is_retired:
                continue
            if isinstance(entry, Evaluation):
                planned.append(PlannedEntry(entry, "evaluation", entry.id, False, True))
            elif isinstance(entry, Lesson):
                live = entry.kind is LessonKind.LIVE_SESSION
                planned.append(PlannedEntry(entry, "lesson", entry.id, live, lessons_required))
            else:
                required = quiz_slugs is None or entry.slug in quiz_slugs
                planned.append(PlannedEntry(entry, "quiz", entry.id, False, required))
        modules.append((module, planned))
    return CoursePlan(course, modules)


def build_outline(
    plan: CoursePlan,
    enrolment: Enrolment,
    progress: Mapping[int, ReadingRow],
    attempts: Mapping[int, Sequence[AttemptRow]],
    calendar: dict[int, CohortModule],
    overrides: dict[int, EnrolmentOverride],
    now: datetime,
    attended_modules: Collection[int] = (),
    submitted: Collection[int] = (),
) -> CourseOutline:
    """The outline from rows already loaded (pure: instructors' views batch the loading).

    A live-session page is complete when the learner attended (present, late or made up)
    a live session of its module. In a course with CE credit only attendance completes it
    (live credit means being there); elsewhere the learner may also mark it complete. An
    evaluation is complete once submitted.
    """
    course = plan.course
    attendance_only = bool(course.ce)
    sequential = course.sequential
    outline = CourseOutline(course=course, enrolment=enrolment, modules=[])
    waiting_for: ItemView | None = None  # sequential courses: the first unfinished item
    previous: ItemView | None = None  # the item just before, in the whole course
    for module, entries in plan.modules:
        opens_at, due_at = module_schedule(
            enrolment, module, calendar.get(module.id), overrides.get(module.id)
        )
        module_lock = Lock.until(opens_at) if opens_at and opens_at > now else None
        view = ModuleView(module, [], opens_at, due_at, module_lock)
        attended = module.id in attended_modules
        for entry, kind, entry_id, is_live_session, required in entries:
            item: ItemView
            if kind == "evaluation":
                status = Status.COMPLETE if entry_id in submitted else Status.NOT_STARTED
                item = ItemView("evaluation", entry, module, status, required)
            elif kind == "lesson":
                reading = progress.get(entry_id)
                status = lesson_status(reading)
                if is_live_session:
                    if attended:
                        status = Status.COMPLETE
                    elif attendance_only and status is Status.COMPLETE:
                        status = Status.IN_PROGRESS
                item = ItemView("lesson", entry, module, status, required, progress=reading)
            else:
                assert isinstance(entry, Quiz)
                state = quiz_state(entry, attempts.get(entry_id, ()))
                item = ItemView("quiz", entry, module, state.status, required, quiz=state)
            if module_lock is not None:
                item.lock = module_lock
            elif sequential and waiting_for is not None and previous is not None:
                # Each item waits for the one just before it (which waits for its own).
                item.lock = Lock.after_item(previous.title)
            if sequential and waiting_for is None and not item.done_for_ordering:
                waiting_for = item
            previous = item
            view.items.append(item)
            outline.items.append(item)
        _summarise(view)
        view.is_over = view.status is Status.COMPLETE or bool(due_at and due_at < now)
        outline.modules.append(view)
    outline.required_total = sum(m.required_total for m in outline.modules)
    outline.required_done = sum(m.required_done for m in outline.modules)
    outline.status = _overall([i for i in outline.items if i.required], outline.items)
    return outline


def _summarise(view: ModuleView) -> None:
    required = [i for i in view.items if i.required]
    view.required_total = len(required)
    view.required_done = sum(1 for i in required if i.status.done)
    view.status = _overall(required, view.items)


def _overall(required: list[ItemView], items: list[ItemView]) -> Status:
    if required and all(i.status.done for i in required):
        return Status.COMPLETE
    if not required and items and all(i.status.done for i in items):
        return Status.COMPLETE
    if required and all(
        i.status in (Status.PASSED, Status.COMPLETE, Status.AWAITING_GRADING) for i in required
    ):
        return Status.AWAITING_GRADING
    if any(i.status is not Status.NOT_STARTED for i in items):
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


def outlines_for(
    course: Course, enrolments: list[Enrolment], now: datetime | None = None
) -> dict[int, CourseOutline]:
    """Outlines of many learners of one course (instructors' rosters, gradebooks and
    exports), by enrolment id: see `outlines_of`."""
    return outlines_of(enrolments, now, {course.id: course})


def outlines_of(
    enrolments: list[Enrolment],
    now: datetime | None = None,
    courses: Mapping[int, Course] | None = None,
) -> dict[int, CourseOutline]:
    """Outlines of many enrolments (many learners of one course, or one learner's
    courses), by enrolment id, in a fixed number of queries: every learner's rows are
    loaded in one batch each, as plain column tuples (a 200-learner cohort has thousands
    of them: ORM objects cost a third of the gradebook's time). `courses`: the structures
    to use, by id (default: the cached ones)."""
    now = now or utcnow()
    if courses is None:
        courses = {e.course_id: course_structure(e.course_id) for e in enrolments}
    profile_ids = list({e.profile_id for e in enrolments})
    progress: dict[int, dict[int, ReadingRow]] = defaultdict(dict)
    attempts: dict[int, dict[int, list[AttemptRow]]] = defaultdict(lambda: defaultdict(list))
    calendars: dict[int, dict[int, CohortModule]] = defaultdict(dict)
    overrides: dict[int, dict[int, EnrolmentOverride]] = defaultdict(dict)
    attended: dict[int, set[int]] = {}
    if enrolments:
        modules = [module for course in courses.values() for module in course.modules]
        lesson_ids = [lesson.id for module in modules for lesson in module.lessons]
        for profile_id, *reading in session.execute(
            sa.select(
                LessonProgress.profile_id,
                LessonProgress.lesson_id,
                LessonProgress.last_seen_at,
                LessonProgress.completed_at,
                LessonProgress.active_seconds,
            ).where(
                LessonProgress.profile_id.in_(profile_ids),
                LessonProgress.lesson_id.in_(lesson_ids),
            )
        ):
            row = ReadingRow(*reading)
            progress[profile_id][row.lesson_id] = row
        quiz_ids = [quiz.id for module in modules for quiz in module.quizzes]
        for profile_id, *columns in session.execute(
            sa.select(
                Attempt.profile_id,
                Attempt.id,
                Attempt.quiz_id,
                Attempt.number,
                Attempt.status,
                Attempt.score,
                Attempt.max_score,
                Attempt.passed,
            ).where(Attempt.profile_id.in_(profile_ids), Attempt.quiz_id.in_(quiz_ids))
        ):
            attempt = AttemptRow(*columns)
            attempts[profile_id][attempt.quiz_id].append(attempt)
        cohort_ids = {e.cohort_id for e in enrolments if e.cohort_id is not None}
        if cohort_ids:
            for line in session.scalars(
                sa.select(CohortModule).where(CohortModule.cohort_id.in_(cohort_ids))
            ):
                calendars[line.cohort_id][line.module_id] = line
        for override in session.scalars(
            sa.select(EnrolmentOverride).where(
                EnrolmentOverride.enrolment_id.in_([e.id for e in enrolments])
            )
        ):
            overrides[override.enrolment_id][override.module_id] = override
        attended = attended_modules(cohort_ids, profile_ids)
    submitted = submitted_evaluations(list(courses.values()), [e.id for e in enrolments])
    plans = {course_id: course_plan(course) for course_id, course in courses.items()}
    return {
        e.id: build_outline(
            plans[e.course_id],
            e,
            progress[e.profile_id],
            attempts[e.profile_id],
            calendars[e.cohort_id] if e.cohort_id is not None else {},
            overrides[e.id],
            now,
            attended.get(e.profile_id, set()) if e.cohort_id is not None else (),
            submitted.get(e.id, set()),
        )
        for e in enrolments
    }
