"""Platform contexts and roles: a cohort course gets one LMS cohort per platform course,
made on its first instructor launch, with the platform's instructors as its instructors;
roles count only in that context."""

from __future__ import annotations

import sqlalchemy as sa

from lms.database import session
from lms.models import Cohort, Enrolment, LtiContext, Role
from tests.lti.conftest import Browser, LiveLMS, profile_of
from tests.lti.platform import INSTRUCTOR, LEARNER, Link, Person, RunningPlatform

CO = "/courses/co/"


def people(platform: RunningPlatform, lms: LiveLMS) -> None:
    state = platform.state
    state.people["iris"] = Person("iris-sub", INSTRUCTOR, "Iris Teacher", "iris@school.example")
    state.people["ana"] = Person("ana-sub", LEARNER, "Ana", "ana@school.example")
    state.people["ben"] = Person("ben-sub", LEARNER, "Ben", "ben@school.example")
    state.links["a"] = Link("link-a", "section-a", lms.url + CO, context_title="Section A")
    state.links["b"] = Link("link-b", "section-b", lms.url + CO, context_title="Section B")


def test_cohort_per_context_made_by_first_instructor_launch(
    lms_server: LiveLMS, platform: RunningPlatform
) -> None:
    people(platform, lms_server)
    # A learner first: the course is not opened for this platform course yet.
    early = Browser(lms_server)
    response = early.post_launch(early.launch_form(platform, "ana", "a"))
    assert response.status_code == 409
    assert "has not been opened for this Test Canvas course yet" in response.text

    teacher = Browser(lms_server)
    assert teacher.launch(platform, "iris", "a").status_code == 200
    teacher.launch(platform, "iris", "a")  # again: still one cohort
    Browser(lms_server).launch(platform, "ana", "a")
    with lms_server.app.app_context():
        [cohort] = session.scalars(sa.select(Cohort)).all()
        assert cohort.name == "Section A (Test Canvas)"
        assert not cohort.is_open  # joined through the platform only
        iris = profile_of("iris-sub")
        assert [p.id for p in cohort.instructors] == [iris.id]
        assert iris.role is Role.INSTRUCTOR  # never admin, whatever the platform says
        ana = profile_of("ana-sub")
        enrolment = session.scalar(sa.select(Enrolment).where(Enrolment.profile_id == ana.id))
        assert enrolment is not None and enrolment.cohort_id == cohort.id
        context = session.scalars(sa.select(LtiContext)).one()
        assert (context.context_id, context.cohort_id) == ("section-a", cohort.id)
        session.remove()

    # The teacher's grading pages show the cohort's learners only (scoped by assignment).
    teaching = teacher.get("/teach/grading")
    assert teaching.status_code == 200


def test_learner_of_one_context_is_not_placed_by_another(
    lms_server: LiveLMS, platform: RunningPlatform
) -> None:
    people(platform, lms_server)
    Browser(lms_server).launch(platform, "iris", "a")
    Browser(lms_server).launch(platform, "iris", "b")
    Browser(lms_server).launch(platform, "ana", "a")
    # Ana's launch from section B (whose cohort she is not in) is refused.
    other = Browser(lms_server)
    response = other.post_launch(other.launch_form(platform, "ana", "b"))
    assert response.status_code == 403
    assert "already taking “Cohort basics” in another group" in response.text
    dashboard = other.get("/dashboard", allow_redirects=False)
    assert dashboard.status_code == 302  # not signed in
    with lms_server.app.app_context():
        assert session.scalar(sa.select(sa.func.count()).select_from(Cohort)) == 2
        ana = profile_of("ana-sub")
        enrolments = session.scalars(sa.select(Enrolment).where(Enrolment.profile_id == ana.id))
        assert len(enrolments.all()) == 1
        session.remove()


def test_instructor_role_counts_only_in_its_context(
    lms_server: LiveLMS, platform: RunningPlatform
) -> None:
    """Instructor in section A, learner in section B: teaches A's cohort, learns in B's."""
    people(platform, lms_server)
    Browser(lms_server).launch(platform, "iris", "b")  # Iris opens B (she teaches it)
    state = platform.state
    state.people["ben"].roles = INSTRUCTOR
    Browser(lms_server).launch(platform, "ben", "a")  # Ben opens A as its instructor
    state.people["ben"].roles = LEARNER
    Browser(lms_server).launch(platform, "ben", "b")  # ...and learns in B
    with lms_server.app.app_context():
        ben = profile_of("ben-sub")
        cohorts = {c.name: c for c in session.scalars(sa.select(Cohort))}
        assert ben in cohorts["Section A (Test Canvas)"].instructors
        assert ben not in cohorts["Section B (Test Canvas)"].instructors
        enrolment = session.scalar(sa.select(Enrolment).where(Enrolment.profile_id == ben.id))
        assert enrolment is not None
        assert enrolment.cohort_id == cohorts["Section B (Test Canvas)"].id
        session.remove()
