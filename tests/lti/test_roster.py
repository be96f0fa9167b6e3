"""Names and Role Provisioning: an instructor syncs the cohort's roster from the platform:
members added, departed ones withdrawn, no one duplicated."""

from __future__ import annotations

import sqlalchemy as sa

from lms.database import session
from lms.models import Cohort, Enrolment, EnrolmentStatus, LtiUser, Profile
from tests.lti.conftest import Browser, LiveLMS, profile_of
from tests.lti.platform import INSTRUCTOR, LEARNER, Link, Person, RunningPlatform


def cohort_id(lms: LiveLMS) -> int:
    with lms.app.app_context():
        found = session.scalar(sa.select(Cohort.id))
        session.remove()
    assert found
    return found


def statuses(lms: LiveLMS) -> dict[str, str]:
    with lms.app.app_context():
        rows = session.execute(
            sa.select(LtiUser.sub, Enrolment.status).join(
                Enrolment, Enrolment.profile_id == LtiUser.profile_id
            )
        ).all()
        session.remove()
    return {sub: status.value for sub, status in rows}


def test_instructor_syncs_the_roster(lms_server: LiveLMS, platform: RunningPlatform) -> None:
    state = platform.state
    state.people["iris"] = Person("iris-sub", INSTRUCTOR, "Iris", "iris@school.example")
    state.people["ana"] = Person("ana-sub", LEARNER, "Ana", "ana@school.example")
    state.people["ben"] = Person("ben-sub", LEARNER, "Ben", None)
    state.people["cai"] = Person("cai-sub", LEARNER, "Cai", "cai@school.example")
    state.links["a"] = Link(
        "link-a", "section-a", lms_server.url + "/courses/co/", context_title="Section A"
    )
    state.rosters["section-a"] = {"iris": "Active", "ana": "Active", "ben": "Active"}

    teacher = Browser(lms_server)
    teacher.launch(platform, "iris", "a")  # makes the cohort
    Browser(lms_server).launch(platform, "ana", "a")  # Ana has launched already
    url = f"/teach/cohorts/{cohort_id(lms_server)}/platform-roster"
    page = teacher.get(url)
    assert page.status_code == 200 and "never synced" in page.text

    synced = teacher.post(url, {})
    assert synced.status_code == 200
    assert "Section A: 1 added, 0 withdrawn, 1 unchanged." in synced.text
    assert statuses(lms_server) == {"ana-sub": "active", "ben-sub": "active"}
    with lms_server.app.app_context():
        assert profile_of("ben-sub").display_name == "Ben"
        session.remove()

    # Ben leaves the platform course, Cai joins, Ana is made inactive.
    state.rosters["section-a"] = {"iris": "Active", "ana": "Inactive", "cai": "Active"}
    synced = teacher.post(url, {})
    assert "Section A: 1 added, 2 withdrawn, 0 unchanged." in synced.text
    assert statuses(lms_server) == {
        "ana-sub": "withdrawn",
        "ben-sub": "withdrawn",
        "cai-sub": "active",
    }
    # Syncing again changes nothing and duplicates no one.
    synced = teacher.post(url, {})
    assert "Section A: 0 added, 0 withdrawn, 1 unchanged." in synced.text
    with lms_server.app.app_context():
        assert session.scalar(sa.select(sa.func.count()).select_from(LtiUser)) == 4
        assert session.scalar(sa.select(sa.func.count()).select_from(Profile)) == 4
        withdrawn = session.scalars(
            sa.select(Enrolment).where(Enrolment.status == EnrolmentStatus.WITHDRAWN)
        ).all()
        assert len(withdrawn) == 2  # kept, not deleted
        session.remove()


def test_roster_page_is_for_the_cohorts_staff(
    lms_server: LiveLMS, platform: RunningPlatform
) -> None:
    state = platform.state
    state.people["iris"] = Person("iris-sub", INSTRUCTOR, "Iris", "iris@school.example")
    state.people["ana"] = Person("ana-sub", LEARNER, "Ana", "ana@school.example")
    state.links["a"] = Link("link-a", "section-a", lms_server.url + "/courses/co/")
    Browser(lms_server).launch(platform, "iris", "a")
    learner = Browser(lms_server)
    learner.launch(platform, "ana", "a")
    url = f"/teach/cohorts/{cohort_id(lms_server)}/platform-roster"
    assert learner.get(url).status_code == 403
    assert learner.post(url, {}).status_code == 403
    # Another platform course's instructor does not see this cohort.
    state.people["bo"] = Person("bo-sub", INSTRUCTOR, "Bo", None)
    state.links["b"] = Link("link-b", "section-b", lms_server.url + "/courses/co/")
    other = Browser(lms_server)
    other.launch(platform, "bo", "b")
    assert other.get(url).status_code == 404
    # A platform that is down: a message, nothing changed.
    teacher = Browser(lms_server)
    teacher.launch(platform, "iris", "a")
    state.down = True
    response = teacher.post(url, {})
    assert response.status_code == 409
    assert "The platform&#39;s roster could not be read" in response.text
    state.down = False
