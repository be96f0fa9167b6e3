"""A user's LMS profile: found by key, made on first visit, refused to a reused key;
re-keying existing profiles; pseudonymising a gone user's profile.

Plain functions on the app's session; views and commands stay thin.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, g, has_request_context

from lms.ce.record import record
from lms.database import session, utcnow
from lms.identity.info import checked_user_info
from lms.identity.keys import checked_key, find_user_model, user_marker
from lms.models import Profile, Role

log = logging.getLogger("lms.identity")


def _state() -> Any:
    return current_app.extensions["lms"]


def key_of(user: Any) -> str:
    """The key the current app's LMS keeps `user`'s profile under."""
    return checked_key(user, _state().user_key)


def user_model() -> type | None:
    """The host's user model: `LMS(app, user_model=...)`, else the one mapped class of
    the app's Flask-SQLAlchemy models that Flask-Login can sign in, else the class of the
    first user seen signed in."""
    state = _state()
    if state.user_model is None:
        model_class = getattr(current_app.extensions["sqlalchemy"], "Model", None)
        registry = getattr(model_class, "registry", None)
        if registry is not None:
            state.user_model = find_user_model([registry])
    return state.user_model  # type: ignore[no-any-return]


def remember_profile(key: str, profile: Profile | None) -> None:
    """Hand this request's `profile_for` the profile kept under `key` (None: none yet),
    loaded with the user: the standalone app's user loader reads both in one query."""
    g.lms_preloaded_profile = (key, profile)


def profile_for(user: Any) -> Profile:
    """`user`'s profile, made on their first visit; name and email kept current.

    A profile made for another user who had the same key (their marker differs: the
    host deleted them without the ORM and gave the key to someone new) is pseudonymised,
    with a warning in the log, and this user gets a fresh profile.
    """
    state = _state()
    if state.user_model is None and sa.inspect(type(user), raiseerr=False) is not None:
        state.user_model = type(user)
    key = key_of(user)
    info = checked_user_info(state.user_info(user), state.user_info)
    marker = user_marker(user)
    preloaded = g.pop("lms_preloaded_profile", None) if has_request_context() else None
    if preloaded is not None and preloaded[0] == key:
        profile = preloaded[1]
    else:
        profile = session.scalar(sa.select(Profile).where(Profile.user_id == key))
    if profile is not None and marker and profile.user_marker and profile.user_marker != marker:
        log.warning(
            "LMS profile %s was made for another user with key %r, who is gone (a "
            "different creation time or email now has that key): it is not given to the "
            "new user; it is pseudonymised (CE record kept) and the new user gets a new "
            "profile. Delete users through the ORM, or call lms.forget_user(key) when you "
            "delete one, to keep this from happening.",
            profile.id,
            key,
        )
        pseudonymise(session, profile, "the user's key was reused by a new user")
        session.flush()
        profile = None
    if profile is None:
        profile = Profile(
            user_id=key,
            user_marker=marker,
            email=info.email,
            display_name=info.name,
            timezone=current_app.config["LMS_DEFAULT_TIMEZONE"],
        )
        session.add(profile)
        session.commit()
        return profile
    if (profile.email, profile.display_name) != (info.email, info.name) or (
        marker and not profile.user_marker
    ):
        profile.email, profile.display_name = info.email, info.name
        profile.user_marker = profile.user_marker or marker
        session.commit()
    return profile


def pseudonymise(db: so.Session, profile: Profile, reason: str) -> None:
    """Unlink `profile` from its user and replace what identifies them; the CE record
    (and issued certificates, as issued) stay untouched, with a `learner_removed` entry."""
    profile.user_id = None
    profile.user_marker = None
    profile.email = f"removed-{profile.id}@invalid"
    profile.display_name = f"Removed learner {profile.id}"
    profile.licence_type = None
    profile.licence_number = None
    profile.board_id = None
    profile.birth_month = None
    profile.birth_day = None
    profile.role = Role.LEARNER
    profile.forgotten_at = utcnow()
    record(db, "learner_removed", profile_id=profile.id, note=reason)


