"""Changing who is a learner, instructor or admin (admins only; operations flush)."""

from __future__ import annotations

import sqlalchemy as sa

from lms.database import session
from lms.models import Profile, Role


class RoleError(ValueError):
    """The role change cannot be made; the message says why."""


def change_role(actor: Profile, profile: Profile, role: Role) -> None:
    """Give `profile` a new role. Only admins may; the last admin cannot be demoted."""
    if not actor.is_admin:
        raise RoleError("Only admins can change roles.")
    if profile.role is Role.ADMIN and role is not Role.ADMIN:
        admins = session.scalar(
            sa.select(sa.func.count(Profile.id)).where(Profile.role == Role.ADMIN)
        )
        if (admins or 0) <= 1:
            raise RoleError("This is the only admin. Make someone else an admin first.")
    profile.role = role
    session.flush()
