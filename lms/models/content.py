"""What a course says: courses, modules, lessons, quizzes, questions and their versions.

Content is loaded from files by `lms courses sync` and matched by slug. Nothing here
knows how a course is offered (see `offerings`). Rows that learners have used are retired
(`retired_at`), never deleted, and a question's wording lives in numbered versions so an
attempt always shows what was asked.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.database import Base, UTCDateTime, enum_type, utcnow
from lms.models.enums import LessonKind, QuestionType, ScoreRule, Track

if TYPE_CHECKING:
    from lms.models.media import CourseImage

SLUG = sa.String(100)
HASH = sa.String(64)


class Retirable:
    """A row hidden from new learners but kept because learners' records point at it."""

    retired_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class Course(Retirable, Base):
    __tablename__ = "lms_course"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(SLUG, unique=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    track: so.Mapped[Track] = so.mapped_column(enum_type(Track))
    audience: so.Mapped[str] = so.mapped_column(sa.String(200))
    summary: so.Mapped[str] = so.mapped_column(sa.Text)
    description_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    disclaimer: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    estimated_hours: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(6, 2))
    ce_hours: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(6, 2))
    instructional_level: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    #: Course outcomes, {id: text}; questions name the one they assess.
    objectives: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON, default=dict)
    #: The course file's `ce` block (provider, disclosure, credit, dates; lms.ce.details
    #: reads it), or None when the course gives no CE credit.
    ce: so.Mapped[dict[str, Any] | None] = so.mapped_column(sa.JSON)
    #: The CE block's `information` Markdown, rendered.
    ce_information_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: Lessons open one after another, each when the previous one is complete.
    sequential: so.Mapped[bool] = so.mapped_column(default=False)
    #: {"lessons": "all"|"none", "quizzes": "all"|"none"|[slug, ...]}
    completion_rule: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    position: so.Mapped[int] = so.mapped_column(default=0)
    content_hash: so.Mapped[str] = so.mapped_column(HASH, default="")
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    modules: so.Mapped[list[Module]] = so.relationship(
        back_populates="course", order_by="Module.position", cascade="all, delete-orphan"
    )
    pages: so.Mapped[list[CoursePage]] = so.relationship(
        back_populates="course", order_by="CoursePage.position", cascade="all, delete-orphan"
    )
    #: The picture on its cards (course.yml `image:`); its bytes load only when served.
    image: so.Mapped[CourseImage | None] = so.relationship(cascade="all, delete-orphan")


