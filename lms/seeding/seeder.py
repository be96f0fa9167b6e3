"""The people of a seeded LMS and what they did: accounts and profiles, cohorts with their
calendar and live sessions, cohort learners week by week (reading, attendance, knowledge
checks, reflections), self-paced learners at every stage, and the benchmark's pool."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from werkzeug.security import generate_password_hash

import lms.models as m
from lms.cohorts.calendar import module_dates
from lms.seeding.attempts import AttemptMaker
from lms.seeding.facts import CourseFacts, QuizFacts
from lms.seeding.writer import Writer

FIRST = str.split("Ada Ben Cleo Dev Esme Farid Gita Hugo Ines Jon Kemi Luis Mara Noor Omar Pia")
LAST = str.split("Abbott Byrne Chen Diaz Evans Fofana Garcia Haddad Ito Jensen Khan Lopez Moreau")
#: The licence printed on the CE certificates of therapists and nurses.
LICENCES = {m.Profession.THERAPIST: "LPC", m.Profession.NURSE: "RN"}


@dataclass
class SeededCohort:
    """A cohort written by `Seeder.cohort`: what its learners' journeys need."""

    id: int
    instructor_id: int
    #: When its first module opened (UTC).
    starts_at: datetime
    #: module id -> (opens_at, due_at), UTC
    calendar: dict[int, tuple[datetime, datetime]]
    #: module id -> (live session id, starts_at UTC)
    sessions: dict[int, tuple[int, datetime]]


