"""A cohort's learners: bulk enrolment from pasted emails, removal, per-learner
overrides and extra time, and live-session attendance.

Operations flush; the caller commits once, so a bulk enrolment is one transaction: the
valid lines are enrolled together and the others are reported, never fatal.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.dialects import postgresql, sqlite

from lms.ce import record as ce_record
from lms.database import lock_row, session, utcnow
from lms.learning.enrolment import leave, seats_taken
from lms.models import (
    Attendance,
    AttendanceStatus,
    Cohort,
    Enrolment,
    EnrolmentOverride,
    EnrolmentStatus,
    LiveSession,
    Profile,
    Role,
)

MAX_EMAIL_LENGTH = 254
#: "Ana Example <ana@example.com>", as mail programs copy addresses.
NAMED_ADDRESS = re.compile(r"<([^<>]*)>\s*$")


class Outcome(enum.StrEnum):
    ENROLLED = "enrolled"
    RETURNED = "enrolled again"
    ALREADY_IN = "already in"
    INVITED = "invited"
    NOT_AN_EMAIL = "not an email"
    FULL = "cohort full"
    ELSEWHERE = "in another cohort"
    DUPLICATE = "listed twice"

    @property
    def ok(self) -> bool:
        return self in (Outcome.ENROLLED, Outcome.RETURNED, Outcome.ALREADY_IN)

    @property
    def enrolled(self) -> bool:
        """This line enrolled someone just now (they are told)."""
        return self in (Outcome.ENROLLED, Outcome.RETURNED)

    @property
    def explanation(self) -> str:
        return EXPLANATIONS[self]


EXPLANATIONS = {
    Outcome.ENROLLED: "Enrolled.",
    Outcome.RETURNED: "Enrolled again; their earlier progress is kept.",
    Outcome.ALREADY_IN: "Already in this cohort; nothing changed.",
    Outcome.INVITED: (
        "Not enrolled: we mailed this address an invitation with the cohort's invite code "
        "(learners join themselves, with an account of their own)."
    ),
    Outcome.NOT_AN_EMAIL: "This is not an email address.",
    Outcome.FULL: "Not enrolled: the cohort is full. Raise its capacity first.",
    Outcome.ELSEWHERE: "Not enrolled: already in this course (another cohort or self-paced).",
    Outcome.DUPLICATE: "Listed twice; the earlier line counts.",
}


@dataclass
class EnrolLine:
    number: int
    text: str
    outcome: Outcome
    profile: Profile | None = None
    #: The address the line names (normalised), when it is one.
    email: str | None = None


def split_entries(text: str) -> list[str]:
    """One entry per line, or per comma or semicolon; blank entries dropped."""
    return [entry.strip() for entry in re.split(r"[\r\n,;]+", text) if entry.strip()]


def parse_email(entry: str) -> str | None:
    """The entry's email address in lower case, or None when it is not one."""
    named = NAMED_ADDRESS.search(entry)
    candidate = (named.group(1) if named else entry).strip()
    if not candidate or len(candidate) > MAX_EMAIL_LENGTH or "@" not in candidate:
        return None
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.normalized.lower()


