"""What a validated launch means in the LMS: who (a profile), where (an offering of a
course), what (a course, module, lesson or quiz), and where its scores go.

Plain functions over the launch's claims (the id_token body the library validated):

- the platform user (`iss` + `sub`) is an `LtiUser` with a profile of its own, made on the
  first launch with the name and email the platform shares (none: a placeholder);
- the context (deployment + context id) for the launched course is an `LtiContext`: its
  learners are enrolled self-paced, or in the cohort made on the context's first
  instructor launch, whose instructors are the platform's instructors;
- roles count only in that context: a platform Instructor teaches the context's cohort,
  never anything else, and no platform role makes anyone an LMS admin;
- the resource link remembers its quiz and AGS line item, for the scores.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from werkzeug.exceptions import HTTPException
from werkzeug.security import generate_password_hash

from lms.cohorts.service import create_cohort
from lms.database import session, utcnow
from lms.learning.enrolment import EnrolmentError, enrol_self_paced, find_enrolment, join_cohort
from lms.links import base_url
from lms.models import (
    Account,
    Cohort,
    Course,
    EnrolmentStatus,
    Lesson,
    LtiContext,
    LtiDeployment,
    LtiLaunchedLink,
    LtiPlatform,
    LtiResourceLink,
    LtiUser,
    Module,
    Profile,
    Quiz,
    Role,
    Track,
)

log = logging.getLogger(__name__)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
#: Context roles that teach (LIS membership roles, and the short names LTI 1.3 allows).
TEACHING_ROLES = frozenset(
    {
        MEMBERSHIP + "Instructor",
        MEMBERSHIP + "Administrator",
        MEMBERSHIP + "ContentDeveloper",
        "Instructor",
        "Administrator",
        "ContentDeveloper",
    }
)
TEACHING_SUB_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#"


class LaunchRefusedError(Exception):
    """A launch the LMS will not act on: `status` (4xx) and a message saying what is wrong."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Target:
    """What a launch opens."""

    course: Course
    path: str  # the LMS page to show
    quiz: Quiz | None = None


@dataclass(frozen=True)
class Launched:
    account: Account
    profile: Profile
    target: Target
    teaching: bool


def claim(body: dict[str, Any], name: str) -> Any:
    return body.get(CLAIM + name)


def is_teaching(roles: Any) -> bool:
    """Whether the launch's roles teach in its context (institution roles do not count)."""
    if not isinstance(roles, list):
        return False
    return any(
        isinstance(role, str) and (role in TEACHING_ROLES or role.startswith(TEACHING_SUB_ROLE))
        for role in roles
    )


# -- what ---------------------------------------------------------------------------------------


def resolve_target(uri: Any) -> Target:
    """The course, module, lesson or quiz a target link URI names: an LMS address (a
    course page, optionally with `?module=<slug>`, a lesson page or a quiz page)."""
    if not isinstance(uri, str) or not uri:
        raise LaunchRefusedError("The launch does not say what to open (no target_link_uri claim).")
    parts = urlsplit(uri)
    site = urlsplit(base_url())
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
        raise LaunchRefusedError(f"The launch's target {uri} is not an address of this site.")
    script = site.path.rstrip("/")
    if script and not parts.path.startswith(script + "/"):
        raise LaunchRefusedError(f"The launch's target {uri} is not an address of this site.")
    adapter = current_app.url_map.bind(site.netloc, script_name=script or "/")
    try:
        endpoint, args = adapter.match(parts.path[len(script) :] or "/", method="GET")
    except HTTPException:
        raise LaunchRefusedError(f"The launch's target {uri} is not a page of this site.") from None
    name = current_app.extensions["lms"].name + "."
    view = str(endpoint).removeprefix(name)
    course = session.scalar(sa.select(Course).where(Course.slug == args.get("slug")))
    if course is None or view not in {"learning.course_home", "learning.lesson", "quizzes.quiz"}:
        raise LaunchRefusedError(
            f"The launch's target {uri} is not a course, module, lesson or quiz of this site.", 404
        )
    if view == "learning.lesson":
        lesson = session.scalar(
            sa.select(Lesson).where(
                Lesson.course_id == course.id, Lesson.slug == args["lesson_slug"]
            )
        )
        if lesson is None:
            raise LaunchRefusedError(f"The lesson at {uri} does not exist.", 404)
        return Target(course, parts.path)
    if view == "quizzes.quiz":
        quiz = session.scalar(
            sa.select(Quiz).where(Quiz.course_id == course.id, Quiz.slug == args["quiz_slug"])
        )
        if quiz is None:
            raise LaunchRefusedError(f"The quiz at {uri} does not exist.", 404)
        return Target(course, parts.path, quiz)
    module_slug = dict(
        pair.split("=", 1) for pair in parts.query.split("&") if pair.count("=") == 1
    ).get("module")
    if module_slug:
        module = session.scalar(
            sa.select(Module).where(Module.course_id == course.id, Module.slug == module_slug)
        )
        if module is None:
            raise LaunchRefusedError(f"The module {module_slug!r} is not in “{course.title}”.", 404)
        return Target(course, f"{parts.path}#module-{module.slug}")
    return Target(course, parts.path)


