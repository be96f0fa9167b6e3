"""Attendance (an idempotent upsert per learner and session) and the roster (learners x
modules from `build_outline`, behind learners first, a fixed number of queries)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.database import session, utcnow
from lms.models import (
    Attempt,
    AttemptStatus,
    Attendance,
    AttendanceStatus,
    EnrolmentOverride,
    Lesson,
    LessonProgress,
    LiveSession,
    Module,
    Quiz,
)
from tests.cohorts.conftest import (
    People,
    count_queries,
    days_ago,
    enrol,
    enrolment_of,
    make_cohort,
    module_id,
    profile_of,
)
from tests.conftest import post_form

ROW = re.compile(
    r"<tr( class=\"lms-is-behind\")?>\s*<th scope=\"row\">\s*<a [^>]*>([^<]*)</a>(.*?)</tr>", re.S
)
CELL = re.compile(r'<td><span class="lms-status lms-cell-(\w+)">')


def roster(client: FlaskClient, cohort_id: int) -> list[tuple[str, bool, list[str]]]:
    """(name, behind?, cell states) per row of the roster, in the order shown."""
    response = client.get(f"/teach/cohorts/{cohort_id}/roster")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return [(name, bool(behind), CELL.findall(rest)) for behind, name, rest in ROW.findall(html)]


def add_session(app: Flask, cohort_id: int, title: str, days_from_now: int = -1) -> int:
    with app.app_context():
        live = LiveSession(
            cohort_id=cohort_id,
            title=title,
            starts_at=utcnow() + timedelta(days=days_from_now),
            duration_minutes=60,
        )
        session.add(live)
        session.commit()
        return live.id


def attendance_rows(session_id: int) -> dict[str, tuple[AttendanceStatus, str]]:
    rows = session.scalars(sa.select(Attendance).where(Attendance.live_session_id == session_id))
    return {
        str(row.profile_id): (row.status, row.marked_at.isoformat(timespec="microseconds"))
        for row in rows
    }


def test_attendance_is_an_idempotent_upsert(app: Flask, people: People, admin: FlaskClient) -> None:
    people.create("teacher@example.com", role="instructor", name="Tess Teacher")
    cohort_id = make_cohort(app, instructors=("teacher@example.com",))
    for name in ("ann", "bob", "cat"):
        people.create(f"{name}@example.com", name=name.title())
    enrol(admin, cohort_id, "ann@example.com", "bob@example.com", "cat@example.com")
    live_id = add_session(app, cohort_id, "Week one circle")
    with app.app_context():
        ann, bob, cat = (str(profile_of(f"{n}@example.com").id) for n in ("ann", "bob", "cat"))
        teacher_id = profile_of("teacher@example.com").id
    teacher = people.users.client = app.test_client()
    people.users.sign_in("teacher@example.com")
    url = f"/teach/cohorts/{cohort_id}/sessions/{live_id}/attendance"
    page = teacher.get(url).get_data(as_text=True)
    assert "Ann" in page and "Not marked" in page

    marks = {f"mark_{ann}": "present", f"mark_{bob}": "late"}
    assert post_form(teacher, url, marks).status_code == 302
    with app.app_context():
        first = attendance_rows(live_id)
        assert {pid: status for pid, (status, _) in first.items()} == {
            ann: AttendanceStatus.PRESENT,
            bob: AttendanceStatus.LATE,
        }
        assert {a.marked_by_id for a in session.scalars(sa.select(Attendance))} == {teacher_id}
    assert "Tess Teacher" in teacher.get(url).get_data(as_text=True)

    # The same marks again: nothing changes, not even when they were marked.
    assert post_form(teacher, url, marks).status_code == 302
    with app.app_context():
        assert attendance_rows(live_id) == first

    # Bob was absent after all, and Cat came: only those rows change.
    marks = {f"mark_{ann}": "present", f"mark_{bob}": "absent", f"mark_{cat}": "present"}
    assert post_form(teacher, url, marks).status_code == 302
    with app.app_context():
        second = attendance_rows(live_id)
    assert second[ann] == first[ann]
    assert second[bob][0] is AttendanceStatus.ABSENT and second[bob][1] != first[bob][1]
    assert second[cat][0] is AttendanceStatus.PRESENT
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Attendance.id))) == 3

    refused = post_form(teacher, url, {f"mark_{ann}": "maybe"})
    assert refused.status_code == 400
    assert "Choose present, late, absent or made up." in refused.get_data(as_text=True)
    with app.app_context():
        assert attendance_rows(live_id) == second

    # "Everyone else present" keeps what was chosen and marks the rest.
    other_id = add_session(app, cohort_id, "Week two circle")
    other_url = f"/teach/cohorts/{cohort_id}/sessions/{other_id}/attendance"
    post_form(teacher, other_url, {f"mark_{bob}": "absent", "all_present": "1"})
    with app.app_context():
        rows = {pid: status for pid, (status, _) in attendance_rows(other_id).items()}
    assert rows == {
        ann: AttendanceStatus.PRESENT,
        bob: AttendanceStatus.ABSENT,
        cat: AttendanceStatus.PRESENT,
    }

    # The roster and the learner's page show it.
    with app.app_context():
        bob_enrolment = enrolment_of("bob@example.com", cohort_id).id
    html = teacher.get(f"/teach/cohorts/{cohort_id}/roster").get_data(as_text=True)
    assert re.search(r">Ann</a>.*?<td>2 of 2</td>", html, re.S)
    assert re.search(r">Bob</a>.*?<td>0 of 2</td>", html, re.S)
    detail = teacher.get(f"/teach/cohorts/{cohort_id}/people/{bob_enrolment}")
    assert "<dd>0 of 2</dd>" in detail.get_data(as_text=True)
    assert "<td>Absent</td>" in detail.get_data(as_text=True)


def module_items(module_slug: str) -> tuple[list[Lesson], list[Quiz]]:
    module = session.scalar(sa.select(Module).where(Module.slug == module_slug))
    assert module is not None
    return list(module.lessons), list(module.quizzes)


def record(
    app: Flask,
    email: str,
    module_slug: str,
    *,
    lessons: int | None = None,
    quizzes: AttemptStatus | None = None,
    passed: bool = True,
) -> None:
    """Give a learner records in one module: the first `lessons` lessons completed (all
    when None), and one attempt at each quiz in the given state."""
    with app.app_context():
        profile = profile_of(email)
        module_lessons, module_quizzes = module_items(module_slug)
        for lesson in module_lessons[:lessons]:
            session.add(
                LessonProgress(profile_id=profile.id, lesson_id=lesson.id, completed_at=utcnow())
            )
        for quiz in module_quizzes if quizzes else []:
            graded = quizzes is AttemptStatus.GRADED
            session.add(
                Attempt(
                    quiz_id=quiz.id,
                    profile_id=profile.id,
                    number=1,
                    status=quizzes,
                    submitted_at=utcnow(),
                    score=Decimal(1) if graded else None,
                    max_score=Decimal(1),
                    passed=passed if graded else None,
                )
            )
        session.commit()


def test_the_roster_puts_behind_learners_first_with_each_modules_status(
    app: Flask, people: People, admin: FlaskClient
) -> None:
    # Week one opened 10 days ago and was due 3 days ago; week two is open, due in 4 days.
    cohort_id = make_cohort(app, starts_on=days_ago(10), timezone="UTC")
    names = ("Ann", "Bob", "Cat", "Dan", "Eve")
    for name in names:
        people.create(f"{name.lower()}@example.com", name=name)
    enrol(admin, cohort_id, *(f"{name.lower()}@example.com" for name in names))
    record(app, "ann@example.com", "week-one", quizzes=AttemptStatus.GRADED)  # all done
    record(app, "cat@example.com", "week-one", lessons=1)  # started, late
    record(app, "dan@example.com", "week-one", quizzes=AttemptStatus.GRADED)
    with app.app_context():  # Dan has opened week two's lesson
        lesson = session.scalar(sa.select(Lesson).where(Lesson.slug == "later"))
        assert lesson is not None
        session.add(LessonProgress(profile_id=profile_of("dan@example.com").id, lesson=lesson))
        session.commit()
    record(app, "eve@example.com", "week-one", quizzes=AttemptStatus.AWAITING_GRADING)

    assert roster(admin, cohort_id) == [
        ("Bob", True, ["overdue", "not_started"]),
        ("Cat", True, ["overdue", "not_started"]),
        ("Eve", False, ["awaiting_grading", "not_started"]),
        ("Ann", False, ["complete", "not_started"]),
        ("Dan", False, ["complete", "in_progress"]),
    ]
    html = admin.get(f"/teach/cohorts/{cohort_id}/roster").get_data(as_text=True)
    assert "<strong>2 behind</strong>" in html
    assert '<th scope="col">Week one</th>' in html and 'class="lms-teach-table-wrap"' in html

    # A later module not open yet is locked; a learner's override can open it.
    late_id = make_cohort(app, name="Later cohort", starts_on=utcnow().date())
    people.create("fay@example.com", name="Fay")
    enrol(admin, late_id, "fay@example.com")
    assert roster(admin, late_id) == [("Fay", False, ["not_started", "locked"])]
    with app.app_context():
        enrolment = enrolment_of("fay@example.com", late_id)
        session.add(
            EnrolmentOverride(
                enrolment_id=enrolment.id,
                module_id=module_id("week-two"),
                opens_at=utcnow() - timedelta(hours=1),
                due_at=utcnow() - timedelta(minutes=1),
            )
        )
        session.commit()
    assert roster(admin, late_id) == [("Fay", True, ["not_started", "overdue"])]


def add_learners(app: Flask, people: People, admin: FlaskClient, cohort_id: int, n: range) -> None:
    """Learners with a bit of everything the roster reads: progress, attempts, an override
    and attendance."""
    emails = [f"learner{i}@example.com" for i in n]
    for email in emails:
        people.create(email)
    assert enrol(admin, cohort_id, *emails).status_code == 200
    with app.app_context():
        lessons, quizzes = module_items("week-one")
        sessions = session.scalars(
            sa.select(LiveSession.id).where(LiveSession.cohort_id == cohort_id)
        ).all()
        for i, email in zip(n, emails, strict=True):
            profile = profile_of(email)
            session.add(
                LessonProgress(
                    profile_id=profile.id, lesson_id=lessons[0].id, completed_at=utcnow()
                )
            )
            for quiz in quizzes:
                session.add(
                    Attempt(
                        quiz_id=quiz.id,
                        profile_id=profile.id,
                        number=1,
                        status=AttemptStatus.AWAITING_GRADING,
                    )
                )
            session.add(
                EnrolmentOverride(
                    enrolment_id=enrolment_of(email, cohort_id).id,
                    module_id=module_id("week-two"),
                    due_at=utcnow() + timedelta(days=30),
                )
            )
            for live_id in sessions:
                session.add(
                    Attendance(
                        live_session_id=live_id,
                        profile_id=profile.id,
                        status=AttendanceStatus.PRESENT if i % 2 else AttendanceStatus.LATE,
                    )
                )
        session.commit()


@pytest.mark.usefixtures("fast_passwords")
def test_the_roster_query_count_is_the_same_for_5_and_200_learners(
    app: Flask, people: People, admin: FlaskClient
) -> None:
    cohort_id = make_cohort(app, starts_on=days_ago(10), capacity=None)
    add_session(app, cohort_id, "Week one circle")
    add_session(app, cohort_id, "Week two circle")
    url = f"/teach/cohorts/{cohort_id}/roster"

    add_learners(app, people, admin, cohort_id, range(5))
    admin.get(url)  # warm up (nothing cached matters, but keep the runs alike)
    with count_queries(app) as few:
        assert admin.get(url).status_code == 200
    assert len(roster(admin, cohort_id)) == 5

    add_learners(app, people, admin, cohort_id, range(5, 200))
    with count_queries(app) as many:
        assert admin.get(url).status_code == 200
    assert len(roster(admin, cohort_id)) == 200

    assert len(few) == len(many), "\n".join(many)
    assert len(many) <= 20, "\n".join(many)


def test_attending_a_live_session_completes_its_page(
    app: Flask, people: People, admin: FlaskClient
) -> None:
    """Attendance feeds progress (and so completion and the CE record)."""
    from lms.learning.progress import course_outline
    from lms.learning.status import Status
    from lms.models import Attendance, AttendanceStatus, Lesson, LiveSession

    people.create("nurse@example.com")
    cohort_id = make_cohort(app, name="Attending")
    assert enrol(admin, cohort_id, "nurse@example.com").status_code == 200
    with app.app_context():
        live_page = session.scalar(sa.select(Lesson).where(Lesson.slug == "live"))
        assert live_page is not None
        live = LiveSession(
            cohort_id=cohort_id,
            module_id=live_page.module_id,
            title="Circle",
            starts_at=utcnow(),
            duration_minutes=60,
        )
        session.add(live)
        session.flush()
        enrolment = enrolment_of("nurse@example.com", cohort_id)
        item = course_outline(enrolment).find("lesson", "live")
        assert item is not None and item.status is Status.NOT_STARTED
        session.add(
            Attendance(
                live_session_id=live.id,
                profile_id=profile_of("nurse@example.com").id,
                status=AttendanceStatus.LATE,
            )
        )
        session.commit()
        item = course_outline(enrolment).find("lesson", "live")
        assert item is not None and item.status is Status.COMPLETE
