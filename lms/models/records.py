"""What the LMS issues and sends: certificates, in-app notifications, outgoing mail."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.database import Base, UTCDateTime, utcnow
from lms.models.offerings import Enrolment


class Certificate(Base):
    """A completion certificate; its details are frozen at issue for public verification."""

    __tablename__ = "lms_certificate"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    enrolment_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_enrolment.id"), unique=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    learner_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    course_title: so.Mapped[str] = so.mapped_column(sa.String(200))
    ce_hours: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(6, 2))
    licence: so.Mapped[str | None] = so.mapped_column(sa.String(170))
    issued_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    enrolment: so.Mapped[Enrolment] = so.relationship()


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
