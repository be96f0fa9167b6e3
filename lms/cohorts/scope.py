"""Who may see and manage which cohort: the one place the teaching pages ask.

- Admins: every cohort, and the admin-only actions (create a cohort, change its settings,
  assign instructors).
- Instructors: only the cohorts they are assigned to (`cohort.instructors`). Another
  cohort's address answers **404**, exactly as a cohort that does not exist, so an
  instructor cannot even learn which cohorts exist. An admin-only action on their own
  cohort answers 403 (they know that cohort exists).
- Learners: 403 on every teaching page, before any cohort is looked up.
- Anonymous visitors: sent to sign in (`login_required`).

Views call `staff_profile()` (through the `staff_required` decorator) and then
`cohort_or_404(...)`; nothing else decides access.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import abort

from lms.access import current_profile, role_required
from lms.database import session, valid_id
from lms.models import Cohort, Profile, Role, cohort_instructor

F = TypeVar("F", bound=Callable[..., Any])

NO_COHORT = "There is no cohort at this address, or it is not one of yours."
ADMINS_ONLY = "Only admins can do this. Ask an admin if it needs doing."


def staff_required(view: F) -> F:
    """Anonymous: sign in. Learners: 403. Instructors and admins: go on."""
    return role_required(Role.INSTRUCTOR, Role.ADMIN)(view)


def staff_profile() -> Profile:
    """The signed-in instructor or admin (views are wrapped in `staff_required`)."""
    profile = current_profile()
    if profile is None or not profile.is_staff:
        abort(403)
    return profile


def require_admin(profile: Profile) -> None:
    if not profile.is_admin:
        abort(403, description=ADMINS_ONLY)


def is_cohort_instructor(profile: Profile, cohort_id: int) -> bool:
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(cohort_instructor)
            .where(
                cohort_instructor.c.cohort_id == cohort_id,
                cohort_instructor.c.profile_id == profile.id,
            )
        )
        or 0
    ) > 0


def may_manage(profile: Profile, cohort: Cohort) -> bool:
    """Admins manage every cohort; instructors the ones they are assigned to."""
    if profile.is_admin:
        return True
    return profile.is_staff and is_cohort_instructor(profile, cohort.id)


def cohort_or_404(profile: Profile, cohort_id: int, *, admin_only: bool = False) -> Cohort:
    """The cohort, if this profile may manage it; else 404 (never revealing it exists).

    With `admin_only`, an instructor of the cohort gets 403 after the scope check.
    """
    cohort = None
    if valid_id(cohort_id) and profile.is_staff:  # the scope check in the same query
        cohort = session.scalar(cohorts_in_scope(profile).where(Cohort.id == cohort_id))
    if cohort is None:
        abort(404, description=NO_COHORT)
    if admin_only:
        require_admin(profile)
    return cohort


def cohorts_in_scope(profile: Profile) -> sa.Select[tuple[Cohort]]:
    """A query of the cohorts this profile may manage."""
    query = sa.select(Cohort)
    if not profile.is_admin:
        query = query.where(
            Cohort.id.in_(
                sa.select(cohort_instructor.c.cohort_id).where(
                    cohort_instructor.c.profile_id == profile.id
                )
            )
        )
    return query