def forget_user(key: str | int, reason: str = "the host deleted the user") -> bool:
    """Pseudonymise the profile of the user with `key` (for hosts that delete users
    other than through the ORM) and commit. False when no profile has that key."""
    profile = session.scalar(sa.select(Profile).where(Profile.user_id == str(key)))
    if profile is None:
        return False
    pseudonymise(session, profile, reason)
    session.commit()
    return True


def forget_deleted_users(db: so.Session, users: Iterable[Any]) -> None:
    """Pseudonymise the profiles of users this flush deletes (the ORM hook)."""
    keys = [key_of(user) for user in users]
    if not keys:
        return
    for profile in db.scalars(sa.select(Profile).where(Profile.user_id.in_(keys))):
        pseudonymise(db, profile, "the host deleted the user")


def follow_changed_users(db: so.Session, users: Iterable[Any]) -> None:
    """Keep the marker of users this flush changes (a new email) on their profiles."""
    markers = {key_of(user): user_marker(user) for user in users}
    markers = {key: marker for key, marker in markers.items() if marker}
    if not markers:
        return
    for profile in db.scalars(sa.select(Profile).where(Profile.user_id.in_(list(markers)))):
        if profile.user_marker and profile.user_marker != markers[profile.user_id or ""]:
            profile.user_marker = markers[profile.user_id or ""]


@dataclass
class RekeyReport:
    """What `rekey_profiles` did, for the command's output."""

    rekeyed: list[str] = field(default_factory=list)
    marked: int = 0
    ambiguous: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [*self.rekeyed, *self.ambiguous]
        out.append(
            f"{len(self.rekeyed)} profile(s) re-keyed, {self.marked} marked with their "
            f"user, {len(self.ambiguous)} left for a person to decide."
        )
        return out


def rekey_profiles(users: Iterable[Any]) -> RekeyReport:
    """The migration path from profiles keyed by `get_id()` (before 0.2) to stable keys.

    For each host user: a profile already under the stable key gets the user's marker;
    else the profile under the user's `get_id()`, else the one unlinked profile with
    the user's email, moves to the stable key. Several candidates (a Flask-Security user
    who changed their password has the old profile with their history and a new, empty
    one): the oldest is kept, the others are listed for a person to merge or forget.
    """
    report = RekeyReport()
    users = list(users)
    keys = {key_of(user): user for user in users}
    linked = set(session.scalars(sa.select(Profile.user_id).where(Profile.user_id.in_(keys))))
    for key, user in keys.items():
        marker = user_marker(user)
        if key in linked:
            profile = session.scalar(sa.select(Profile).where(Profile.user_id == key))
            if profile is not None and marker and not profile.user_marker:
                profile.user_marker = marker
                report.marked += 1
            continue
        email = str(getattr(user, "email", "") or "").strip().lower()
        candidates = session.scalars(
            sa.select(Profile)
            .where(
                Profile.user_id.is_not(None),
                Profile.user_id.not_in(keys),
                sa.or_(
                    Profile.user_id == str(user.get_id()),
                    sa.and_(sa.literal(email != ""), sa.func.lower(Profile.email) == email),
                ),
            )
            .order_by(Profile.created_at, Profile.id)
        ).all()
        if not candidates:
            continue
        keep, *others = candidates
        report.rekeyed.append(f"profile {keep.id} ({keep.email}): {keep.user_id} -> {key}")
        keep.user_id, keep.user_marker = key, marker
        if others:
            report.ambiguous.append(
                f"profile(s) {', '.join(str(o.id) for o in others)} also belong to "
                f"{keep.email}: merge them by hand or `flask lms users forget` their keys "
                f"({', '.join(str(o.user_id) for o in others)})"
            )
        session.flush()
    session.commit()
    return report
