"""LTI 1.3 launches from a real platform on loopback: registration, the tool's key set,
who a launch signs in, and where it lands."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from lms.database import session
from lms.models import Account, Enrolment, LtiKey, LtiUser, Profile, Role
from tests.lti.conftest import SP_QUIZ, Browser, LiveLMS, profile_of, read_lessons
from tests.lti.platform import LEARNER, Link, Person, RunningPlatform


def setup_learner(lms: LiveLMS, platform: RunningPlatform, **person: str) -> None:
    platform.state.people["ana"] = Person(
        "ana-sub",
        LEARNER,
        person.get("name", "Ana Platform"),
        person.get("email", "ana@school.example"),
    )
    platform.state.links["quiz"] = Link("quiz-link", "course-101", lms.url + SP_QUIZ, graded=True)


def test_jwks_and_key_rotation(lms_server: LiveLMS, platform: RunningPlatform) -> None:
    browser = Browser(lms_server)
    first = browser.get("/.well-known/jwks.json").json()["keys"]
    assert len(first) == 1 and first[0]["kty"] == "RSA" and first[0]["alg"] == "RS256"
    assert "d" not in first[0]  # public only

    result = lms_server.app.test_cli_runner().invoke(args=["lms", "lti", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert first[0]["kid"] in result.output
    keys = browser.get("/.well-known/jwks.json").json()["keys"]
    assert len(keys) == 2
    assert keys[1]["kid"] == first[0]["kid"]  # the old key is still published
    assert keys[0]["kid"] != first[0]["kid"]  # and a new one signs

    # Once LMS_LTI_RETIRED_KEY_HOURS (24) have passed, the old key is no longer published.
    with lms_server.app.app_context():
        old = session.scalar(sa.select(LtiKey).where(LtiKey.kid == first[0]["kid"]))
        assert old is not None and old.retired_at is not None
        old.retired_at -= timedelta(hours=25)
        session.commit()
        session.remove()
    keys = browser.get("/.well-known/jwks.json").json()["keys"]
    assert [key["kid"] for key in keys] == [keys[0]["kid"]] != [first[0]["kid"]]


def test_register_refuses_bad_input(lms_server: LiveLMS, platform: RunningPlatform) -> None:
    from tests.lti.conftest import register

    result = register(lms_server, platform, **{"--keyset-url": "ftp://nowhere"})
    assert result.exit_code != 0 and "--keyset-url must be an https:// address" in result.output
    result = register(lms_server, platform, **{"--deployment-id": " "})
    assert result.exit_code != 0 and "at least one deployment id" in result.output
    # The same issuer and client id again: an update, adding a deployment.
    result = register(lms_server, platform, **{"--deployment-id": "deployment-2"})
    assert result.exit_code == 0, result.output
    assert "Updated Test Canvas" in result.output
    assert "deployment-1, deployment-2" in result.output


def test_learner_launch_signs_in_and_enrols(lms_server: LiveLMS, platform: RunningPlatform) -> None:
    setup_learner(lms_server, platform)
    browser = Browser(lms_server)
    page = browser.launch(platform, "ana", "quiz")
    # Signed in and enrolled: the quiz page says what comes first (the course's lessons).
    assert page.url == lms_server.url + SP_QUIZ
    assert page.status_code == 403
    assert "Ana Platform" in page.text
    read_lessons(lms_server, "ana-sub", "sp")
    page = browser.get(SP_QUIZ)
    assert page.status_code == 200
    assert "Check" in page.text

    with lms_server.app.app_context():
        profile = profile_of("ana-sub")
        assert (profile.display_name, profile.email) == ("Ana Platform", "ana@school.example")
        assert profile.role is Role.LEARNER
        enrolment = session.scalar(sa.select(Enrolment).where(Enrolment.profile_id == profile.id))
        assert enrolment is not None and enrolment.cohort_id is None
        session.remove()

    # Launching again (another browser, a new name) is the same person, updated.
    platform.state.people["ana"].name = "Ana P. Platform"
    Browser(lms_server).launch(platform, "ana", "quiz")
    with lms_server.app.app_context():
        assert session.scalar(sa.select(sa.func.count()).select_from(LtiUser)) == 1
        assert session.scalar(sa.select(sa.func.count()).select_from(Profile)) == 1
        assert profile_of("ana-sub").display_name == "Ana P. Platform"
        session.remove()


def test_launch_without_shared_name_or_email(
    lms_server: LiveLMS, platform: RunningPlatform
) -> None:
    platform.state.people["anon"] = Person("anon-sub", LEARNER)
    platform.state.links["course"] = Link(
        "course-link", "course-101", lms_server.url + "/courses/sp/"
    )
    page = Browser(lms_server).launch(platform, "anon", "course")
    assert page.status_code == 200
    with lms_server.app.app_context():
        profile = profile_of("anon-sub")
        assert profile.email.endswith("@lti.invalid")
        account = session.get(Account, int(profile.user_id))
        assert account is not None and account.email == profile.email
        session.remove()


def test_email_of_an_existing_account_is_not_taken(
    lms_server: LiveLMS, platform: RunningPlatform
) -> None:
    """A platform cannot sign anyone into an existing LMS account by sharing its email."""
    result = lms_server.app.test_cli_runner().invoke(
        args=["lms", "users", "create", "ana@school.example", "--password-stdin"],
        input="correct horse battery\n",
    )
    assert result.exit_code == 0, result.output
    setup_learner(lms_server, platform)
    Browser(lms_server).launch(platform, "ana", "quiz")
    with lms_server.app.app_context():
        profile = profile_of("ana-sub")
        assert profile.email.endswith("@lti.invalid")
        assert session.scalar(sa.select(sa.func.count()).select_from(Account)) == 2
        session.remove()
