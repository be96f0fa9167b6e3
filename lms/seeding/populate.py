"""The benchmark's data (`python -m bench.seed`): cohorts of up to 200 learners started 1
to 6 weeks ago, 7 learners in 10 also in the self-paced course, and optionally a pool of
self-paced learners with open attempts for measuring autosaves and submits. See
bench/seed.py for what each size holds."""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import lms.models as m
from lms.database import session
from lms.quizzes.tokens import AttemptTokens
from lms.seeding.facts import CourseFacts, synced_courses
from lms.seeding.seeder import Seeder
from lms.seeding.writer import Writer

COHORT_SIZE = 200
RANDOM_SEED = 20261127
#: Every seeded account's password. They share one hash made with a low work factor
#: (pbkdf2, 1,000 rounds), so that the benchmark's sign-ins (not measured) are quick.
PASSWORD = "bench seed password"  # noqa: S105
ADMIN_EMAIL = "admin@bench.example"
SELF_PACED_INSTRUCTOR = "self-paced-instructor@bench.example"
#: How many days ago each cohort started (cycled): cohort 1 has all five weeks open.
COHORT_STARTS = [29, 15, 36, 8, 22, 43, 1]
COHORT_ZONES = ["UTC", "America/New_York", "Europe/London", "America/Los_Angeles", "UTC"]
PROFESSIONS = [m.Profession.THERAPIST] * 6 + [
    m.Profession.NURSE,
    m.Profession.PHYSICIAN,
    m.Profession.GUIDE,
    m.Profession.COACH,
]


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


def pool_learner(seeder: Seeder, profile_id: int, email: str, course: CourseFacts) -> PoolLearner:
    """Every lesson complete, every quiz submitted once (failed), and an open attempt
    with every question answered at each untimed quiz."""
    enrolled = seeder.now - timedelta(days=30)
    seeder.enrolment(profile_id, course.id, None, enrolled)
    attempts = []
    for kind, item in course.items:
        if kind == "lesson":
            done = enrolled + timedelta(minutes=10)
            seeder.progress(profile_id, item[0], enrolled, done, done, 600)
            continue
        seeder.attempt(item, profile_id, 1, enrolled + timedelta(days=1), skill=0.0)
        if item.time_limit is not None:
            continue
        started = seeder.now - timedelta(minutes=5)
        attempt_id, _, layout = seeder.attempt(
            item, profile_id, 2, started, skill=0.8, submit=False
        )
        by_id = {v.id: v for v in item.versions}
        names = AttemptTokens.for_attempt(attempt_id)  # as the attempt's page names them
        body = {
            names.question(version.id): page_value(names, version, seeder.response(version, True))
            for version in (by_id[entry["version_id"]] for entry in layout)
        }
        attempts.append(
            {"id": attempt_id, "quiz": item.slug, "autosave": json.dumps({"answers": body})}
        )
    return PoolLearner(email, attempts)


def page_value(names: AttemptTokens, version: m.QuestionVersion, response: Any) -> Any:
    """A stored response as the attempt's page sends it: choices by their names."""
    if version.type is m.QuestionType.SINGLE:
        return names.choice(response)
    if version.type is m.QuestionType.MULTIPLE:
        return sorted(names.choice(choice) for choice in response)
    return response


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
    cohort_facts, paced_facts = synced_courses()
    now = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    rng = random.Random(random_seed)  # noqa: S311 (reproducible data, not secrets)
    info = SeedInfo(
        learners=learners,
        password=PASSWORD,
        cohort_course=cohort_facts.slug,
        self_paced_course=paced_facts.slug,
    )
    writer = Writer(session.connection())
    seeder = Seeder(writer, rng, now, password=PASSWORD)
    admin_id = seeder.person(ADMIN_EMAIL, "Avery Admin", m.Role.ADMIN)
    paced_instructor = seeder.person(SELF_PACED_INSTRUCTOR, "Sam Selfpaced", m.Role.INSTRUCTOR)
    writer.add(m.course_instructor, course_id=paced_facts.id, profile_id=paced_instructor)
    assert admin_id

    # Cohorts, their calendars and live sessions.
    cohorts = []
    for number in range(max(1, math.ceil(learners / cohort_size))):
        zone = COHORT_ZONES[number % len(COHORT_ZONES)]
        starts_on: date = (now - timedelta(days=COHORT_STARTS[number % len(COHORT_STARTS)])).date()
        email = f"instructor-{number + 1:03d}@bench.example"
        instructor_id = seeder.person(email, f"Instructor {number + 1}", m.Role.INSTRUCTOR)
        cohort = seeder.cohort(
            cohort_facts,
            name=f"Cohort {number + 1} ({starts_on:%-d %b})",
            starts_on=starts_on,
            zone=zone,
            capacity=cohort_size,
            invite_code=f"bench{number + 1:04d}{rng.randrange(16**6):06x}",
            instructor_id=instructor_id,
            meeting_url=f"https://meet.example/bench-{number + 1}-{{week}}",
        )
        cohorts.append(cohort)
        info.cohorts.append(
            {
                "id": cohort.id,
                "learners": min(cohort_size, learners - number * cohort_size),
                "instructor": email,
                "open_weeks": seeder.open_weeks(cohort),
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
            created_at=cohort.starts_at - timedelta(days=30),
        )
        seeder.cohort_learner(profile_id, cohort_facts, cohort)
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
        info.pool.append(pool_learner(seeder, profile_id, email, paced_facts))

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
