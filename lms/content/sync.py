"""Load checked course files into the database without ever losing learner data.

Everything is matched by slug. Changed rows are updated in place (learners keep their
progress); a changed question gets a new `QuestionVersion`, so attempts keep the exact
version they were graded against; removed lessons, quizzes and questions that learners
have used are retired, the rest deleted. The caller commits: one sync is one transaction.
Running it again on the same files changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.content import schema
from lms.content.loader import (
    CourseSource,
    EvaluationSource,
    LessonSource,
    ModuleSource,
    PageSource,
    QuizSource,
)
from lms.content.markdown import render_markdown
from lms.database import session, utcnow
from lms.models import (
    Answer,
    Attempt,
    Choice,
    Course,
    CourseImage,
    CoursePage,
    Evaluation,
    EvaluationQuestion,
    EvaluationSubmission,
    Lesson,
    LessonKind,
    LessonProgress,
    Module,
    Question,
    QuestionType,
    QuestionVersion,
    Quiz,
    RubricCriterion,
    ScoreRule,
    Track,
)

#: Bump when `render_markdown` changes its output, so stored HTML is rendered again.
RENDERER_VERSION = 1

#: The kinds of row a sync reports on, in the order the summary names them.
KINDS = [
    "course",
    "page",
    "module",
    "lesson",
    "quiz",
    "evaluation",
    "question",
    "question version",
]


@dataclass
class SyncReport:
    """What a sync did, counted by kind of row (e.g. created["lesson"] == 3)."""

    created: Counter[str] = field(default_factory=Counter)
    #: Rows updated, by kind; a row counts once however many of its fields changed.
    updated_rows: set[tuple[str, int]] = field(default_factory=set)
    retired: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)

    @property
    def updated(self) -> Counter[str]:
        return Counter(kind for kind, _ in self.updated_rows)

    def mark_updated(self, kind: str, row: Any) -> None:
        self.updated_rows.add((kind, id(row)))

    @property
    def size(self) -> int:
        """How many changes, of every kind."""
        counts = (self.created, self.retired, self.deleted)
        return len(self.updated_rows) + sum(sum(count.values()) for count in counts)

    @property
    def changed(self) -> bool:
        return any((self.created, self.updated, self.retired, self.deleted))

    def summary(self) -> str:
        if not self.changed:
            return "No changes: the database already matches the files."
        parts = []
        for verb, counts in (
            ("created", self.created),
            ("updated", self.updated),
            ("retired", self.retired),
            ("deleted", self.deleted),
        ):
            if counts:
                kinds = sorted(counts, key=KINDS.index)
                items = ", ".join(f"{counts[kind]} {plural(kind, counts[kind])}" for kind in kinds)
                parts.append(f"{verb} {items}")
        return "; ".join(parts).capitalize() + "."


def plural(noun: str, count: int) -> str:
    if count == 1:
        return noun
    return noun + "zes" if noun.endswith("quiz") else noun + "s"


def fingerprint(*parts: Any) -> str:
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sync_courses(sources: list[CourseSource]) -> SyncReport:
    """Create, update, reorder and retire rows to match `sources` (flushes, no commit)."""
    report = SyncReport()
    for position, source in enumerate(sources):
        _CourseSync(source, position, report).run()
    session.flush()
    return report


class _CourseSync:
    def __init__(self, source: CourseSource, position: int, report: SyncReport) -> None:
        self.source, self.position, self.report = source, position, report
        self.now: datetime = utcnow()

    # -- course ---------------------------------------------------------------------------

    def run(self) -> None:
        changes_before = self.report.size
        course = self._run()
        if self.report.size != changes_before:
            # Anything changed in the course moves its stamp: processes that keep the
            # course's structure (lms.learning.structure) load it again.
            course.updated_at = self.now  # flushed by sync_courses

    def _run(self) -> Course:
        spec = self.source.course
        course = session.scalar(
            sa.select(Course)
            .where(Course.slug == spec.slug)
            .options(
                so.selectinload(Course.modules)
                .selectinload(Module.quizzes)
                .selectinload(Quiz.questions)
                .selectinload(Question.versions)
            )
        )
        content_hash = fingerprint(
            RENDERER_VERSION, spec.model_dump(mode="json", exclude={"modules", "pages"})
        )
        self.new_course = course is None
        if course is None:
            course = Course(slug=spec.slug)
            session.add(course)
            self.report.created["course"] += 1
        elif course.content_hash != content_hash or course.is_retired:
            self.report.mark_updated("course", course)
        if course.content_hash != content_hash or course.is_retired:
            course.title = spec.title
            course.track = Track(spec.track)
            course.audience = spec.audience
            course.summary = spec.summary.strip()
            # Shown on the course page, .../courses/<slug>/
            course.description_html = str(render_markdown(spec.description or "", course_url="."))
            course.disclaimer = spec.disclaimer.strip()
            course.estimated_hours = Decimal(str(spec.estimated_hours))
            course.ce_hours = Decimal(str(spec.ce_hours))
            course.instructional_level = spec.instructional_level
            course.objectives = dict(spec.objectives or {})
            course.ce = spec.ce.model_dump(mode="json") if spec.ce is not None else None
            information = spec.ce.information if spec.ce is not None else None
            course.ce_information_html = str(render_markdown(information or "", course_url="."))
            course.sequential = spec.sequential
            course.completion_rule = spec.completion.model_dump(mode="json")
            course.content_hash = content_hash
            course.retired_at = None
            course.updated_at = self.now
        self._set(course, "position", self.position, "course")
        self._sync_pages(course, self.source.pages)
        session.flush()
        self._sync_image(course)

        self.lessons = {
            lesson.slug: lesson
            for lesson in session.scalars(sa.select(Lesson).where(Lesson.course_id == course.id))
        }
        self.quizzes = {quiz.slug: quiz for module in course.modules for quiz in module.quizzes}
        self.evaluations = {
            evaluation.slug: evaluation
            for evaluation in session.scalars(
                sa.select(Evaluation).where(Evaluation.course_id == course.id)
            )
        }
        modules = {module.slug: module for module in course.modules}
        seen_lessons: set[str] = set()
        seen_quizzes: set[str] = set()
        seen_evaluations: set[str] = set()

        for module_position, module_source in enumerate(self.source.modules):
            module = self._sync_module(course, modules.pop(module_source.module.slug, None),
                                       module_source, module_position)  # fmt: skip
            for item_position, item in enumerate(module_source.items):
                if isinstance(item, LessonSource):
                    self._sync_lesson(course, module, item, item_position)
                    seen_lessons.add(item.meta.slug)
                elif isinstance(item, EvaluationSource):
                    self._sync_evaluation(course, module, item, item_position)
                    seen_evaluations.add(item.evaluation.slug)
                else:
                    self._sync_quiz(course, module, item, item_position)
                    seen_quizzes.add(item.quiz.slug)

        for slug, lesson in self.lessons.items():
            if slug not in seen_lessons:
                self._remove(lesson, "lesson", _lesson_has_learner_data(lesson))
        for slug, quiz in self.quizzes.items():
            if slug not in seen_quizzes:
                self._remove(quiz, "quiz", _quiz_has_learner_data(quiz))
        for slug, evaluation in self.evaluations.items():
            if slug not in seen_evaluations:
                self._remove(evaluation, "evaluation", _evaluation_has_submissions(evaluation))
        session.flush()
        for module in modules.values():  # modules no longer in course.yml
            session.expire(module, ["lessons", "quizzes", "evaluations"])
            self._remove(module, "module", _module_has_learner_data(module))
        return course

    def _sync_image(self, course: Course) -> None:
        """The course's picture: stored, replaced when the file changed, removed when
        course.yml no longer names one."""
        source, spec = self.source.image, self.source.course
        image = session.scalar(sa.select(CourseImage).where(CourseImage.course_id == course.id))
        if source is None:
            if image is not None:
                session.delete(image)
                self.report.mark_updated("course", course)
            return
        if image is None:
            image = CourseImage(course_id=course.id)
            session.add(image)
        wanted = (source.media_type, spec.image_alt or "", source.sha256)
        if (image.media_type, image.alt, image.sha256) != wanted:
            image.media_type, image.alt, image.sha256 = wanted
            image.data = source.data
            if not self.new_course:
                self.report.mark_updated("course", course)

    # -- helpers ----------------------------------------------------------------------------

    def _set(self, row: Any, attribute: str, value: Any, kind: str) -> None:
        """Set a value, counting the row as updated only when it really changes."""
        if getattr(row, attribute) != value:
            setattr(row, attribute, value)
            if row in session and sa.inspect(row).persistent:
                self.report.mark_updated(kind, row)

    def _remove(self, row: Any, kind: str, has_learner_data: bool) -> None:
        if has_learner_data:
            if not row.is_retired:
                row.retired_at = self.now
                self.report.retired[kind] += 1
        else:
            session.delete(row)
            self.report.deleted[kind] += 1

    # -- modules, lessons, quizzes ------------------------------------------------------------

    def _sync_module(
        self, course: Course, module: Module | None, source: ModuleSource, position: int
    ) -> Module:
        spec = source.module
        if module is None:
            module = Module(course=course, slug=spec.slug, title=spec.title)
            session.add(module)
            self.report.created["module"] += 1
        values = {
            "title": spec.title,
            "summary": (spec.summary or "").strip(),
            "week": spec.week,
            "release_after_days": spec.release_after_days,
            "position": position,
            "retired_at": None,
        }
        before = {name: getattr(module, name) for name in values}
        for name, value in values.items():
            setattr(module, name, value)
        if sa.inspect(module).persistent and before != values:
            self.report.mark_updated("module", module)
        return module

    def _sync_lesson(
        self, course: Course, module: Module, source: LessonSource, position: int
    ) -> None:
        meta = source.meta
        content_hash = fingerprint(RENDERER_VERSION, meta.model_dump(mode="json"), source.body)
        lesson = self.lessons.get(meta.slug)
        if lesson is None:
            lesson = Lesson(course=course, slug=meta.slug)
            session.add(lesson)
            self.lessons[meta.slug] = lesson
            self.report.created["lesson"] += 1
        elif lesson.content_hash != content_hash or lesson.is_retired:
            self.report.mark_updated("lesson", lesson)
        if lesson.content_hash != content_hash or lesson.is_retired:
            lesson.title = meta.title
            lesson.kind = LessonKind(meta.kind)
            lesson.minutes = meta.minutes
            lesson.session_minutes = meta.session_minutes
            lesson.objectives = list(meta.objectives)
            lesson.body_markdown = source.body
            lesson.body_html = str(render_markdown(source.body))
            lesson.content_hash = content_hash
            lesson.retired_at = None
        self._set(lesson, "module", module, "lesson")
        self._set(lesson, "position", position, "lesson")

    def _sync_quiz(self, course: Course, module: Module, source: QuizSource, position: int) -> None:
        spec = source.quiz
        settings = spec.model_dump(mode="json", exclude={"questions"})
        content_hash = fingerprint(RENDERER_VERSION, settings)
        quiz = self.quizzes.get(spec.slug)
        if quiz is None:
            quiz = Quiz(course=course, slug=spec.slug)
            session.add(quiz)
            self.quizzes[spec.slug] = quiz
            self.report.created["quiz"] += 1
        elif quiz.content_hash != content_hash or quiz.is_retired:
            self.report.mark_updated("quiz", quiz)
        if quiz.content_hash != content_hash or quiz.is_retired:
            quiz.title = spec.title
            # Shown on the quiz page, .../courses/<slug>/quizzes/<quiz>
            quiz.description_html = str(render_markdown(spec.description or "", course_url=".."))
            quiz.pass_mark = spec.pass_mark
            quiz.max_attempts = spec.attempts
            quiz.time_limit_minutes = spec.time_limit_minutes
            quiz.shuffle = spec.shuffle
            quiz.score_rule = ScoreRule(spec.score_rule)
            quiz.review_policy = spec.review.model_dump(mode="json")
            quiz.summative = spec.summative
            quiz.draw = spec.draw
            quiz.resubmissions = spec.resubmissions
            quiz.content_hash = content_hash
            quiz.retired_at = None
        self._set(quiz, "module", module, "quiz")
        self._set(quiz, "position", position, "quiz")
        self._sync_questions(quiz, spec.questions)

    def _sync_evaluation(
        self, course: Course, module: Module, source: EvaluationSource, position: int
    ) -> None:
        spec = source.evaluation
        content_hash = fingerprint(RENDERER_VERSION, spec.model_dump(mode="json"))
        evaluation = self.evaluations.get(spec.slug)
        if evaluation is None:
            evaluation = Evaluation(course=course, slug=spec.slug)
            session.add(evaluation)
            self.evaluations[spec.slug] = evaluation
            self.report.created["evaluation"] += 1
        elif evaluation.content_hash != content_hash or evaluation.is_retired:
            self.report.mark_updated("evaluation", evaluation)
        if evaluation.content_hash != content_hash or evaluation.is_retired:
            evaluation.title = spec.title
            evaluation.description_html = str(
                render_markdown(spec.description or "", course_url="..")
            )
            evaluation.minutes = spec.minutes
            # Answers are kept by question slug, so questions are replaced, not versioned.
            evaluation.questions = [
                EvaluationQuestion(
                    slug=question.slug,
                    position=index,
                    type=question.type,
                    prompt=unwrap(question.prompt),
                    options=list(getattr(question, "options", [])),
                    required=question.required,
                )
                for index, question in enumerate(spec.questions)
            ]
            evaluation.content_hash = content_hash
            evaluation.retired_at = None
        self._set(evaluation, "module", module, "evaluation")
        self._set(evaluation, "position", position, "evaluation")

    def _sync_pages(self, course: Course, sources: list[PageSource]) -> None:
        """Course pages hold no learner data: kept in step with the files, deleted when gone."""
        existing = {page.slug: page for page in course.pages}
        pages = []
        for position, source in enumerate(sources):
            content_hash = fingerprint(RENDERER_VERSION, source.meta.model_dump(), source.body)
            page = existing.pop(source.meta.slug, None)
            if page is None:
                page = CoursePage(slug=source.meta.slug, content_hash="")
                self.report.created["page"] += 1
            elif page.content_hash != content_hash or page.position != position:
                self.report.mark_updated("page", page)
            if page.content_hash != content_hash:
                page.title = source.meta.title
                # Shown at .../courses/<slug>/pages/<page>
                page.body_html = str(render_markdown(source.body, course_url=".."))
                page.content_hash = content_hash
            page.position = position
            pages.append(page)
        if existing:
            self.report.deleted["page"] += len(existing)
        course.pages = pages

    def _sync_questions(self, quiz: Quiz, specs: list[schema.AnyQuestion]) -> None:
        existing = {question.slug: question for question in quiz.questions}
        for position, spec in enumerate(specs):
            question = existing.pop(spec.slug, None)
            if question is None:
                question = Question(slug=spec.slug, position=position, current_version=1)
                question.versions.append(build_version(spec, number=1))
                quiz.questions.append(question)
                self.report.created["question"] += 1
                continue
            current = question.versions[-1] if question.versions else None
            if current is None or current.content_hash != spec.content_hash():
                number = (current.number + 1) if current else 1
                question.versions.append(build_version(spec, number=number))
                question.current_version = number
                self.report.created["question version"] += 1
            if question.is_retired:
                question.retired_at = None
                self.report.mark_updated("question", question)
            self._set(question, "position", position, "question")
        for question in existing.values():
            self._remove(question, "question", _question_has_answers(question))


def unwrap(text: str) -> str:
    """Plain text as authors wrap it in YAML: lines of a paragraph joined, paragraphs kept."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def in_random_storage_order(choices: list[Choice]) -> list[Choice]:
    """The choices in a random order, which is the order their rows are inserted and so
    numbered: choice ids follow neither the file's order nor which choice is right
    (authors often write the right one first). `position` keeps the order the author
    wrote, which is the order shown (`QuestionVersion.choices` is ordered by it, once
    loaded again from the database)."""
    shuffled = list(choices)
    secrets.SystemRandom().shuffle(shuffled)
    return shuffled