class Seeder(AttemptMaker):
    """Every seeded account shares one password hash (made once: hashing is slow on
    purpose, and the benchmark makes thousands of accounts)."""

    def __init__(
        self,
        writer: Writer,
        rng: random.Random,
        now: datetime,
        *,
        password: str,
        hash_method: str = "pbkdf2:sha256:1000",
    ) -> None:
        super().__init__(writer, rng, now)
        self.hash = generate_password_hash(password, method=hash_method)

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
        licence = LICENCES.get(profession) if profession else None
        return self.w.add(
            self.t["lms_profile"],
            user_id=str(account_id),
            email=email,
            display_name=name,
            role=role,
            profession=profession,
            licence_type=licence,
            licence_number=f"{licence}-{account_id:06d}" if licence else None,
            timezone=timezone,
            created_at=created_at,
        )

    def name(self, index: int) -> str:
        return f"{FIRST[index % len(FIRST)]} {LAST[(index // len(FIRST)) % len(LAST)]} {index}"

    def enrolment(
        self,
        profile_id: int,
        course_id: int,
        cohort_id: int | None,
        enrolled_at: datetime,
        completed_at: datetime | None = None,
    ) -> int:
        return self.w.add(
            self.t["lms_enrolment"],
            profile_id=profile_id,
            course_id=course_id,
            cohort_id=cohort_id,
            status=m.EnrolmentStatus.COMPLETED if completed_at else m.EnrolmentStatus.ACTIVE,
            enrolled_at=enrolled_at,
            withdrawn_at=None,
            completed_at=completed_at,
            extra_time_percent=0,
            # Seeded learners are past their course's CE disclosure.
            disclosure_acknowledged_at=enrolled_at,
        )

    # a cohort ----------------------------------------------------------------------------

    def cohort(
        self,
        course: CourseFacts,
        *,
        name: str,
        starts_on: date,
        zone: str,
        capacity: int,
        invite_code: str,
        instructor_id: int,
        meeting_url: str,
    ) -> SeededCohort:
        """A cohort taught by `instructor_id`, its calendar generated as an admin's would
        be, and a live session per module (`meeting_url` with "{week}" in it) on the
        fourth day of its week at 17:00 in the cohort's zone."""
        cohort_id = self.w.add(
            self.t["lms_cohort"],
            course_id=course.id,
            name=name,
            starts_on=starts_on,
            timezone=zone,
            capacity=capacity,
            invite_code=invite_code,
            is_open=True,
            created_at=self.now - timedelta(days=90),
        )
        self.w.add(m.cohort_instructor, cohort_id=cohort_id, profile_id=instructor_id)
        calendar, sessions = {}, {}
        for module in course.modules:
            opens_at, due_at = module_dates(starts_on, zone, module.week)
            calendar[module.id] = (opens_at.astimezone(UTC), due_at.astimezone(UTC))
            self.w.add(
                self.t["lms_cohort_module"],
                cohort_id=cohort_id,
                module_id=module.id,
                opens_at=opens_at,
                due_at=due_at,
            )
            session_at = (opens_at + timedelta(days=3, hours=17)).astimezone(UTC)
            session_id = self.w.add(
                self.t["lms_live_session"],
                cohort_id=cohort_id,
                module_id=module.id,
                title=f"Week {module.week} live session",
                starts_at=session_at,
                duration_minutes=90,
                location=meeting_url.format(week=module.week),
            )
            sessions[module.id] = (session_id, session_at)
        starts_at = calendar[course.modules[0].id][0]
        return SeededCohort(cohort_id, instructor_id, starts_at, calendar, sessions)

    def open_weeks(self, cohort: SeededCohort) -> int:
        return sum(1 for opens, _due in cohort.calendar.values() if opens <= self.now)

    def cohort_learner(
        self,
        profile_id: int,
        course: CourseFacts,
        cohort: SeededCohort,
    ) -> None:
        calendar, sessions = cohort.calendar, cohort.sessions
        engagement, skill = self.rng.uniform(0.35, 1.0), self.rng.uniform(0.55, 0.95)
        joined = cohort.starts_at - timedelta(days=self.rng.randint(1, 20))
        self.enrolment(profile_id, course.id, cohort.id, joined)
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
                    marked_by_id=cohort.instructor_id,
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
        seen = opened + timedelta(minutes=self.rng.randint(3, 25))
        completed = opened + timedelta(minutes=self.rng.randint(3, 25)) if done else None
        self.progress(profile_id, lesson_id, opened, seen, completed, self.rng.randint(120, 1500))

    def progress(
        self,
        profile_id: int,
        lesson_id: int,
        opened: datetime,
        last_seen: datetime,
        completed: datetime | None,
        active_seconds: int,
    ) -> None:
        """A learner's reading of one lesson."""
        self.w.add(
            self.t["lms_lesson_progress"],
            profile_id=profile_id,
            lesson_id=lesson_id,
            first_opened_at=opened,
            last_seen_at=last_seen,
            completed_at=completed,
            active_seconds=active_seconds,
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
        cohort: SeededCohort,
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
            grader_id=cohort.instructor_id,
        )

    # a self-paced learner ----------------------------------------------------------------

    def self_paced_learner(
        self,
        profile_id: int,
        name: str,
        course: CourseFacts,
        *,
        reached: int | None = None,
        enrolled_days_ago: int | None = None,
    ) -> None:
        """Enrolled some time ago and up to item `reached` (drawn when None; all of them:
        complete, with a certificate). Every quiz before it is passed, one try or more."""
        skill = self.rng.uniform(0.6, 0.98)
        if enrolled_days_ago is None:
            enrolled_days_ago = self.rng.randint(1, 150)
        enrolled = self.now - timedelta(days=enrolled_days_ago, hours=self.rng.randint(0, 23))
        items = course.items
        if reached is None:
            complete = self.rng.random() < 0.15
            reached = len(items) if complete else self.rng.randint(0, len(items) - 1)
        complete = reached >= len(items)
        moment = enrolled
        step = (self.now - enrolled) / (len(items) + 1)
        for index, (kind, item) in enumerate(items[: reached + 1]):
            moment = min(moment + step, self.now - timedelta(minutes=30))
            current = index == reached
            if kind == "lesson":
                seen = moment + timedelta(minutes=12)
                active = self.rng.randint(120, 1500)
                self.progress(profile_id, item[0], moment, seen, None if current else seen, active)
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
        enrolment_id = self.enrolment(profile_id, course.id, None, enrolled, completed_at)
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
