"""Removing a person (admins): the profile is pseudonymised, the CE record and the
certificates as issued stay for the retention period (docs/CE.md), and in the standalone
app the sign-in goes too. Operations flush; the caller commits."""

from __future__ import annotations

from lms.admin.roles import RoleError
from lms.database import lock_rows, session
from lms.identity.profiles import pseudonymise, user_model
from lms.models import Account, Profile, Role


def remove_person(actor: Profile, profile: Profile, reason: str) -> None:
    """Pseudonymise `profile` (a `learner_removed` entry with `reason` joins the CE record)
    and, in the standalone app, delete its account so it cannot sign in again.

    RoleError when the actor is not an admin, removes themself or the last admin, or the
    person was removed already. The admins' rows are locked first, as for role changes.
    """
    if not actor.is_admin:
        raise RoleError("Only admins can remove people.")
    if profile.forgotten_at is not None:
        raise RoleError("This person was removed already.")
    if profile.id == actor.id:
        raise RoleError("You cannot remove yourself. Ask another admin.")
    admins = lock_rows(Profile, Profile.role == Role.ADMIN)
    if actor.id not in admins:
        raise RoleError("You are no longer an admin, so you cannot remove people.")
    if profile.id in admins and len(admins) <= 1:
        raise RoleError("This is the only admin. Make someone else an admin first.")
    account = None
    if user_model() is Account and profile.user_id and profile.user_id.isdigit():
        account = session.get(Account, int(profile.user_id))
    pseudonymise(session, profile, f"removed by an admin: {reason}")
    session.flush()  # unlinked first, so the deletion hook finds no profile to remove again
    if account is not None:
        session.delete(account)
        session.flush()
