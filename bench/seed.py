"""Seed realistic benchmark data into a database: `python -m bench.seed --size M --db URL`.

Sizes S, M and L are 100, 1,000 and 10,000 learners. What a size holds:

- both bundled courses, synced as `lms courses sync` does (`lms.migrate.upgrade()` first);
- an admin; an instructor per cohort (assigned to it); an instructor of the self-paced
  course's learners (`lms_course_instructor`);
- the learners (`Account` + `Profile`; one shared password hash, see `PASSWORD`), each in
  one cohort of the cohort course: cohorts of 200 (S: one cohort of 100, M: five of 200,
  L: fifty of 200), started 1 to 6 weeks ago, so that different weeks are open; each
  cohort has its calendar and a live session per week, with attendance taken for the
  sessions held;
- self-paced enrolments in the self-paced course for 7 learners in 10 (learner numbers
  ending in 0-6), at every stage from just enrolled to complete with a certificate;
- reading progress, and quiz attempts with an answer per question: knowledge checks graded
  (one to three attempts), reflections (essays) awaiting grading, some with draft grades
  and, in earlier weeks, most with released grades (and the notifications they sent);
  some attempts still open;
- optionally a "pool" of extra self-paced learners (`--pool N`, not counted in the size)
  for `bench.perf`: every lesson complete, every quiz submitted once, and an open attempt
  with saved answers at each of the 7 untimed knowledge checks, so that autosaves and
  submits can be measured on fresh attempts.

The data is deterministic (a fixed random seed); dates are relative to the day it runs.
Rows are written in bulk with SQLAlchemy Core (`insert()` with lists of rows and ids
allocated here), a few thousand at a time, so L seeds in about a minute or two.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from werkzeug.security import generate_password_hash

import lms.models as m
from lms import create_app, migrate
from lms.cohorts.calendar import module_dates
from lms.config import normalise_database_url
from lms.content.loader import load_courses
from lms.content.sync import sync_courses
from lms.database import session
from lms.learning.progress import load_course
from lms.quizzes.grading import passes
from lms.quizzes.types import question_type
from lms.resources import bundled_courses_dir

SIZES = {"S": 100, "M": 1_000, "L": 10_000}
COHORT_SIZE = 200
RANDOM_SEED = 20261127
#: Every seeded account's password. They share one hash made with a low work factor
#: (pbkdf2, 1,000 rounds), so that the benchmark's sign-ins (not measured) are quick.
PASSWORD = "bench seed password"  # noqa: S105
ADMIN_EMAIL = "admin@bench.example"
SELF_PACED_INSTRUCTOR = "self-paced-instructor@bench.example"
#: Rows buffered per table before they are written.
CHUNK = 5_000
#: How many days ago each cohort started (cycled): cohort 1 has all five weeks open.
COHORT_STARTS = [29, 15, 36, 8, 22, 43, 1]
COHORT_ZONES = ["UTC", "America/New_York", "Europe/London", "America/Los_Angeles", "UTC"]
PROFESSIONS = [m.Profession.THERAPIST] * 6 + [
    m.Profession.NURSE,
    m.Profession.PHYSICIAN,
    m.Profession.GUIDE,
    m.Profession.COACH,
]
FIRST = str.split("Ada Ben Cleo Dev Esme Farid Gita Hugo Ines Jon Kemi Luis Mara Noor Omar Pia")
LAST = str.split("Abbott Byrne Chen Diaz Evans Fofana Garcia Haddad Ito Jensen Khan Lopez Moreau")
WORDS = str.split(
    "client relationship ketamine anxiety session integration safety consent trust body "
    "breath fear curiosity setting preparation prescriber scope culture trauma informed care "
    "notice pause reflect meaning story support follow-up boundaries team protocol honest "
    "listen explore feeling memory shift dissociation grounding practice supervision ethics "
    "collaborate invite name uncertainty hope expectation language evidence research"
)
FEEDBACK = [
    "Thoughtful and honest; the scope section could say more about the prescriber's role.",
    "Clear relational focus. Ground the history in the course's facts a little more.",
    "Good use of the vignette. Consider how consent is revisited during the session.",
]


# -- content, as plain facts -------------------------------------------------------------------


@dataclass
class QuizFacts:
    id: int
    slug: str
    pass_mark: int
    max_attempts: int | None
    time_limit: int | None
    shuffle: bool
    versions: list[m.QuestionVersion]  # current versions, in question order
    max_score: Decimal
    has_essay: bool


@dataclass
class ModuleFacts:
    id: int
    slug: str
    week: int | None
    lessons: list[tuple[int, str, m.LessonKind]]  # (id, slug, kind)
    quizzes: list[QuizFacts]
    items: list[tuple[str, Any]]  # ("lesson", (id, slug, kind)) or ("quiz", QuizFacts), in order


@dataclass
class CourseFacts:
    id: int
    slug: str
    title: str
    ce_hours: Decimal
    modules: list[ModuleFacts]

    @property
    def items(self) -> list[tuple[str, Any]]:
        return [item for module in self.modules for item in module.items]


def course_facts(course_id: int) -> CourseFacts:
    course = load_course(course_id)
    quizzes = {
        quiz.id: quiz
        for quiz in session.scalars(
            sa.select(m.Quiz)
            .where(m.Quiz.course_id == course_id)
            .options(
                so.selectinload(m.Quiz.questions)
                .selectinload(m.Question.versions)
                .selectinload(m.QuestionVersion.choices),
                so.selectinload(m.Quiz.questions)
                .selectinload(m.Question.versions)
                .selectinload(m.QuestionVersion.rubric),
            )
        )
    }
    modules = []
    for module in course.modules:
        if module.is_retired:
            continue
        lessons = [(x.id, x.slug, x.kind) for x in module.lessons if not x.is_retired]
        facts = []
        for quiz in module.quizzes:
            if quiz.is_retired:
                continue
            versions = [
                next(v for v in q.versions if v.number == q.current_version)
                for q in quizzes[quiz.id].questions
                if not q.is_retired and q.versions
            ]
            facts.append(
                QuizFacts(
                    quiz.id,
                    quiz.slug,
                    quiz.pass_mark,
                    quiz.max_attempts,
                    quiz.time_limit_minutes,
                    quiz.shuffle,
                    versions,
                    sum((v.points for v in versions), Decimal(0)),
                    any(not question_type(v).auto_graded for v in versions),
                )
            )
        positions = {("lesson", x.id): x.position for x in module.lessons}
        positions |= {("quiz", q.id): q.position for q in module.quizzes}
        items: list[tuple[str, Any]] = [("lesson", lesson) for lesson in lessons]
        items += [("quiz", quiz) for quiz in facts]
        items.sort(
            key=lambda item: positions[(item[0], item[1][0] if item[0] == "lesson" else item[1].id)]
        )
        modules.append(ModuleFacts(module.id, module.slug, module.week, lessons, facts, items))
    return CourseFacts(course.id, course.slug, course.title, course.ce_hours, modules)


# -- writing rows in bulk ------------------------------------------------------------------------

#: Parents before children, so foreign keys hold at every flush.
TABLE_ORDER = [
    m.Account.__table__,
    m.Profile.__table__,
    m.Cohort.__table__,
    m.cohort_instructor,
    m.course_instructor,
    m.CohortModule.__table__,
    m.LiveSession.__table__,
    m.Enrolment.__table__,
    m.LessonProgress.__table__,
    m.Attempt.__table__,
    m.Answer.__table__,
    m.Grade.__table__,
    m.Attendance.__table__,
    m.Notification.__table__,
    m.Certificate.__table__,
]


class Writer:
    """Buffers rows per table, allocates ids, and writes them with Core bulk inserts."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in TABLE_ORDER}
        self.next_id: dict[str, int] = {}
        self.counts: Counter[str] = Counter()
        for table in TABLE_ORDER:
            if "id" in table.c:
                top = connection.scalar(sa.select(sa.func.max(table.c.id)))
                self.next_id[table.name] = (top or 0) + 1

    def add(self, table: sa.Table, **row: Any) -> int:
        """Buffer one row (its id allocated here when the table has one); returns the id."""
        if table.name in self.next_id:
            row["id"] = self.next_id[table.name]
            self.next_id[table.name] += 1
        self.rows[table.name].append(row)
        if sum(len(rows) for rows in self.rows.values()) >= CHUNK:
            self.flush()
        return row.get("id", 0)

    def flush(self) -> None:
        for table in TABLE_ORDER:
            rows = self.rows[table.name]
            if rows:
                self.connection.execute(table.insert(), rows)
                self.counts[table.name] += len(rows)
                self.rows[table.name] = []

    def finish(self) -> None:
        self.flush()
        if self.connection.dialect.name == "postgresql":
            for table in TABLE_ORDER:  # ids were given explicitly: move the sequences on
                if "id" in table.c:
                    self.connection.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                            f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))"
                        )
                    )


