"""A learner's course outline: every item's status and lock, and progress by the course's
completion rule. One function computes it, so the course page, the lesson gate, the
dashboard and the instructors' views never disagree (no stored, drifting percentages).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.database import session, utcnow
from lms.learning.release import Lock, module_schedule
from lms.learning.status import QuizState, Status, lesson_status, quiz_state
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


@dataclass
class ItemView:
    kind: Literal["lesson", "quiz", "evaluation"]
    item: Lesson | Quiz | Evaluation
    module: Module
    status: Status
    required: bool
    lock: Lock | None = None
    progress: LessonProgress | None = None
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


@dataclass
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
    """Everything about one learner in one course, computed in a fixed number of queries."""
    now = now or utcnow()
    course = course or course_structure(enrolment.course_id)
    profile_id = enrolment.profile_id
    progress = {
        p.lesson_id: p
        for p in session.scalars(
            sa.select(LessonProgress)
            .join(Lesson, LessonProgress.lesson_id == Lesson.id)
            .where(LessonProgress.profile_id == profile_id, Lesson.course_id == course.id)
        )
    }
    attempts: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in session.scalars(
        sa.select(Attempt)
        .join(Quiz, Attempt.quiz_id == Quiz.id)
        .where(Attempt.profile_id == profile_id, Quiz.course_id == course.id)
        .options(so.defer(Attempt.layout))  # statuses need no question layout
    ):
        attempts[attempt.quiz_id].append(attempt)
    calendar: dict[int, CohortModule] = {}
    if enrolment.cohort_id is not None:
        calendar = {
            line.module_id: line
            for line in session.scalars(
                sa.select(CohortModule).where(CohortModule.cohort_id == enrolment.cohort_id)
            )
        }
    overrides = {
        o.module_id: o
        for o in session.scalars(
            sa.select(EnrolmentOverride).where(EnrolmentOverride.enrolment_id == enrolment.id)
        )
    }
    cohorts = [enrolment.cohort_id] if enrolment.cohort_id is not None else []
    attended = attended_modules(cohorts, [profile_id]).get(profile_id, set())
    submitted = submitted_evaluations(course, [enrolment.id]).get(enrolment.id, set())
    return build_outline(
        course, enrolment, progress, attempts, calendar, overrides, now, attended, submitted
    )


def has_evaluations(course: Course) -> bool:
    return any(module.evaluations for module in course.modules)


def submitted_evaluations(course: Course, enrolment_ids: list[int]) -> dict[int, set[int]]:
    """For each enrolment, the evaluations submitted (no query for courses without one)."""
    submitted: dict[int, set[int]] = defaultdict(set)
    if not enrolment_ids or not has_evaluations(course):
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


def build_outline(
    course: Course,
    enrolment: Enrolment,
    progress: dict[int, LessonProgress],
    attempts: dict[int, list[Attempt]],
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
    attendance_only = bool(course.ce)
    lessons_required, quiz_slugs = required_items(course)
    outline = CourseOutline(course=course, enrolment=enrolment, modules=[])
    waiting_for: ItemView | None = None  # sequential courses: the first unfinished item
    previous: ItemView | None = None  # the item just before, in the whole course
    for module in course.modules:
        if module.is_retired:
            continue
        opens_at, due_at = module_schedule(
            enrolment, module, calendar.get(module.id), overrides.get(module.id)
        )
        module_lock = Lock.until(opens_at) if opens_at and opens_at > now else None
        view = ModuleView(module, [], opens_at, due_at, module_lock)
        entries: list[Lesson | Quiz | Evaluation] = [
            *module.lessons,
            *module.quizzes,
            *module.evaluations,
        ]
        entries.sort(key=lambda entry: entry.position)
        for entry in entries:
            if entry.is_retired:
                continue
            item: ItemView
            if isinstance(entry, Evaluation):
                done = entry.id in submitted
                status = Status.COMPLETE if done else Status.NOT_STARTED
                item = ItemView("evaluation", entry, module, status, required=True)
            elif isinstance(entry, Lesson):
                status = lesson_status(progress.get(entry.id))
                if entry.kind is LessonKind.LIVE_SESSION:
                    if module.id in attended_modules:
                        status = Status.COMPLETE
                    elif attendance_only and status is Status.COMPLETE:
                        status = Status.IN_PROGRESS
                item = ItemView(
                    "lesson",
                    entry,
                    module,
                    status,
                    required=lessons_required,
                    progress=progress.get(entry.id),
                )
            else:
                state = quiz_state(entry, attempts.get(entry.id, []))
                required = quiz_slugs is None or entry.slug in quiz_slugs
                item = ItemView("quiz", entry, module, state.status, required, quiz=state)
            if module_lock is not None:
                item.lock = module_lock
            elif course.sequential and waiting_for is not None and previous is not None:
                # Each item waits for the one just before it (which waits for its own).
                item.lock = Lock.after_item(previous.title)
            if course.sequential and waiting_for is None and not item.done_for_ordering:
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
    """Outlines of many learners of one course, in a fixed number of queries (instructors'
    rosters, gradebooks and exports): every learner's rows are loaded in one batch each."""
    now = now or utcnow()
    profile_ids = [e.profile_id for e in enrolments]
    progress: dict[int, dict[int, LessonProgress]] = defaultdict(dict)
    attempts: dict[int, dict[int, list[Attempt]]] = defaultdict(lambda: defaultdict(list))
    calendars: dict[int, dict[int, CohortModule]] = defaultdict(dict)
    overrides: dict[int, dict[int, EnrolmentOverride]] = defaultdict(dict)
    attended: dict[int, set[int]] = {}
    if enrolments:
        for row in session.scalars(
            sa.select(LessonProgress)
            .join(Lesson, LessonProgress.lesson_id == Lesson.id)
            .where(LessonProgress.profile_id.in_(profile_ids), Lesson.course_id == course.id)
        ):
            progress[row.profile_id][row.lesson_id] = row
        for attempt in session.scalars(
            sa.select(Attempt)
            .join(Quiz, Attempt.quiz_id == Quiz.id)
            .where(Attempt.profile_id.in_(profile_ids), Quiz.course_id == course.id)
            .options(so.defer(Attempt.layout))  # statuses need no question layout
        ):
            attempts[attempt.profile_id][attempt.quiz_id].append(attempt)
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
    submitted = submitted_evaluations(course, [e.id for e in enrolments])
    return {
        e.id: build_outline(
            course,
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