class CoursePage(Base):
    """A course-level page (references, glossary): read any time, no progress kept."""

    __tablename__ = "lms_course_page"
    __table_args__ = (sa.UniqueConstraint("course_id", "slug"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    course_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_course.id"))
    slug: so.Mapped[str] = so.mapped_column(SLUG)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    position: so.Mapped[int] = so.mapped_column(default=0)
    body_html: so.Mapped[str] = so.mapped_column(sa.Text)
    content_hash: so.Mapped[str] = so.mapped_column(HASH)

    course: so.Mapped[Course] = so.relationship(back_populates="pages")


class Module(Retirable, Base):
    __tablename__ = "lms_module"
    __table_args__ = (sa.UniqueConstraint("course_id", "slug"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    course_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_course.id"), index=True)
    slug: so.Mapped[str] = so.mapped_column(SLUG)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    position: so.Mapped[int] = so.mapped_column(default=0)
    #: Cohort runs: the week it belongs to (1-based); the calendar is generated from it.
    week: so.Mapped[int | None]
    #: Self-paced runs: days after enrolment before the module opens.
    release_after_days: so.Mapped[int | None]

    course: so.Mapped[Course] = so.relationship(back_populates="modules")
    lessons: so.Mapped[list[Lesson]] = so.relationship(
        back_populates="module", order_by="Lesson.position", cascade="all, delete-orphan"
    )
    quizzes: so.Mapped[list[Quiz]] = so.relationship(
        back_populates="module", order_by="Quiz.position", cascade="all, delete-orphan"
    )
    evaluations: so.Mapped[list[Evaluation]] = so.relationship(
        back_populates="module", order_by="Evaluation.position", cascade="all, delete-orphan"
    )


class Lesson(Retirable, Base):
    __tablename__ = "lms_lesson"
    __table_args__ = (sa.UniqueConstraint("course_id", "slug"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    course_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_course.id"))
    module_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_module.id"), index=True)
    slug: so.Mapped[str] = so.mapped_column(SLUG)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    kind: so.Mapped[LessonKind] = so.mapped_column(enum_type(LessonKind), default=LessonKind.LESSON)
    minutes: so.Mapped[int]
    #: Live sessions: the session's own length in minutes.
    session_minutes: so.Mapped[int | None]
    objectives: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    #: Position within the module; lessons and quizzes share one sequence.
    position: so.Mapped[int] = so.mapped_column(default=0)
    body_markdown: so.Mapped[str] = so.mapped_column(sa.Text)
    #: Sanitised HTML, rendered once per content version by sync, not on every view.
    body_html: so.Mapped[str] = so.mapped_column(sa.Text)
    content_hash: so.Mapped[str] = so.mapped_column(HASH)

    course: so.Mapped[Course] = so.relationship()
    module: so.Mapped[Module] = so.relationship(back_populates="lessons")


class Quiz(Retirable, Base):
    __tablename__ = "lms_quiz"
    __table_args__ = (sa.UniqueConstraint("course_id", "slug"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    course_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_course.id"))
    module_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_module.id"), index=True)
    slug: so.Mapped[str] = so.mapped_column(SLUG)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    description_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    position: so.Mapped[int] = so.mapped_column(default=0)
    #: Percent of the attempt's points needed to pass (0-100).
    pass_mark: so.Mapped[int]
    max_attempts: so.Mapped[int | None]
    time_limit_minutes: so.Mapped[int | None]
    shuffle: so.Mapped[bool] = so.mapped_column(default=False)
    score_rule: so.Mapped[ScoreRule] = so.mapped_column(
        enum_type(ScoreRule), default=ScoreRule.BEST
    )
    #: {"score"|"correctness"|"answers"|"feedback": "after_each_attempt"|
    #: "after_passing_or_last_attempt"|"never"} (lms.quizzes.review reads older shapes too)
    review_policy: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    #: A final assessment (its feedback never shows before its answers).
    summative: so.Mapped[bool] = so.mapped_column(default=False)
    #: Questions drawn per attempt from the quiz's questions; None: all of them.
    draw: so.Mapped[int | None]
    #: Times an essay may be returned for revision; None: no limit.
    resubmissions: so.Mapped[int | None]
    content_hash: so.Mapped[str] = so.mapped_column(HASH)

    course: so.Mapped[Course] = so.relationship()
    module: so.Mapped[Module] = so.relationship(back_populates="quizzes")
    questions: so.Mapped[list[Question]] = so.relationship(
        back_populates="quiz", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(Retirable, Base):
    """A question's identity within its quiz; its wording lives in `QuestionVersion`."""

    __tablename__ = "lms_question"
    __table_args__ = (sa.UniqueConstraint("quiz_id", "slug"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    quiz_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_quiz.id"))
    slug: so.Mapped[str] = so.mapped_column(SLUG)
    position: so.Mapped[int] = so.mapped_column(default=0)
    #: The number of the version new attempts use.
    current_version: so.Mapped[int] = so.mapped_column(default=1)

    quiz: so.Mapped[Quiz] = so.relationship(back_populates="questions")
    versions: so.Mapped[list[QuestionVersion]] = so.relationship(
        back_populates="question", order_by="QuestionVersion.number", cascade="all, delete-orphan"
    )


class QuestionVersion(Base):
    """The exact wording, choices, key and points of a question at one point in time."""

    __tablename__ = "lms_question_version"
    __table_args__ = (sa.UniqueConstraint("question_id", "number"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    question_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_question.id"))
    number: so.Mapped[int]
    type: so.Mapped[QuestionType] = so.mapped_column(enum_type(QuestionType))
    prompt: so.Mapped[str] = so.mapped_column(sa.Text)
    points: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(8, 2))
    feedback: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: The article section the answer rests on.
    source: so.Mapped[str] = so.mapped_column(sa.String(200))
    #: The course objective it assesses (an id of `Course.objectives`).
    objective: so.Mapped[str | None] = so.mapped_column(SLUG)
    #: Type-specific key: accepted answers, numeric value and tolerance, word limits.
    settings: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    content_hash: so.Mapped[str] = so.mapped_column(HASH)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    question: so.Mapped[Question] = so.relationship(back_populates="versions")
    choices: so.Mapped[list[Choice]] = so.relationship(
        back_populates="question_version", order_by="Choice.position", cascade="all, delete-orphan"
    )
    rubric: so.Mapped[list[RubricCriterion]] = so.relationship(
        back_populates="question_version",
        order_by="RubricCriterion.position",
        cascade="all, delete-orphan",
    )


class Choice(Base):
    __tablename__ = "lms_choice"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    question_version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("lms_question_version.id"), index=True
    )
    position: so.Mapped[int]
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    is_correct: so.Mapped[bool] = so.mapped_column(default=False)
    feedback: so.Mapped[str | None] = so.mapped_column(sa.Text)

    question_version: so.Mapped[QuestionVersion] = so.relationship(back_populates="choices")


class RubricCriterion(Base):
    __tablename__ = "lms_rubric_criterion"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    question_version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("lms_question_version.id"), index=True
    )
    position: so.Mapped[int]
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    points: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(8, 2))
    #: What each score means: {"0": "...", "1": "...", ...}; empty when not described.
    levels: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON, default=dict)

    question_version: so.Mapped[QuestionVersion] = so.relationship(back_populates="rubric")

    def level(self, points: Decimal | int | float | None) -> str | None:
        """The descriptor of a score, when the rubric describes it."""
        if points is None or Decimal(str(points)) != Decimal(str(points)).to_integral_value():
            return None
        return self.levels.get(str(int(Decimal(str(points)))))


class Evaluation(Retirable, Base):
    """A course evaluation form: not graded; answers kept apart from who gave them."""

    __tablename__ = "lms_evaluation"
    __table_args__ = (sa.UniqueConstraint("course_id", "slug"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    course_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_course.id"))
    module_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_module.id"), index=True)
    slug: so.Mapped[str] = so.mapped_column(SLUG)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    description_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    position: so.Mapped[int] = so.mapped_column(default=0)
    minutes: so.Mapped[int] = so.mapped_column(default=5)
    content_hash: so.Mapped[str] = so.mapped_column(HASH)

    course: so.Mapped[Course] = so.relationship()
    module: so.Mapped[Module] = so.relationship(back_populates="evaluations")
    questions: so.Mapped[list[EvaluationQuestion]] = so.relationship(
        back_populates="evaluation",
        order_by="EvaluationQuestion.position",
        cascade="all, delete-orphan",
    )


class EvaluationQuestion(Base):
    __tablename__ = "lms_evaluation_question"
    __table_args__ = (sa.UniqueConstraint("evaluation_id", "slug"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    evaluation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_evaluation.id"))
    slug: so.Mapped[str] = so.mapped_column(SLUG)
    position: so.Mapped[int] = so.mapped_column(default=0)
    #: likert | single | text
    type: so.Mapped[str] = so.mapped_column(sa.String(16))
    prompt: so.Mapped[str] = so.mapped_column(sa.Text)
    options: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    required: so.Mapped[bool] = so.mapped_column(default=True)

    evaluation: so.Mapped[Evaluation] = so.relationship(back_populates="questions")
