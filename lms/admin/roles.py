"""Changing who is a learner, instructor or admin (admins only; operations flush)."""

from __future__ import annotations

from lms.database import lock_rows, session
from lms.models import Profile, Role


class RoleError(ValueError):
    """The role change cannot be made; the message says why."""


def change_role(actor: Profile, profile: Profile, role: Role) -> None:
    """Give `profile` a new role. Only admins may; the last admin cannot be demoted.

    The admins' rows are locked before they are counted, so two admins demoting each
    other at the same moment are served one after the other: the second sees the first's
    change (it is no longer an admin, or the other is the last one) and is refused.
    """
    admins = locked_admins(actor, "change roles")
    if role is not Role.ADMIN:
        refuse_last_admin(profile, admins)
    profile.role = role
    session.flush()


def locked_admins(actor: Profile, action: str) -> set[int]:
    """The admins' ids, their rows locked, once `actor` is checked to be one of them
    (RoleError otherwise): what every change to who runs the site starts with."""
    if not actor.is_admin:
        raise RoleError(f"Only admins can {action}.")
    admins = lock_rows(Profile, Profile.role == Role.ADMIN)
    if actor.id not in admins:
        raise RoleError(f"You are no longer an admin, so you cannot {action}.")
    return admins


def refuse_last_admin(profile: Profile, admins: set[int]) -> None:
    if profile.id in admins and len(admins) <= 1:
        raise RoleError("This is the only admin. Make someone else an admin first.")