# -- the seed ---------------------------------------------------------------------------------


@dataclass
class PoolLearner:
    email: str
    #: [{"id": attempt id, "quiz": its quiz's slug, "autosave": JSON body saving every
    #: answer}, ...]
    attempts: list[dict[str, Any]]


@dataclass
class SeedInfo:
    """What was seeded, and what `bench.perf` and the query-budget tests need to find."""

    learners: int
    password: str
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    admin: str = ADMIN_EMAIL
    self_paced_instructor: str = SELF_PACED_INSTRUCTOR
    cohort_course: str = ""
    self_paced_course: str = ""
    #: [{"id", "name", "learners", "instructor", "open_weeks"}, ...], cohort 1 first.
    cohorts: list[dict[str, Any]] = field(default_factory=list)
    #: Learners of the first cohort who also take the self-paced course (dashboards).
    cohort_learners: list[str] = field(default_factory=list)
    #: Lesson pages open to every learner of the first cohort (weeks 1 and 2, not live).
    lesson_paths: list[str] = field(default_factory=list)
    pool: list[PoolLearner] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


class Seeder:
    def __init__(self, writer: Writer, rng: random.Random, now: datetime) -> None:
        self.w, self.rng, self.now = writer, rng, now
        self.hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        self.t = {t.name: t for t in TABLE_ORDER}

    # people ------------------------------------------------------------------------------

    def person(
        self,
        email: str,
        name: str,
        role: m.Role,
        profession: m.Profession | None = None,
        timezone: str = "UTC",
        created_at: datetime | None = None,
    ) -> int:
        created_at = created_at or self.now - timedelta(days=200)
        account_id = self.w.add(
            self.t["lms_account"],
            email=email,
            name=name,
            password_hash=self.hash,
            active=True,
            session_version=1,
            created_at=created_at,
        )
        therapist = profession is m.Profession.THERAPIST
        return self.w.add(
            self.t["lms_profile"],
            user_id=str(account_id),
            email=email,
            display_name=name,
            role=role,
            profession=profession,
            licence_type="LPC" if therapist else None,
            licence_number=f"LPC-{account_id:06d}" if therapist else None,
            timezone=timezone,
            created_at=created_at,
        )

    def name(self, index: int) -> str:
        return f"{FIRST[index % len(FIRST)]} {LAST[(index // len(FIRST)) % len(LAST)]} {index}"

    # attempts ----------------------------------------------------------------------------

    def layout(self, quiz: QuizFacts) -> list[dict[str, Any]]:
        versions = list(quiz.versions)
        if quiz.shuffle:
            self.rng.shuffle(versions)
        layout = []
        for version in versions:
            ids = [c.id for c in version.choices]
            if quiz.shuffle:
                self.rng.shuffle(ids)
            layout.append({"version_id": version.id, "choice_ids": ids})
        return layout

    def response(self, version: m.QuestionVersion, right: bool) -> Any:
        """A response in the type's stored shape, right or wrong as asked."""
        kind, settings = version.type, version.settings
        choices = [c.id for c in version.choices]
        correct = [c.id for c in version.choices if c.is_correct]
        if kind is m.QuestionType.SINGLE:
            wrong = [c for c in choices if c not in correct]
            return correct[0] if right or not wrong else self.rng.choice(wrong)
        if kind is m.QuestionType.MULTIPLE:
            if right:
                return sorted(correct)
            flipped = self.rng.choice(choices)
            return sorted(set(correct) ^ {flipped})
        if kind is m.QuestionType.TRUE_FALSE:
            return bool(settings.get("answer")) == right
        if kind is m.QuestionType.SHORT_ANSWER:
            accepted = settings.get("accepted") or ["answer"]
            return accepted[0] if right else "not sure"
        if kind is m.QuestionType.NUMERIC:
            answer = Decimal(str(settings.get("answer", 0)))
            value = answer if right else answer + Decimal(str(settings.get("tolerance") or 0)) + 7
            return int(value) if value == value.to_integral_value() else float(value)
        return self.essay()

    def essay(self) -> str:
        words = [self.rng.choice(WORDS) for _ in range(self.rng.randint(160, 320))]
        sentences = [
            " ".join(words[i : i + 12]).capitalize() + "." for i in range(0, len(words), 12)
        ]
        return " ".join(sentences)

    def attempt(
        self,
        quiz: QuizFacts,
        profile_id: int,
        number: int,
        started_at: datetime,
        *,
        skill: float,
        submit: bool = True,
        grade: str = "none",  # essays: "none", "draft" or "released"
        grader_id: int | None = None,
    ) -> tuple[int, bool | None, list[dict[str, Any]]]:
        """One attempt with an answer per question; returns (id, passed, layout)."""
        layout = self.layout(quiz)
        by_id = {v.id: v for v in quiz.versions}
        submitted_at = started_at + timedelta(minutes=self.rng.randint(4, 40)) if submit else None
        deadline = started_at + timedelta(minutes=quiz.time_limit) if quiz.time_limit else None
        if deadline and submitted_at and submitted_at > deadline:
            submitted_at = deadline
        answers, total, essays_released = [], Decimal(0), True
        rubric_scores: dict[int, dict[str, int]] = {}
        for item in layout:
            version = by_id[item["version_id"]]
            auto = question_type(version).auto_graded
            answered = self.rng.random() < (0.97 if submit else 0.6) or not auto
            response = self.response(version, self.rng.random() < skill) if answered else None
            row: dict[str, Any] = {
                "question_version_id": version.id,
                "response": response,
                "saved_at": (submitted_at or started_at + timedelta(minutes=3)),
                "score": None,
                "is_correct": None,
                "revision": 1,
                "returned_at": None,
            }
            if submit and auto:
                result = question_type(version).grade(version, response)
                row["score"], row["is_correct"] = result.score, result.is_correct
                total += result.score or 0
            if submit and not auto and grade != "none":
                rubric_scores[version.id] = {
                    str(c.id): max(int(c.points) - self.rng.choice([0, 0, 1, 1, 2]), 0)
                    for c in version.rubric
                }
            if submit and not auto:
                if grade == "released":
                    row["score"] = Decimal(sum(rubric_scores[version.id].values()))
                    total += row["score"]
                else:
                    essays_released = False
            answers.append(row)
        if not submit:
            status, score, passed = m.AttemptStatus.IN_PROGRESS, None, None
        elif quiz.has_essay and not essays_released:
            status, score, passed = m.AttemptStatus.AWAITING_GRADING, None, None
        else:
            status, score = m.AttemptStatus.GRADED, total
            passed = passes(total, quiz.max_score, quiz.pass_mark)
        attempt_id = self.w.add(
            self.t["lms_attempt"],
            quiz_id=quiz.id,
            profile_id=profile_id,
            number=number,
            status=status,
            started_at=started_at,
            deadline_at=deadline,
            submitted_at=submitted_at,
            score=score,
            max_score=quiz.max_score,
            passed=passed,
            layout=layout,
        )
        for row in answers:
            answer_id = self.w.add(self.t["lms_answer"], attempt_id=attempt_id, **row)
            version = by_id[row["question_version_id"]]
            if version.id in rubric_scores:
                self.grade(answer_id, rubric_scores[version.id], grade, grader_id, submitted_at)
        if grade == "released" and quiz.has_essay and submit:
            read = self.now - timedelta(days=1) if self.rng.random() < 0.7 else None
            self.w.add(
                self.t["lms_notification"],
                profile_id=profile_id,
                message="Your reflection has feedback from your instructor.",
                link=f"/attempts/{attempt_id}/review",
                created_at=min(submitted_at + timedelta(days=2), self.now),  # type: ignore[operator]
                read_at=read,
            )
        return attempt_id, passed, layout

    def grade(
        self,
        answer_id: int,
        scores: dict[str, int],
        status: str,
        grader_id: int | None,
        submitted_at: datetime | None,
    ) -> None:
        """An instructor's grade of an essay (rubric points per criterion), draft or released."""
        assert grader_id is not None
        assert submitted_at is not None
        total = Decimal(sum(scores.values()))
        graded_at = min(submitted_at + timedelta(days=1), self.now)
        self.w.add(
            self.t["lms_grade"],
            answer_id=answer_id,
            grader_id=grader_id,
            score=total,
            criterion_scores=scores,
            feedback=self.rng.choice(FEEDBACK),
            status=m.GradeStatus.RELEASED if status == "released" else m.GradeStatus.DRAFT,
            graded_at=graded_at,
            released_at=graded_at if status == "released" else None,
            version=1,
        )

    # a cohort learner --------------------------------------------------------------------

    def cohort_learner(
        self,
        profile_id: int,
        course: CourseFacts,
        cohort: dict[str, Any],
        calendar: dict[int, tuple[datetime, datetime]],
        sessions: dict[int, tuple[int, datetime]],
    ) -> None:
        engagement, skill = self.rng.uniform(0.35, 1.0), self.rng.uniform(0.55, 0.95)
        joined = cohort["starts_at"] - timedelta(days=self.rng.randint(1, 20))
        self.w.add(
            self.t["lms_enrolment"],
            profile_id=profile_id,
            course_id=course.id,
            cohort_id=cohort["id"],
            status=m.EnrolmentStatus.ACTIVE,
            enrolled_at=joined,
            withdrawn_at=None,
            completed_at=None,
            extra_time_percent=0,
            disclosure_acknowledged_at=joined,
        )
        open_modules = [x for x in course.modules if calendar[x.id][0] <= self.now]
        current = open_modules[-1].id if open_modules else None
        for module in open_modules:
            opens_at = calendar[module.id][0]
            latest = module.id == current
            keen = engagement * (0.6 if latest else 1.0)
            session_id, session_at = sessions[module.id]
            attended = session_at < self.now and self.rng.random() < engagement + 0.1
            if session_at < self.now:
                self.w.add(
                    self.t["lms_attendance"],
                    live_session_id=session_id,
                    profile_id=profile_id,
                    status=(
                        self.rng.choice(
                            [m.AttendanceStatus.PRESENT] * 5 + [m.AttendanceStatus.LATE]
                        )
                        if attended
                        else m.AttendanceStatus.ABSENT
                    ),
                    marked_by_id=cohort["instructor_id"],
                    marked_at=session_at + timedelta(hours=2),
                )
            for lesson_id, _slug, kind in module.lessons:
                if kind is m.LessonKind.LIVE_SESSION and self.rng.random() > 0.4:
                    continue
                self.reading(profile_id, lesson_id, opens_at, keen)
            for quiz in module.quizzes:
                started = opens_at + timedelta(
                    days=self.rng.randint(1, 5), minutes=self.rng.randint(0, 600)
                )
                started = min(started, self.now - timedelta(hours=1))
                if quiz.has_essay:
                    self.reflection(quiz, profile_id, started, keen, latest, skill, cohort)
                else:
                    self.check(quiz, profile_id, started, keen, latest, skill)

    def reading(self, profile_id: int, lesson_id: int, opens_at: datetime, keen: float) -> None:
        draw = self.rng.random()
        if draw > keen + 0.15:
            return
        opened = min(
            opens_at + timedelta(hours=self.rng.randint(2, 96)), self.now - timedelta(hours=1)
        )
        done = draw < keen
        self.w.add(
            self.t["lms_lesson_progress"],
            profile_id=profile_id,
            lesson_id=lesson_id,
            first_opened_at=opened,
            last_seen_at=opened + timedelta(minutes=self.rng.randint(3, 25)),
            completed_at=opened + timedelta(minutes=self.rng.randint(3, 25)) if done else None,
            active_seconds=self.rng.randint(120, 1500),
        )

    def check(
        self,
        quiz: QuizFacts,
        profile_id: int,
        started: datetime,
        keen: float,
        latest: bool,
        skill: float,
    ) -> None:
        if self.rng.random() > keen:
            return
        limit = quiz.max_attempts or 3
        for number in range(1, limit + 1):
            open_one = latest and number > 1 and self.rng.random() < 0.2
            _id, passed, _layout = self.attempt(
                quiz, profile_id, number, started, skill=skill, submit=not open_one
            )
            if open_one or passed or self.rng.random() > 0.7:
                return
            started = min(started + timedelta(hours=self.rng.randint(1, 30)), self.now)

    def reflection(
        self,
        quiz: QuizFacts,
        profile_id: int,
        started: datetime,
        keen: float,
        latest: bool,
        skill: float,
        cohort: dict[str, Any],
    ) -> None:
        draw = self.rng.random()
        if draw > keen * (0.4 if latest else 0.9):
            if latest and self.rng.random() < 0.15:  # a draft, still open
                self.attempt(quiz, profile_id, 1, started, skill=skill, submit=False)
            return
        if latest:
            grade = "draft" if self.rng.random() < 0.1 else "none"
        else:
            draw = self.rng.random()
            grade = "released" if draw < 0.65 else "draft" if draw < 0.8 else "none"
        self.attempt(
            quiz,
            profile_id,
            1,
            started,
            skill=skill,
            grade=grade,
            grader_id=cohort["instructor_id"],
        )

    # a self-paced learner ----------------------------------------------------------------

    def self_paced_learner(self, profile_id: int, name: str, course: CourseFacts) -> None:
        skill = self.rng.uniform(0.6, 0.98)
        enrolled = self.now - timedelta(
            days=self.rng.randint(1, 150), hours=self.rng.randint(0, 23)
        )
        items = course.items
        complete = self.rng.random() < 0.15
        reached = len(items) if complete else self.rng.randint(0, len(items) - 1)
        moment = enrolled
        step = (self.now - enrolled) / (len(items) + 1)
        for index, (kind, item) in enumerate(items[: reached + 1]):
            moment = min(moment + step, self.now - timedelta(minutes=30))
            current = index == reached
            if kind == "lesson":
                self.w.add(
                    self.t["lms_lesson_progress"],
                    profile_id=profile_id,
                    lesson_id=item[0],
                    first_opened_at=moment,
                    last_seen_at=moment + timedelta(minutes=12),
                    completed_at=None if current else moment + timedelta(minutes=12),
                    active_seconds=self.rng.randint(120, 1500),
                )
            elif current:
                if item.time_limit is None and self.rng.random() < 0.5:
                    self.attempt(item, profile_id, 1, moment, skill=skill, submit=False)
            else:
                limit = item.max_attempts or 3
                for number in range(1, limit + 1):
                    # The last allowed attempt passes, so that later items stay reachable.
                    sure = complete or number == limit
                    _id, passed, _ = self.attempt(
                        item, profile_id, number, moment, skill=1.0 if sure else skill
                    )
                    if passed:
                        break
                    moment = min(moment + timedelta(hours=2), self.now - timedelta(minutes=30))
        completed_at = moment + timedelta(minutes=20) if complete else None
        enrolment_id = self.w.add(
            self.t["lms_enrolment"],
            profile_id=profile_id,
            course_id=course.id,
            cohort_id=None,
            status=m.EnrolmentStatus.COMPLETED if complete else m.EnrolmentStatus.ACTIVE,
            enrolled_at=enrolled,
            withdrawn_at=None,
            completed_at=completed_at,
            extra_time_percent=0,
            disclosure_acknowledged_at=enrolled,
        )
        if complete:
            code = "".join(self.rng.choice("0123456789ABCDEF") for _ in range(12))
            self.w.add(
                self.t["lms_certificate"],
                enrolment_id=enrolment_id,
                code="-".join(code[i : i + 4] for i in range(0, 12, 4)),
                learner_name=name,
                course_title=course.title,
                ce_hours=course.ce_hours,
                licence=None,
                issued_at=completed_at,
            )

    def pool_learner(self, profile_id: int, email: str, course: CourseFacts) -> PoolLearner:
        """Every lesson complete, every quiz submitted once (failed), and an open attempt
        with every question answered at each untimed quiz."""
        enrolled = self.now - timedelta(days=30)
        self.w.add(
            self.t["lms_enrolment"],
            profile_id=profile_id,
            course_id=course.id,
            cohort_id=None,
            status=m.EnrolmentStatus.ACTIVE,
            enrolled_at=enrolled,
            withdrawn_at=None,
            completed_at=None,
            extra_time_percent=0,
            disclosure_acknowledged_at=enrolled,
        )
        attempts = []
        for kind, item in course.items:
            if kind == "lesson":
                self.w.add(
                    self.t["lms_lesson_progress"],
                    profile_id=profile_id,
                    lesson_id=item[0],
                    first_opened_at=enrolled,
                    last_seen_at=enrolled + timedelta(minutes=10),
                    completed_at=enrolled + timedelta(minutes=10),
                    active_seconds=600,
                )
                continue
            self.attempt(item, profile_id, 1, enrolled + timedelta(days=1), skill=0.0)
            if item.time_limit is not None:
                continue
            started = self.now - timedelta(minutes=5)
            attempt_id, _, layout = self.attempt(
                item, profile_id, 2, started, skill=0.8, submit=False
            )
            by_id = {v.id: v for v in item.versions}
            body = {
                str(entry["version_id"]): self.response(by_id[entry["version_id"]], True)
                for entry in layout
            }
            attempts.append(
                {"id": attempt_id, "quiz": item.slug, "autosave": json.dumps({"answers": body})}
            )
        return PoolLearner(email, attempts)


