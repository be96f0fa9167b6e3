"""Names and Role Provisioning: bring a platform course's roster into its LMS cohort.

`sync_roster(context)` reads the context's members from the platform (the memberships URL
its launches carry) and, for a cohort course: members with a teaching role become the
cohort's instructors; active learners get a profile (as on a first launch) and join the
cohort; learners the LMS enrolled in this cohort for this platform who are no longer
members (or are Inactive or Deleted) are withdrawn, their records kept. Nobody is
duplicated: a member is the same `LtiUser` (issuer + user id) as at launch.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import sqlalchemy as sa
from pylti1p3.contrib.flask import FlaskServiceConnector
from pylti1p3.names_roles import NamesRolesProvisioningService

from lms.database import session, utcnow
from lms.learning.enrolment import leave
from lms.lti.provision import LaunchRefusedError, _place_in_cohort, is_teaching, provision_user
from lms.lti.tool import registration_for
from lms.models import Course, Enrolment, EnrolmentStatus, LtiContext, LtiUser, Track

log = logging.getLogger(__name__)


class RosterError(RuntimeError):
    """The roster cannot be synced; the message says why."""


@dataclass
class RosterResult:
    added: list[str] = field(default_factory=list)
    departed: list[str] = field(default_factory=list)
    instructors: list[str] = field(default_factory=list)
    unchanged: int = 0
    refused: list[str] = field(default_factory=list)


def sync_roster(lti_context: LtiContext) -> RosterResult:
    """Sync the context's cohort with the platform's roster (flushes; caller commits).
    Raises RosterError when it cannot (no roster service, no cohort yet, platform down)."""
    course = session.get(Course, lti_context.course_id)
    assert course is not None
    if course.track is not Track.COHORT or lti_context.cohort_id is None:
        raise RosterError(
            "Only a cohort made for a platform course has a roster to sync "
            "(an instructor opens the course from the platform first)."
        )
    if not lti_context.memberships_url:
        raise RosterError("The platform did not offer its roster (Names and Role service).")
    platform = lti_context.deployment.platform
    service = NamesRolesProvisioningService(
        FlaskServiceConnector(registration_for(platform)),
        {"context_memberships_url": lti_context.memberships_url},
    )
    try:
        members = service.get_members()
    except Exception as error:
        raise RosterError(f"The platform's roster could not be read: {error}") from error

    result = RosterResult()
    present: set[str] = set()
    for member in members:
        sub = member.get("user_id")
        if not isinstance(sub, str) or not sub:
            continue
        if member.get("status", "Active") != "Active":
            continue
        present.add(sub)
        teaching = is_teaching(member.get("roles"))
        known = session.scalar(
            sa.select(LtiUser.id).where(LtiUser.platform_id == platform.id, LtiUser.sub == sub)
        )
        lti_user, _ = provision_user(platform, {"sub": sub, **_shared(member)})
        profile = lti_user.profile
        enrolment = _enrolment(profile.id, course.id)
        was_in = (
            enrolment is not None
            and enrolment.cohort_id == lti_context.cohort_id
            and enrolment.status is not EnrolmentStatus.WITHDRAWN
        )
        try:
            _place_in_cohort(lti_context, course, profile, teaching)
        except LaunchRefusedError as error:
            result.refused.append(f"{sub}: {error.message}")
            continue
        if teaching:
            result.instructors.append(sub)
        elif was_in and known:
            result.unchanged += 1
        else:
            result.added.append(sub)

    for lti_user, enrolment in session.execute(
        sa.select(LtiUser, Enrolment)
        .join(Enrolment, Enrolment.profile_id == LtiUser.profile_id)
        .where(
            LtiUser.platform_id == platform.id,
            Enrolment.cohort_id == lti_context.cohort_id,
            Enrolment.status != EnrolmentStatus.WITHDRAWN,
        )
    ).all():
        if lti_user.sub not in present:
            leave(enrolment)
            result.departed.append(lti_user.sub)
    lti_context.roster_synced_at = utcnow()
    session.flush()
    log.info(
        "LTI roster of context %s: %d added, %d departed, %d unchanged",
        lti_context.context_id,
        len(result.added),
        len(result.departed),
        result.unchanged,
    )
    return result


def _shared(member: dict[str, object]) -> dict[str, object]:
    return {k: member[k] for k in ("name", "given_name", "family_name", "email") if k in member}


def _enrolment(profile_id: int, course_id: int) -> Enrolment | None:
    return session.scalar(
        sa.select(Enrolment).where(
            Enrolment.profile_id == profile_id, Enrolment.course_id == course_id
        )
    )