def build_version(spec: schema.AnyQuestion, number: int) -> QuestionVersion:
    """A `QuestionVersion` (with its choices or rubric) from a question in a quiz file."""
    settings: dict[str, Any] = {}
    choices: list[schema.Choice] = []
    rubric: list[schema.RubricCriterion] = []
    match spec:
        case schema.SingleChoiceQuestion() | schema.MultipleChoiceQuestion():
            choices = spec.choices
        case schema.TrueFalseQuestion():
            settings = {"answer": spec.answer}
        case schema.ShortAnswerQuestion():
            settings = {"accepted": list(spec.accepted)}
        case schema.NumericQuestion():
            settings = {"answer": spec.answer, "tolerance": spec.tolerance}
        case schema.EssayQuestion():
            settings = {"min_words": spec.min_words, "max_words": spec.max_words}
            rubric = spec.rubric
    return QuestionVersion(
        number=number,
        type=QuestionType(spec.type),
        prompt=unwrap(spec.prompt),
        points=Decimal(spec.max_points),
        feedback=unwrap(spec.feedback),
        source=spec.source,
        objective=spec.objective,
        settings=settings,
        content_hash=spec.content_hash(),
        choices=in_random_storage_order(
            [
                Choice(position=i, text=c.text.strip(), is_correct=c.correct, feedback=c.feedback)
                for i, c in enumerate(choices)
            ]
        ),
        rubric=[
            RubricCriterion(
                position=i,
                title=c.criterion,
                description=c.description or "",
                points=c.points,
                levels={str(score): text.strip() for score, text in (c.levels or {}).items()},
            )
            for i, c in enumerate(rubric)
        ],
    )