# -- who ----------------------------------------------------------------------------------------


def _shared_name(body: dict[str, Any]) -> str | None:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        given, family = body.get("given_name"), body.get("family_name")
        name = " ".join(p for p in (given, family) if isinstance(p, str) and p.strip())
    return name.strip()[:120] if name and name.strip() else None


def _shared_email(body: dict[str, Any]) -> str | None:
    email = body.get("email")
    if isinstance(email, str) and "@" in email and len(email) <= 254:
        return email.strip().lower()
    return None


def _email_free(email: str, other_than: int | None = None) -> bool:
    query = sa.select(Account.id).where(sa.func.lower(Account.email) == email)
    if other_than is not None:
        query = query.where(Account.id != other_than)
    return session.scalar(query) is None


def placeholder_email(platform: LtiPlatform, sub: str) -> str:
    digest = hashlib.sha256(f"{platform.issuer}\n{sub}".encode()).hexdigest()[:24]
    return f"lti-{digest}@lti.invalid"


def provision_user(platform: LtiPlatform, body: dict[str, Any]) -> tuple[LtiUser, Account]:
    """The platform user's LtiUser and account, made on the first launch; the name and
    email follow what the platform shares (an email another account has is not taken)."""
    sub = body.get("sub")
    if not isinstance(sub, str) or not sub or len(sub) > 255:
        raise LaunchRefusedError("The launch does not say who the user is (no valid sub claim).")
    name, email = _shared_name(body), _shared_email(body)
    lti_user = session.scalar(
        sa.select(LtiUser).where(LtiUser.platform_id == platform.id, LtiUser.sub == sub)
    )
    if lti_user is None:
        use_email = email if email and _email_free(email) else placeholder_email(platform, sub)
        account = Account(
            email=use_email,
            name=name or "Learner",
            # No password: they sign in through the platform (a reset link could set one).
            password_hash=generate_password_hash(secrets.token_urlsafe(32)),
        )
        session.add(account)
        session.flush()
        profile = Profile(
            user_id=str(account.id),
            email=account.email,
            display_name=account.name,
            timezone=current_app.config["LMS_DEFAULT_TIMEZONE"],
        )
        session.add(profile)
        session.flush()
        lti_user = LtiUser(platform_id=platform.id, sub=sub, profile_id=profile.id)
        session.add(lti_user)
        session.flush()
        log.info("LTI: new user %s from %s (profile %s)", sub, platform.issuer, profile.id)
        return lti_user, account
    lti_user.last_launch_at = utcnow()
    account = session.get(Account, int(lti_user.profile.user_id))
    if account is None:
        raise LaunchRefusedError("The LMS account for this platform user was removed.", 403)
    if not account.active:
        raise LaunchRefusedError("This person's LMS account is disabled.", 403)
    if name and name != account.name:
        account.name = lti_user.profile.display_name = name
    if email and email != account.email.lower() and _email_free(email, account.id):
        account.email = lti_user.profile.email = email
    session.flush()
    return lti_user, account


