"""A host user's LMS identity: stable for the user's life, never inherited by a new user
who gets a deleted user's id, pseudonymised (CE record kept) when the user goes."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from flask import Flask

import lms
from examples.host_app import db
from examples.host_app.models import User
from lms.models import CEEvent, Enrolment, Profile, Role
from tests.plugin.conftest import (
    add_user,
    cli,
    give_grade,
    profile_by_key,
    rows,
    sign_in,
    start_learning,
)


def ana_with_history(host: Flask) -> tuple[int, int]:
    """Ana, an LMS admin with an enrolment and a graded attempt; (user id, profile id)."""
    user_id = add_user(host, "ana@example.org", "Ana Alves")
    start_learning(host.test_client(), "ana@example.org")
    cli(host, "lms", "users", "set-role", "ana@example.org", "admin")
    profile = profile_by_key(host, str(user_id))
    assert profile is not None
    give_grade(host, profile.id)
    return user_id, profile.id


def assert_pseudonymised(host: Flask, profile_id: int, ce_before: list[tuple[object, ...]]) -> None:
    with host.app_context():
        profile = db.session.get(Profile, profile_id)
        assert profile is not None
        assert profile.user_id is None and profile.forgotten_at is not None
        assert profile.email == f"removed-{profile_id}@invalid"
        assert profile.display_name == f"Removed learner {profile_id}"
        assert profile.licence_number is None and profile.board_id is None
        assert profile.role is Role.LEARNER
        # Enrolments and attempts stay with the pseudonymised profile.
        assert db.session.scalar(
            sa.select(sa.func.count()).where(Enrolment.profile_id == profile_id)
        )
    ce_after = rows(host, CEEvent)
    assert ce_after[: len(ce_before)] == ce_before  # the CE record is untouched ...
    added = ce_after[len(ce_before) :]
    assert [(row[2], row[3]) for row in added] == [("learner_removed", profile_id)]  # ... + 1


def assert_starts_clean(host: Flask, email: str, old_profile_id: int) -> None:
    client = host.test_client()
    sign_in(client, email)
    first = client.get("/learn/dashboard")
    assert first.headers["Location"].startswith("/learn/profile/complete")  # a new profile
    page = client.get("/learn/profile/complete").get_data(as_text=True)
    assert ">Admin<" not in page
    with host.app_context():
        profile = db.session.scalar(sa.select(Profile).where(Profile.email == email))
        assert profile is not None and profile.id != old_profile_id
        assert profile.role is Role.LEARNER
        assert not db.session.scalar(
            sa.select(sa.func.count()).where(Enrolment.profile_id == profile.id)
        )


def test_a_user_deleted_through_the_orm_is_pseudonymised_and_their_id_starts_clean(
    host: Flask,
) -> None:
    user_id, profile_id = ana_with_history(host)
    ce_before = rows(host, CEEvent)
    assert ce_before  # the graded attempt is on the CE record
    with host.app_context():
        db.session.delete(db.session.get(User, user_id))
        db.session.commit()
    assert_pseudonymised(host, profile_id, ce_before)

    add_user(host, "bea@example.org", "Bea Brown", user_id=user_id)  # the same id again
    assert_starts_clean(host, "bea@example.org", profile_id)


def test_a_user_deleted_behind_the_orms_back_never_passes_on_their_profile(
    host: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    user_id, profile_id = ana_with_history(host)
    ce_before = rows(host, CEEvent)
    with host.app_context():
        db.session.execute(sa.text('DELETE FROM "user" WHERE id = :id'), {"id": user_id})
        db.session.commit()
    add_user(host, "bea@example.org", "Bea Brown", user_id=user_id)

    with caplog.at_level(logging.WARNING, logger="lms.identity"):
        assert_starts_clean(host, "bea@example.org", profile_id)
    assert f"LMS profile {profile_id} was made for another user with key '{user_id}'" in (
        caplog.text
    )
    assert_pseudonymised(host, profile_id, ce_before)


def test_hosts_that_delete_by_other_means_forget_with_a_command_or_a_call(host: Flask) -> None:
    user_id, profile_id = ana_with_history(host)
    ce_before = rows(host, CEEvent)
    refused = host.test_cli_runner().invoke(
        args=["lms", "users", "forget", str(user_id)], input="n\n"
    )
    assert refused.exit_code == 1 and "Aborted" in refused.output
    assert profile_by_key(host, str(user_id)) is not None

    output = cli(host, "lms", "users", "forget", str(user_id), "--yes")
    assert "pseudonymised; its CE record is kept" in output
    assert_pseudonymised(host, profile_id, ce_before)
    missing = host.test_cli_runner().invoke(args=["lms", "users", "forget", "999", "--yes"])
    assert missing.exit_code == 1 and "No LMS profile has the key '999'" in missing.output

    other = add_user(host, "cy@example.org", "Cy Chen")
    cy_client = host.test_client()
    sign_in(cy_client, "cy@example.org")
    cy_client.get("/learn/")
    with host.app_context():
        assert lms.forget_user(other) is True
        assert lms.forget_user(other) is False  # already forgotten: no profile has the key
    assert profile_by_key(host, str(other)) is None


def test_the_same_user_keeps_their_profile_across_sessions_and_email_changes(host: Flask) -> None:
    user_id, profile_id = ana_with_history(host)
    with host.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        user.email, user.full_name = "ana.alves@example.org", "Ana Alves-Silva"
        db.session.commit()
    client = host.test_client()
    sign_in(client, "ana.alves@example.org")
    page = client.get("/learn/dashboard").get_data(as_text=True)
    assert "Self-paced basics" in page and "Ana Alves-Silva" in page
    with host.app_context():
        profile = db.session.get(Profile, profile_id)
        assert profile is not None
        assert (profile.user_id, profile.email, profile.role) == (
            str(user_id),
            "ana.alves@example.org",
            Role.ADMIN,
        )