def _exists(statement: sa.Select[Any]) -> bool:
    return bool(session.scalar(sa.select(statement.exists())))


def _lesson_has_learner_data(lesson: Lesson) -> bool:
    if lesson.id is None:
        return False
    return _exists(sa.select(LessonProgress.id).where(LessonProgress.lesson_id == lesson.id))


def _quiz_has_learner_data(quiz: Quiz) -> bool:
    if quiz.id is None:
        return False
    return _exists(sa.select(Attempt.id).where(Attempt.quiz_id == quiz.id))


def _module_has_learner_data(module: Module) -> bool:
    evaluations = sa.select(Evaluation.id).where(Evaluation.module_id == module.id)
    if _exists(
        sa.select(EvaluationSubmission.id).where(
            EvaluationSubmission.evaluation_id.in_(evaluations)
        )
    ):
        return True
    return _exists(
        sa.select(LessonProgress.id)
        .join(Lesson, LessonProgress.lesson_id == Lesson.id)
        .where(Lesson.module_id == module.id)
    ) or _exists(
        sa.select(Attempt.id)
        .join(Quiz, Attempt.quiz_id == Quiz.id)
        .where(Quiz.module_id == module.id)
    )


def _evaluation_has_submissions(evaluation: Evaluation) -> bool:
    if evaluation.id is None:
        return False
    return _exists(
        sa.select(EvaluationSubmission.id).where(
            EvaluationSubmission.evaluation_id == evaluation.id
        )
    )


def _question_has_answers(question: Question) -> bool:
    if question.id is None:
        return False
    return _exists(
        sa.select(Answer.id)
        .join(QuestionVersion, Answer.question_version_id == QuestionVersion.id)
        .where(QuestionVersion.question_id == question.id)
    )