# -- where --------------------------------------------------------------------------------------


def map_context(
    deployment: LtiDeployment,
    body: dict[str, Any],
    course: Course,
    profile: Profile,
    teaching: bool,
) -> LtiContext:
    """The LtiContext for the launch's platform course and this LMS course (made on first
    launch; a cohort course's cohort on the first instructor launch), with the launching
    person placed in its offering: enrolled, or teaching its cohort."""
    context = claim(body, "context")
    context_id = context.get("id") if isinstance(context, dict) else None
    if not isinstance(context_id, str) or not context_id or len(context_id) > 255:
        raise LaunchRefusedError("The launch has no course context (no context claim with an id).")
    title = context.get("title") or context.get("label") or context_id
    lti_context = session.scalar(
        sa.select(LtiContext).where(
            LtiContext.deployment_id == deployment.id,
            LtiContext.context_id == context_id,
            LtiContext.course_id == course.id,
        )
    )
    if lti_context is None:
        lti_context = LtiContext(
            deployment_id=deployment.id,
            context_id=context_id,
            course_id=course.id,
            title=str(title)[:255],
        )
        session.add(lti_context)
        session.flush()
    nrps = body.get(NRPS_CLAIM)
    url = nrps.get("context_memberships_url") if isinstance(nrps, dict) else None
    if isinstance(url, str) and url.startswith(("https://", "http://")) and len(url) <= 1000:
        lti_context.memberships_url = url
    if course.track is Track.COHORT:
        _place_in_cohort(lti_context, course, profile, teaching)
    elif not teaching:
        _enrol_self_paced(lti_context, course, profile)
    return lti_context


def _cohort_enrolment_elsewhere(profile: Profile, course: Course, cohort_id: int | None) -> bool:
    enrolment = find_enrolment(profile, course)
    return (
        enrolment is not None
        and enrolment.status is not EnrolmentStatus.WITHDRAWN
        and enrolment.cohort_id != cohort_id
    )


def _place_in_cohort(
    lti_context: LtiContext, course: Course, profile: Profile, teaching: bool
) -> None:
    platform = lti_context.deployment.platform
    if lti_context.cohort_id is None:
        if not teaching:
            raise LaunchRefusedError(
                f"“{course.title}” has not been opened for this {platform.name} course yet: "
                "an instructor of the course opens it once, then learners can join.",
                409,
            )
        cohort = create_cohort(
            course,
            f"{lti_context.title} ({platform.name})"[:120],
            date.today(),
            is_open=False,  # joined through the platform only
            timezone=current_app.config["LMS_DEFAULT_TIMEZONE"],
        )
        lti_context.cohort_id = cohort.id
        session.flush()
        log.info("LTI: cohort %s made for context %s", cohort.id, lti_context.context_id)
    cohort = session.get(Cohort, lti_context.cohort_id)
    assert cohort is not None
    if teaching:
        if profile not in cohort.instructors:
            cohort.instructors.append(profile)
        if profile.role is Role.LEARNER:
            # Opens the teaching pages; what they show is scoped to assigned cohorts.
            profile.role = Role.INSTRUCTOR
        session.flush()
        return
    if _cohort_enrolment_elsewhere(profile, course, cohort.id):
        raise LaunchRefusedError(
            f"You are already taking “{course.title}” in another group, so this "
            f"{platform.name} course cannot open it for you. Ask your instructor.",
            403,
        )
    try:
        join_cohort(profile, cohort, invite_code=cohort.invite_code)
    except EnrolmentError as error:
        raise LaunchRefusedError(str(error), 403) from error


def _enrol_self_paced(lti_context: LtiContext, course: Course, profile: Profile) -> None:
    if _cohort_enrolment_elsewhere(profile, course, None):
        raise LaunchRefusedError(f"You are already taking “{course.title}” in a cohort.", 403)
    try:
        enrol_self_paced(profile, course)
    except EnrolmentError as error:
        raise LaunchRefusedError(str(error), 403) from error