def bulk_enrol(cohort: Cohort, text: str) -> list[EnrolLine]:
    """Enrol every pasted address that belongs to a learner; report each entry.

    Only learners are enrolled. Any other address, whether it has no account or a staff
    one, is reported alike as invited (`lms.cohorts.notices` mails the invitation), so
    the report never says whether an address has an account. Holds the cohort's row lock
    while counting seats, as joining does, so bulk enrolment and learners joining at the
    same time cannot overfill the cohort. A fixed number of queries, however many
    addresses.
    """
    lock_row(Cohort, cohort.id)
    session.refresh(cohort)
    entries = split_entries(text)
    emails = [parse_email(entry) for entry in entries]
    wanted = {email for email in emails if email}
    profiles: dict[str, Profile] = {}
    if wanted:
        for profile in session.scalars(
            sa.select(Profile)
            .where(sa.func.lower(Profile.email).in_(wanted), Profile.role == Role.LEARNER)
            .order_by(Profile.id.desc())
        ):
            profiles[profile.email.lower()] = profile  # the oldest profile wins
    enrolments = {
        e.profile_id: e
        for e in session.scalars(
            sa.select(Enrolment).where(
                Enrolment.course_id == cohort.course_id,
                Enrolment.profile_id.in_([p.id for p in profiles.values()]),
            )
        )
    }
    left = None if cohort.capacity is None else cohort.capacity - seats_taken(cohort)
    seen: set[str] = set()
    lines = []
    for number, (entry, email) in enumerate(zip(entries, emails, strict=True), start=1):
        profile = profiles.get(email) if email else None
        if email is None:
            outcome = Outcome.NOT_AN_EMAIL
        elif email in seen:
            outcome = Outcome.DUPLICATE
        elif profile is None:  # no account, or not a learner's: the same answer
            outcome = Outcome.FULL if left is not None and left <= 0 else Outcome.INVITED
        else:
            outcome = _outcome(cohort, enrolments.get(profile.id), left)
            if outcome.enrolled:
                enrolments[profile.id] = _enrol(cohort, profile, enrolments.get(profile.id))
                left = None if left is None else left - 1
        if email:
            seen.add(email)
        lines.append(EnrolLine(number, entry, outcome, profile, email))
    session.flush()
    return lines


def _outcome(cohort: Cohort, enrolment: Enrolment | None, left: int | None) -> Outcome:
    active = enrolment is not None and enrolment.status is not EnrolmentStatus.WITHDRAWN
    if active and enrolment is not None and enrolment.cohort_id == cohort.id:
        return Outcome.ALREADY_IN
    if active:
        return Outcome.ELSEWHERE
    if left is not None and left <= 0:
        return Outcome.FULL
    return Outcome.ENROLLED if enrolment is None else Outcome.RETURNED


def _enrol(cohort: Cohort, profile: Profile, enrolment: Enrolment | None) -> Enrolment:
    """A new enrolment, or a withdrawn one brought back into this cohort (progress kept)."""
    if enrolment is None:
        enrolment = Enrolment(profile=profile, course_id=cohort.course_id, cohort=cohort)
        session.add(enrolment)
        return enrolment
    enrolment.cohort = cohort
    completed = enrolment.completed_at is not None
    enrolment.status = EnrolmentStatus.COMPLETED if completed else EnrolmentStatus.ACTIVE
    enrolment.withdrawn_at = None
    return enrolment


def cohort_enrolment(cohort: Cohort, enrolment_id: int) -> Enrolment | None:
    """One of the cohort's enrolments (active or withdrawn), or None."""
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.cohort_id != cohort.id:
        return None
    return enrolment


def withdraw(enrolment: Enrolment) -> None:
    """Remove a learner from the cohort: withdrawn, every record kept."""
    if enrolment.status is not EnrolmentStatus.WITHDRAWN:
        leave(enrolment)


def cohort_learners(cohort: Cohort, *, withdrawn: bool = False) -> list[Enrolment]:
    """The cohort's enrolments (active and completed, or the withdrawn ones) by name."""
    status = (
        Enrolment.status == EnrolmentStatus.WITHDRAWN
        if withdrawn
        else Enrolment.status != EnrolmentStatus.WITHDRAWN
    )
    return list(
        session.scalars(
            sa.select(Enrolment)
            .join(Profile, Enrolment.profile_id == Profile.id)
            .where(Enrolment.cohort_id == cohort.id, status)
            .options(so.contains_eager(Enrolment.profile))
            .order_by(sa.func.lower(Profile.display_name), Profile.id)
        )
    )


# Overrides and extra time --------------------------------------------------------------


