"""LTI 1.3: the platforms that launch the LMS, the tool's keys, and what launches map to.

A platform (Canvas, Moodle, Open edX...) is registered by an admin with what it gives
(issuer, client id, its login, token and key-set URLs, deployment ids). Launches map a
platform user (`iss` + `sub`) to an LMS profile, a platform context (deployment + context
id) and LMS course to an offering (self-paced, or the cohort made for that context), and a
resource link to the quiz whose scores go back to the platform's line item.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.database import Base, UTCDateTime, utcnow
from lms.models.accounts import Profile


class LtiPlatform(Base):
    """A platform registration: one issuer and client id (a platform may have several)."""

    __tablename__ = "lms_lti_platform"
    __table_args__ = (sa.UniqueConstraint("issuer", "client_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    issuer: so.Mapped[str] = so.mapped_column(sa.String(255))
    client_id: so.Mapped[str] = so.mapped_column(sa.String(255))
    auth_login_url: so.Mapped[str] = so.mapped_column(sa.String(1000))
    auth_token_url: so.Mapped[str] = so.mapped_column(sa.String(1000))
    keyset_url: so.Mapped[str] = so.mapped_column(sa.String(1000))
    #: The `aud` of the tool's token request when the platform wants one other than the
    #: token URL (Moodle, Canvas: none).
    auth_audience: so.Mapped[str | None] = so.mapped_column(sa.String(1000))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    deployments: so.Mapped[list[LtiDeployment]] = so.relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="LtiDeployment.id"
    )


class LtiDeployment(Base):
    """A deployment id the platform told us about at registration (launches from any
    other deployment are refused)."""

    __tablename__ = "lms_lti_deployment"
    __table_args__ = (sa.UniqueConstraint("platform_id", "deployment_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    platform_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_lti_platform.id"))
    deployment_id: so.Mapped[str] = so.mapped_column(sa.String(255))

    platform: so.Mapped[LtiPlatform] = so.relationship(back_populates="deployments")


class LtiKey(Base):
    """The tool's RSA signing keys. The newest unretired key signs; a retired key stays
    in the published key set until LMS_LTI_RETIRED_KEY_HOURS have passed."""

    __tablename__ = "lms_lti_key"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kid: so.Mapped[str] = so.mapped_column(sa.String(100), unique=True)
    #: PKCS#8 PEM, unencrypted: keep the database as secret as the app's secret key.
    private_key_pem: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    retired_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


class LtiUser(Base):
    """A platform user (`iss` + `sub`) and the LMS profile made on their first launch."""

    __tablename__ = "lms_lti_user"
    __table_args__ = (sa.UniqueConstraint("platform_id", "sub"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    platform_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_lti_platform.id"))
    sub: so.Mapped[str] = so.mapped_column(sa.String(255))
    profile_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_profile.id"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_launch_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    platform: so.Mapped[LtiPlatform] = so.relationship()
    profile: so.Mapped[Profile] = so.relationship()


class LtiContext(Base):
    """A platform course (context) within a deployment, for one LMS course: its learners
    are enrolled self-paced, or in the cohort made on its first instructor launch."""

    __tablename__ = "lms_lti_context"
    __table_args__ = (sa.UniqueConstraint("deployment_id", "context_id", "course_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    deployment_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_lti_deployment.id"))
    context_id: so.Mapped[str] = so.mapped_column(sa.String(255))
    course_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_course.id"), index=True)
    cohort_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("lms_cohort.id"))
    title: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    #: Names and Role Provisioning: the context's memberships URL (from the latest launch).
    memberships_url: so.Mapped[str | None] = so.mapped_column(sa.String(1000))
    roster_synced_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    deployment: so.Mapped[LtiDeployment] = so.relationship()


class LtiResourceLink(Base):
    """A link placed in a platform context; for a quiz, where its scores go (AGS)."""

    __tablename__ = "lms_lti_resource_link"
    __table_args__ = (sa.UniqueConstraint("context_id", "resource_link_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    context_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_lti_context.id"))
    resource_link_id: so.Mapped[str] = so.mapped_column(sa.String(255))
    quiz_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("lms_quiz.id"), index=True)
    #: The AGS claim of the latest launch: line item URL(s) and the scopes granted.
    lineitem_url: so.Mapped[str | None] = so.mapped_column(sa.String(1000))
    lineitems_url: so.Mapped[str | None] = so.mapped_column(sa.String(1000))
    ags_scopes: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)

    context: so.Mapped[LtiContext] = so.relationship()


class LtiLaunchedLink(Base):
    """A platform user launched a resource link: their scores for its quiz go back there."""

    __tablename__ = "lms_lti_launched_link"
    __table_args__ = (sa.UniqueConstraint("lti_user_id", "resource_link_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    lti_user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_lti_user.id"))
    resource_link_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("lms_lti_resource_link.id"), index=True
    )

    lti_user: so.Mapped[LtiUser] = so.relationship()
    resource_link: so.Mapped[LtiResourceLink] = so.relationship()


class LtiScore(Base):
    """A score to send to a platform's line item (written in the grading transaction).

    `key` makes sending idempotent: the same result for the same line item and user is
    recorded once, so it is never posted twice; a new result (a regrade) is a new row.
    """

    __tablename__ = "lms_lti_score"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    resource_link_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("lms_lti_resource_link.id"), index=True
    )
    lti_user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_lti_user.id"), index=True)
    payload: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    tries: so.Mapped[int] = so.mapped_column(default=0)
    last_error: so.Mapped[str] = so.mapped_column(sa.Text, default="")


class LtiStoredValue(Base):
    """Short-lived protocol state for the LTI library (nonces, launch data), with expiry.

    Kept in the database rather than the session: the launch is a cross-site POST, which
    the browser sends without the LMS's (SameSite=Lax) session cookie.
    """

    __tablename__ = "lms_lti_stored_value"

    key: so.Mapped[str] = so.mapped_column(sa.String(255), primary_key=True)
    value: so.Mapped[Any] = so.mapped_column(sa.JSON)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
