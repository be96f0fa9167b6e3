"""What the LMS issues and sends: certificates, in-app notifications, outgoing mail."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.database import Base, UTCDateTime, utcnow
from lms.models.offerings import Enrolment


class Certificate(Base):
    """A completion certificate; its details are frozen at issue for public verification.

    An enrolment has at most one current certificate; a reissued one points to the
    certificate that superseded it, a revoked one says when and why.
    """

    __tablename__ = "lms_certificate"
    __table_args__ = (sa.Index("ix_lms_certificate_enrolment_id", "enrolment_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    enrolment_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_enrolment.id"))
    code: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    learner_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    course_title: so.Mapped[str] = so.mapped_column(sa.String(200))
    ce_hours: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(6, 2))
    licence: so.Mapped[str | None] = so.mapped_column(sa.String(170))
    issued_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    #: When the learner met the last requirement.
    completed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    provider: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    accreditation_statement: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: [{"type": "...", "amount": "3.00"}, ...]
    credits: so.Mapped[list[dict[str, Any]]] = so.mapped_column(sa.JSON, default=list)
    #: The activity's dates as the certificate states them, e.g. "1 Dec 2026 to ..."
    activity_dates: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revoked_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("lms_profile.id"))
    #: Shown to admins only.
    revoked_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    superseded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("lms_certificate.id"))

    enrolment: so.Mapped[Enrolment] = so.relationship()
    superseded_by: so.Mapped[Certificate | None] = so.relationship(remote_side=[id])

    @property
    def status(self) -> str:
        """valid, revoked or superseded."""
        if self.revoked_at is not None:
            return "revoked"
        if self.superseded_by_id is not None:
            return "superseded"
        return "valid"

    @property
    def is_current(self) -> bool:
        return self.status == "valid"


class BadgeCredential(Base):
    """A certificate's Open Badges 3.0 credential: signed once, on first request, then
    served exactly as stored (lms.badges.service).

    Its revocation bit is `status_index` in the status list `status_list`; the bit is set
    while the certificate is revoked or superseded.
    """

    __tablename__ = "lms_badge_credential"
    __table_args__ = (sa.UniqueConstraint("status_list", "status_index"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    certificate_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("lms_certificate.id"), unique=True
    )
    status_list: so.Mapped[str] = so.mapped_column(sa.String(16))
    status_index: so.Mapped[int]
    signed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    #: The signed credential, as the JSON text served (every download is these bytes).
    document: so.Mapped[str] = so.mapped_column(sa.Text)

    certificate: so.Mapped[Certificate] = so.relationship()


class Notification(Base):
    __tablename__ = "lms_notification"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    profile_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_profile.id"), index=True)
    message: so.Mapped[str] = so.mapped_column(sa.String(500))
    link: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    read_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """Every mail the LMS sends, kept so an admin can read it (and the only copy when no
    SMTP server is configured)."""

    __tablename__ = "lms_outbox"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    to_address: so.Mapped[str] = so.mapped_column(sa.String(254))
    subject: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    error: so.Mapped[str | None] = so.mapped_column(sa.Text)