def set_overrides(
    enrolment: Enrolment,
    dates: dict[int, tuple[datetime | None, datetime | None]],
    extra_time_percent: int,
) -> None:
    """One learner's own dates by module id (both None: back to the cohort's dates)."""
    existing = {o.module_id: o for o in enrolment.overrides}
    for module_id, (opens_at, due_at) in dates.items():
        override = existing.get(module_id)
        if opens_at is None and due_at is None:
            if override is not None:
                enrolment.overrides.remove(override)
            continue
        if override is None:
            override = EnrolmentOverride(module_id=module_id)
            enrolment.overrides.append(override)
        override.opens_at, override.due_at = opens_at, due_at
    enrolment.extra_time_percent = extra_time_percent
    session.flush()


# Attendance ----------------------------------------------------------------------------


def mark_attendance(
    live: LiveSession, marks: dict[int, AttendanceStatus], marked_by: Profile
) -> int:
    """Record each learner's attendance (an upsert: marking twice changes nothing).

    A row only changes (and records who marked it and when) when its status changes; each
    change is an entry of the CE record (attendance is live-session credit).
    Returns how many learners were marked.
    """
    if not marks:
        return 0
    now = utcnow()
    before: dict[int, AttendanceStatus] = dict(
        session.execute(  # type: ignore[arg-type]
            sa.select(Attendance.profile_id, Attendance.status).where(
                Attendance.live_session_id == live.id, Attendance.profile_id.in_(list(marks))
            )
        ).all()
    )
    rows = [
        {
            "live_session_id": live.id,
            "profile_id": profile_id,
            "status": status,
            "marked_by_id": marked_by.id,
            "marked_at": now,
            "method": "instructor",
        }
        for profile_id, status in marks.items()
    ]
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(Attendance).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=[Attendance.live_session_id, Attendance.profile_id],
            set_={
                "status": statement.excluded.status,
                "marked_by_id": statement.excluded.marked_by_id,
                "marked_at": statement.excluded.marked_at,
                "method": statement.excluded.method,
            },
            where=Attendance.status != statement.excluded.status,
        )
        session.execute(statement)
    else:  # other databases: read, then write (the unique constraint still holds)
        existing = {
            a.profile_id: a
            for a in session.scalars(
                sa.select(Attendance).where(
                    Attendance.live_session_id == live.id,
                    Attendance.profile_id.in_(list(marks)),
                )
            )
        }
        for row in rows:
            current = existing.get(row["profile_id"])
            if current is None:
                session.add(Attendance(**row))
            elif current.status is not row["status"]:
                current.status = row["status"]
                current.marked_by_id, current.marked_at = marked_by.id, now
                current.method = "instructor"
        session.flush()
        return len(rows)  # the ORM rows were recorded by the CE record's hook
    enrolments = dict(
        session.execute(
            sa.select(Enrolment.profile_id, Enrolment.id).where(
                Enrolment.cohort_id == live.cohort_id, Enrolment.profile_id.in_(list(marks))
            )
        ).all()
    )
    for profile_id, status in marks.items():
        if before.get(profile_id) is not status:
            ce_record.record(
                session,
                "attendance",
                profile_id=profile_id,
                course_id=live.cohort.course_id,
                enrolment_id=enrolments.get(profile_id),
                subject=f"live_session:{live.id}",
                before={"status": before.get(profile_id)},
                after={"status": status, "method": "instructor"},
                actor_id=marked_by.id,
                at=now,
            )
    session.flush()
    return len(rows)


def attendance_of_session(live: LiveSession) -> dict[int, Attendance]:
    return {
        a.profile_id: a
        for a in session.scalars(sa.select(Attendance).where(Attendance.live_session_id == live.id))
    }


def attendance_of_learner(cohort: Cohort, profile_id: int) -> dict[int, Attendance]:
    """A learner's attendance in this cohort's sessions, by session id."""
    return {
        a.live_session_id: a
        for a in session.scalars(
            sa.select(Attendance)
            .join(LiveSession, Attendance.live_session_id == LiveSession.id)
            .where(LiveSession.cohort_id == cohort.id, Attendance.profile_id == profile_id)
        )
    }
