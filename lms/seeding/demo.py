"""`lms demo`'s data: a small LMS that looks lived in.

- Avery (admin) and Iris (instructor, who teaches the demo cohort and the self-paced
  course's learners);
- the demo cohort of the cohort course, in its third week: ten therapists at different
  stages (ahead, on track, behind, just joined), with knowledge checks passed,
  reflections released with feedback, some in draft, some waiting in the grading queue,
  and attendance taken at the two live sessions held so far (the third is this week);
  Theo, the demo's therapist, is one of them;
- self-paced learners of the self-paced course: Nadia, the demo's nurse, part-way through,
  a few others at other stages, and Paul, who finished and has his certificate.

Everyone has a profession (and therapists and nurses a licence). The stages are written
out below, not drawn at random, so that the demo always has each thing to try; the
details (which answers were right, rubric scores, feedback) come from a fixed seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

import lms.models as m
from lms.database import session
from lms.seeding.facts import CourseFacts, ModuleFacts, synced_courses
from lms.seeding.seeder import SeededCohort, Seeder
from lms.seeding.writer import Writer

DEMO_PASSWORD = "ketamine demo ward"  # noqa: S105 (printed for the demo on purpose)
ADMIN = "admin@example.com"
INSTRUCTOR = "instructor@example.com"
NURSE = "nurse@example.com"
THERAPIST = "therapist@example.com"
COHORT_NAME = "Demo cohort"
#: Started 15 days ago: weeks 1 to 3 are open, week 3's live session is in two days.
COHORT_STARTED_DAYS_AGO = 15
RANDOM_SEED = 20260118


@dataclass(frozen=True)
class CohortStage:
    """Where one cohort learner is. Grades of the reflections of the weeks done, in order:
    "released", "draft" or "waiting" (handed in, not graded yet)."""

    email: str
    name: str
    weeks_done: int
    grades: tuple[str, ...] = ()
    #: How many lessons of the next week they have read.
    reading: int = 0
    #: The live sessions held so far (weeks 1 and 2): "present", "late" or "absent".
    attendance: tuple[str, ...] = ("present", "present")
    joined_days_ago: int = 20


COHORT_LEARNERS = [
    CohortStage(THERAPIST, "Theo Therapist", 2, ("released", "waiting"), reading=1),
    CohortStage("maya@example.com", "Maya Okafor", 3, ("released", "released", "waiting")),
    CohortStage("jon@example.com", "Jon Park", 2, ("released", "released"), reading=2),
    CohortStage(
        "sam@example.com",
        "Sam Ruiz",
        2,
        ("released", "draft"),
        reading=1,
        attendance=("present", "late"),
    ),
    CohortStage("lena@example.com", "Lena Hoffmann", 2, ("released", "waiting")),
    CohortStage(
        "ravi@example.com",
        "Ravi Shah",
        2,
        ("released", "waiting"),
        attendance=("present", "absent"),
    ),
    CohortStage(
        "chloe@example.com",
        "Chloe Martin",
        1,
        ("released",),
        reading=1,
        attendance=("late", "absent"),
    ),
    CohortStage("omar@example.com", "Omar Haddad", 1, ("draft",), attendance=("present", "absent")),
    CohortStage("ines@example.com", "Ines Duarte", 0, reading=1, attendance=("absent", "absent")),
    CohortStage("priya@example.com", "Priya Nair", 0, attendance=(), joined_days_ago=2),
]


@dataclass(frozen=True)
class SelfPacedStage:
    email: str
    name: str
    profession: m.Profession
    #: Share of the course's items done (1.0: complete, with a certificate).
    share: float
    enrolled_days_ago: int


SELF_PACED_LEARNERS = [
    SelfPacedStage(NURSE, "Nadia Nurse", m.Profession.NURSE, 0.4, 12),
    SelfPacedStage("paul@example.com", "Paul Physician", m.Profession.PHYSICIAN, 1.0, 40),
    SelfPacedStage("gwen@example.com", "Gwen Guide", m.Profession.GUIDE, 0.15, 5),
    SelfPacedStage("cole@example.com", "Cole Coach", m.Profession.COACH, 0.7, 25),
]

#: (email, name, role, profession) of the staff.
STAFF = [
    (ADMIN, "Avery Admin", m.Role.ADMIN, m.Profession.NURSE),
    (INSTRUCTOR, "Iris Instructor", m.Role.INSTRUCTOR, m.Profession.THERAPIST),
]

#: What to try as whom, printed by `lms demo`.
WHAT_TO_TRY = [
    (THERAPIST, "Theo, a therapist in week 3 of the demo cohort: see “This week” on My "
     "learning, read the feedback and rubric scores on the week 1 reflection, add the live "
     "session to your calendar."),
    (NURSE, "Nadia, a nurse in the self-paced course: resume where she left off, take the "
     "next knowledge check."),
    (INSTRUCTOR, "Iris, the cohort's instructor: grade the reflections waiting in Grading, "
     "open the roster and gradebook, take attendance; find the self-paced learners under "
     "Teaching."),
    (ADMIN, "Avery, an admin: everything Iris can do, plus Admin (people and roles, the mail "
     "outbox) and creating cohorts."),
]  # fmt: skip


#: Reflections as demo learners might write them (the benchmark's are random words).
REFLECTIONS = [
    "When I first heard that ketamine was being used for anxiety, my mind went straight to "
    "its reputation as a party drug, and I noticed a pull to warn rather than to listen. "
    "Reading about its decades of use as an anaesthetic helped me hold that reaction more "
    "lightly. With a client, I would want to begin with curiosity: what have they heard, "
    "what do they hope for, and what worries them? I would try to name my own uncertainty "
    "honestly instead of covering it with reassurance. Questions about whether the medicine "
    "suits them, about doses or about other medicines belong with the prescriber and the "
    "clinic's protocols, and I would help the client take those questions there, perhaps by "
    "writing them down together before the appointment. My part is the relationship: "
    "preparing, listening, and staying with whatever comes up in the sessions and "
    "afterwards, so that the client is not left alone to make sense of the experience. I "
    "also want to notice how my culture and training shape what I expect to happen.",
    "I keep coming back to the idea that the medicine is a catalyst and not a cure. In my "
    "practice, clients with anxiety often describe their body as something to escape. The "
    "course describes the dissociative quality as a possible fresh perspective on "
    "overwhelming sensations, and that changes how I would prepare someone: less about "
    "getting through the session, more about meeting what arises with curiosity, "
    "self-compassion and acceptance. I would agree with the client beforehand how we will "
    "check in, how they can ask for a pause, and what touch, if any, is welcome. I notice "
    "that I want to fix distress quickly, and I would bring that to supervision. Set and "
    "setting matter too: the room, the music, who is present and what the client expects "
    "all shape the experience, so I would plan them with the client rather than for them. "
    "Integration afterwards is where the work continues, and I would make sure there is "
    "time and support for it.",
    "Working through the vignette, I was struck by how easily a challenging experience can "
    "be read as something going wrong. The course invites us to see it as subjective and "
    "potentially growth-bearing, while still watching for the indicators of challenge and "
    "crisis. I would want a clear agreement with the team about who responds to what, so "
    "that I can stay present with the client without stepping outside my role. Before the "
    "session I would explore the client's hopes and fears, their support at home, and what "
    "safety means to them, including the cultural meanings they bring. During it, I would "
    "offer grounding and presence rather than interpretation. Afterwards, integration "
    "would begin with the client's own words: what stood out, what felt hard, and what "
    "they want to carry into daily life. I am still unsure how to pace integration when a "
    "client feels flooded, and I would like to learn more about that from my cohort.",
]


def demo_exists() -> bool:
    """Whether this database has the demo (its admin account) already."""
    return session.scalar(sa.select(m.Account.id).where(m.Account.email == ADMIN)) is not None


def seed_demo(timezone: str = "UTC", now: datetime | None = None) -> None:
    """Sync the bundled courses and seed the demo (into a database without it)."""
    cohort_course, paced_course = synced_courses()
    now = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    writer = Writer(session.connection())
    seeder = DemoSeeder(writer, now, timezone)
    ids = {email: seeder.staff(email, name, role, job) for email, name, role, job in STAFF}
    writer.add(m.course_instructor, course_id=paced_course.id, profile_id=ids[INSTRUCTOR])
    cohort = seeder.cohort(
        cohort_course,
        name=COHORT_NAME,
        starts_on=(now - timedelta(days=COHORT_STARTED_DAYS_AGO)).astimezone(UTC).date(),
        zone=timezone,
        capacity=20,
        invite_code="demo-" + "".join(seeder.rng.choice("abcdefghjkmnpqrstuvwxyz") for _ in "123"),
        instructor_id=ids[INSTRUCTOR],
        meeting_url="https://meet.example.com/demo-cohort-week-{week}",
    )
    for stage in COHORT_LEARNERS:
        seeder.cohort_learner_at(stage, cohort_course, cohort)
    for paced in SELF_PACED_LEARNERS:
        seeder.self_paced(paced, paced_course)
    writer.finish()
    session.commit()


class DemoSeeder(Seeder):
    def __init__(self, writer: Writer, now: datetime, timezone: str) -> None:
        rng = random.Random(RANDOM_SEED)  # noqa: S311 (reproducible data, not secrets)
        # The demo's accounts get a full-strength hash (they can outlive the demo).
        super().__init__(writer, rng, now, password=DEMO_PASSWORD, hash_method="scrypt")
        self.timezone = timezone

    def essay(self) -> str:
        return self.rng.choice(REFLECTIONS)

    def staff(self, email: str, name: str, role: m.Role, profession: m.Profession) -> int:
        return self.person(email, name, role, profession, timezone=self.timezone)

    def cohort_learner_at(
        self, stage: CohortStage, course: CourseFacts, cohort: SeededCohort
    ) -> None:
        joined = self.now - timedelta(days=stage.joined_days_ago)
        profile_id = self.person(
            stage.email,
            stage.name,
            m.Role.LEARNER,
            m.Profession.THERAPIST,
            timezone=self.timezone,
            created_at=joined - timedelta(hours=1),
        )
        self.enrolment(profile_id, course.id, cohort.id, joined)
        held = [x for x in course.modules if cohort.sessions[x.id][1] < self.now]
        for module, mark in zip(held, stage.attendance, strict=False):
            session_id, session_at = cohort.sessions[module.id]
            self.w.add(
                self.t["lms_attendance"],
                live_session_id=session_id,
                profile_id=profile_id,
                status=m.AttendanceStatus(mark),
                marked_by_id=cohort.instructor_id,
                marked_at=session_at + timedelta(hours=2),
            )
        open_modules = [x for x in course.modules if cohort.calendar[x.id][0] <= self.now]
        for index, module in enumerate(open_modules):
            opens_at = max(cohort.calendar[module.id][0], joined)
            if index < stage.weeks_done:
                grade = stage.grades[index] if index < len(stage.grades) else "waiting"
                self.week_done(profile_id, module, opens_at, grade, cohort.instructor_id)
            elif index == stage.weeks_done:
                reading = [x for x in module.lessons if x[2] is m.LessonKind.LESSON]
                for lesson_id, _slug, _kind in reading[: stage.reading]:
                    self.read(profile_id, lesson_id, opens_at + timedelta(hours=5))

    def read(self, profile_id: int, lesson_id: int, when: datetime) -> None:
        when = min(when, self.now - timedelta(hours=1))
        done = when + timedelta(minutes=self.rng.randint(6, 14))
        self.progress(profile_id, lesson_id, when, done, done, self.rng.randint(360, 840))

    def week_done(
        self, profile_id: int, module: ModuleFacts, opens_at: datetime, grade: str, grader: int
    ) -> None:
        """Every lesson read (the live session's page is completed by attendance), every
        knowledge check passed, the reflection handed in and graded as `grade` says."""
        moment = opens_at + timedelta(hours=self.rng.randint(3, 20))
        for kind, item in module.items:
            moment = min(moment + timedelta(hours=6), self.now - timedelta(hours=2))
            if kind == "lesson":
                if item[2] is m.LessonKind.LESSON:
                    self.read(profile_id, item[0], moment)
            elif item.has_essay:
                self.attempt(
                    item,
                    profile_id,
                    1,
                    moment,
                    skill=0.9,
                    grade="none" if grade == "waiting" else grade,
                    grader_id=grader,
                )
            else:
                self.attempt(item, profile_id, 1, moment, skill=1.0)

    def self_paced(self, stage: SelfPacedStage, course: CourseFacts) -> None:
        profile_id = self.person(
            stage.email,
            stage.name,
            m.Role.LEARNER,
            stage.profession,
            timezone=self.timezone,
            created_at=self.now - timedelta(days=stage.enrolled_days_ago + 1),
        )
        self.self_paced_learner(
            profile_id,
            stage.name,
            course,
            reached=round(stage.share * len(course.items)),
            enrolled_days_ago=stage.enrolled_days_ago,
        )
