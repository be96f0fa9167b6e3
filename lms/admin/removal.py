"""Removing a person (admins): the profile is pseudonymised, the CE record and the
certificates as issued stay for the retention period (docs/CE.md), and in the standalone
app the sign-in goes too. Operations flush; the caller commits."""

from __future__ import annotations

from lms.admin.roles import RoleError, locked_admins, refuse_last_admin
from lms.database import session
from lms.identity.profiles import pseudonymise, user_model
from lms.models import Account, Profile


def remove_person(actor: Profile, profile: Profile, reason: str) -> None:
    """Pseudonymise `profile` (a `learner_removed` entry with `reason` joins the CE record)
    and, in the standalone app, delete its account so it cannot sign in again.

    RoleError when the actor is not an admin, removes themself or the last admin, or the
    person was removed already. The admins' rows are locked first, as for role changes.
    """
    admins = locked_admins(actor, "remove people")
    if profile.forgotten_at is not None:
        raise RoleError("This person was removed already.")
    if profile.id == actor.id:
        raise RoleError("You cannot remove yourself. Ask another admin.")
    refuse_last_admin(profile, admins)
    account = None
    if user_model() is Account and profile.user_id and profile.user_id.isdigit():
        account = session.get(Account, int(profile.user_id))
    pseudonymise(session, profile, f"removed by an admin: {reason}")
    session.flush()  # unlinked first, so the deletion hook finds no profile to remove again
    if account is not None:
        session.delete(account)
        session.flush()