def record_resource_link(
    lti_context: LtiContext, lti_user: LtiUser, body: dict[str, Any], target: Target, teaching: bool
) -> LtiResourceLink:
    """The resource link with its quiz and AGS endpoint; a learner's launch of a quiz
    link marks it as where their scores go."""
    link = claim(body, "resource_link") or {}
    link_id = link.get("id") if isinstance(link, dict) else None
    if not isinstance(link_id, str) or not link_id or len(link_id) > 255:
        raise LaunchRefusedError("The launch has no resource link id.")
    row = session.scalar(
        sa.select(LtiResourceLink).where(
            LtiResourceLink.context_id == lti_context.id,
            LtiResourceLink.resource_link_id == link_id,
        )
    )
    if row is None:
        row = LtiResourceLink(context_id=lti_context.id, resource_link_id=link_id)
        session.add(row)
    row.quiz_id = target.quiz.id if target.quiz else None
    ags = body.get(AGS_CLAIM)
    if isinstance(ags, dict):
        lineitem, lineitems = ags.get("lineitem"), ags.get("lineitems")
        row.lineitem_url = lineitem if isinstance(lineitem, str) else None
        row.lineitems_url = lineitems if isinstance(lineitems, str) else None
        scopes = ags.get("scope")
        row.ags_scopes = (
            [s for s in scopes if isinstance(s, str)] if isinstance(scopes, list) else []
        )
    session.flush()
    if target.quiz is not None and not teaching:
        exists = session.scalar(
            sa.select(LtiLaunchedLink.id).where(
                LtiLaunchedLink.lti_user_id == lti_user.id,
                LtiLaunchedLink.resource_link_id == row.id,
            )
        )
        if exists is None:
            session.add(LtiLaunchedLink(lti_user_id=lti_user.id, resource_link_id=row.id))
            session.flush()
    return row


# -- the whole launch ---------------------------------------------------------------------------


def check_audience(platform: LtiPlatform, body: dict[str, Any]) -> None:
    """`aud` names this tool's client id; with several audiences `azp` must be ours."""
    aud = body.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if platform.client_id not in audiences:
        raise LaunchRefusedError(
            "The id_token is not meant for this tool (its aud is another client id)."
        )
    azp = body.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != platform.client_id:
        raise LaunchRefusedError("The id_token's azp is not this tool's client id.")


def registered(body: dict[str, Any]) -> tuple[LtiPlatform, LtiDeployment]:
    """The launch's platform registration and deployment (refused when unknown)."""
    aud = body.get("aud")
    client_id = aud[0] if isinstance(aud, list) and aud else aud
    platform = session.scalar(
        sa.select(LtiPlatform).where(
            LtiPlatform.issuer == body.get("iss"), LtiPlatform.client_id == client_id
        )
    )
    if platform is None:
        raise LaunchRefusedError("This platform is not registered with the LMS.", 403)
    check_audience(platform, body)
    deployment = session.scalar(
        sa.select(LtiDeployment).where(
            LtiDeployment.platform_id == platform.id,
            LtiDeployment.deployment_id == claim(body, "deployment_id"),
        )
    )
    if deployment is None:
        raise LaunchRefusedError("This deployment is not registered with the LMS.", 403)
    return platform, deployment


def provision(body: dict[str, Any]) -> Launched:
    """Act on a validated resource-link launch (flushes; the caller commits)."""
    platform, deployment = registered(body)
    target = resolve_target(claim(body, "target_link_uri"))
    teaching = is_teaching(claim(body, "roles"))
    lti_user, account = provision_user(platform, body)
    profile = lti_user.profile
    lti_context = map_context(deployment, body, target.course, profile, teaching)
    record_resource_link(lti_context, lti_user, body, target, teaching)
    return Launched(account, profile, target, teaching)


def provision_deep_link(body: dict[str, Any]) -> tuple[Account, LtiPlatform]:
    """A deep-linking launch: an instructor of the context choosing what to add."""
    platform, _ = registered(body)
    if not is_teaching(claim(body, "roles")):
        raise LaunchRefusedError("Only the course's instructors can add LMS content to it.", 403)
    _, account = provision_user(platform, body)
    return account, platform