def populate(
    learners: int,
    *,
    pool: int = 0,
    cohort_size: int = COHORT_SIZE,
    random_seed: int = RANDOM_SEED,
    now: datetime | None = None,
) -> SeedInfo:
    """Seed into the current app's database (tables exist; courses are synced here)."""
    started = time.perf_counter()
    result = load_courses(bundled_courses_dir())
    if not result.ok:
        raise RuntimeError("\n".join(str(p) for p in result.problems))
    sync_courses(result.courses)
    session.commit()
    cohort_course = session.scalar(sa.select(m.Course).where(m.Course.track == m.Track.COHORT))
    paced_course = session.scalar(sa.select(m.Course).where(m.Course.track == m.Track.SELF_PACED))
    assert cohort_course is not None
    assert paced_course is not None
    cohort_facts, paced_facts = course_facts(cohort_course.id), course_facts(paced_course.id)

    now = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    rng = random.Random(random_seed)  # noqa: S311 (reproducible data, not secrets)
    info = SeedInfo(
        learners=learners,
        password=PASSWORD,
        cohort_course=cohort_facts.slug,
        self_paced_course=paced_facts.slug,
    )
    connection = session.connection()
    writer = Writer(connection)
    seeder = Seeder(writer, rng, now)
    admin_id = seeder.person(ADMIN_EMAIL, "Avery Admin", m.Role.ADMIN)
    paced_instructor = seeder.person(SELF_PACED_INSTRUCTOR, "Sam Selfpaced", m.Role.INSTRUCTOR)
    writer.add(m.course_instructor, course_id=paced_facts.id, profile_id=paced_instructor)
    assert admin_id

    # Cohorts, their calendars and live sessions.
    count = max(1, math.ceil(learners / cohort_size))
    cohorts = []
    for number in range(count):
        size = min(cohort_size, learners - number * cohort_size)
        zone = COHORT_ZONES[number % len(COHORT_ZONES)]
        starts_on: date = (now - timedelta(days=COHORT_STARTS[number % len(COHORT_STARTS)])).date()
        email = f"instructor-{number + 1:03d}@bench.example"
        instructor_id = seeder.person(email, f"Instructor {number + 1}", m.Role.INSTRUCTOR)
        cohort_id = writer.add(
            seeder.t["lms_cohort"],
            course_id=cohort_facts.id,
            name=f"Cohort {number + 1} ({starts_on:%-d %b})",
            starts_on=starts_on,
            timezone=zone,
            capacity=cohort_size,
            invite_code=f"bench{number + 1:04d}{rng.randrange(16**6):06x}",
            is_open=True,
            created_at=now - timedelta(days=90),
        )
        writer.add(m.cohort_instructor, cohort_id=cohort_id, profile_id=instructor_id)
        calendar, sessions = {}, {}
        for module in cohort_facts.modules:
            opens_at, due_at = module_dates(starts_on, zone, module.week)
            calendar[module.id] = (opens_at.astimezone(UTC), due_at.astimezone(UTC))
            writer.add(
                seeder.t["lms_cohort_module"],
                cohort_id=cohort_id,
                module_id=module.id,
                opens_at=opens_at,
                due_at=due_at,
            )
            session_at = (opens_at + timedelta(days=3, hours=17)).astimezone(UTC)
            sessions[module.id] = (
                writer.add(
                    seeder.t["lms_live_session"],
                    cohort_id=cohort_id,
                    module_id=module.id,
                    title=f"Week {module.week} live session",
                    starts_at=session_at,
                    duration_minutes=90,
                    location=f"https://meet.example/bench-{number + 1}-{module.week}",
                ),
                session_at,
            )
        open_weeks = sum(1 for opens, _due in calendar.values() if opens <= now)
        cohorts.append(
            {
                "id": cohort_id,
                "instructor_id": instructor_id,
                "starts_at": calendar[cohort_facts.modules[0].id][0],
                "calendar": calendar,
                "sessions": sessions,
                "size": size,
            }
        )
        info.cohorts.append(
            {
                "id": cohort_id,
                "learners": size,
                "instructor": email,
                "open_weeks": open_weeks,
            }
        )

    # Learners: each in one cohort; 7 in 10 also self-paced.
    for index in range(learners):
        cohort = cohorts[index // cohort_size]
        email = f"learner-{index + 1:05d}@bench.example"
        profession = PROFESSIONS[rng.randrange(len(PROFESSIONS))]
        name = seeder.name(index + 1)
        profile_id = seeder.person(
            email,
            name,
            m.Role.LEARNER,
            profession,
            timezone=COHORT_ZONES[(index // cohort_size) % len(COHORT_ZONES)],
            created_at=cohort["starts_at"] - timedelta(days=30),
        )
        seeder.cohort_learner(
            profile_id, cohort_facts, cohort, cohort["calendar"], cohort["sessions"]
        )
        both = index % 10 < 7
        if both:
            seeder.self_paced_learner(profile_id, name, paced_facts)
        if index < cohort_size and both and len(info.cohort_learners) < 50:
            info.cohort_learners.append(email)

    # The pool for measuring autosaves and submits.
    for index in range(pool):
        email = f"pool-{index + 1:05d}@bench.example"
        profile_id = seeder.person(
            email, f"Pool Learner {index + 1}", m.Role.LEARNER, m.Profession.NURSE
        )
        info.pool.append(seeder.pool_learner(profile_id, email, paced_facts))

    writer.finish()
    session.commit()
    info.lesson_paths = [
        f"/courses/{cohort_facts.slug}/lessons/{slug}"
        for module in cohort_facts.modules[:2]
        for _id, slug, kind in module.lessons
        if kind is m.LessonKind.LESSON
    ]
    info.counts = dict(sorted(writer.counts.items()))
    info.seconds = round(time.perf_counter() - started, 1)
    return info


def seed(
    database_url: str,
    learners: int,
    *,
    pool: int = 0,
    cohort_size: int = COHORT_SIZE,
    random_seed: int = RANDOM_SEED,
) -> SeedInfo:
    """Migrate `database_url` (an empty database, or one this script seeded) and seed it."""
    app = create_app(
        {
            "SECRET_KEY": "bench-seed",
            "LMS_BASE_URL": "http://127.0.0.1",
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        }
    )
    with app.app_context():
        started = time.perf_counter()
        migrate.upgrade()
        info = populate(learners, pool=pool, cohort_size=cohort_size, random_seed=random_seed)
        session.remove()
        engine = app.extensions["sqlalchemy"].engine
        if engine.dialect.name == "postgresql":
            # As autovacuum would have by the time a real database holds this much: fresh
            # planner statistics and visibility maps, and no vacuum running mid-benchmark.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        info.seconds = round(time.perf_counter() - started, 1)
        engine.dispose()
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.seed", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--learners", type=int, help="any number of learners (overrides --size)")
    parser.add_argument(
        "--db",
        required=True,
        help="database URL: sqlite:////abs/path.sqlite3 or postgresql://user@host/db "
        "(empty, or seeded before by this script with the same size: rows are added)",
    )
    parser.add_argument("--pool", type=int, default=0, help="extra learners with open attempts")
    parser.add_argument("--info", type=Path, help="write what was seeded (JSON) to this file")
    args = parser.parse_args(argv)
    learners = args.learners or SIZES[args.size]
    info = seed(args.db, learners, pool=args.pool)
    if args.info:
        args.info.write_text(info.to_json())
    total = sum(info.counts.values())
    print(f"Seeded {learners:,} learners ({total:,} rows) in {info.seconds} s", file=sys.stderr)
    for table, rows in info.counts.items():
        print(f"  {table:<24} {rows:>9,}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
