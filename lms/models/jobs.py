"""Background jobs: the transactional outbox of every effect outside the database."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.database import Base, UTCDateTime, enum_type, utcnow


class JobState(enum.StrEnum):
    PENDING = "pending"  # waiting for its time (next_attempt_at)
    RUNNING = "running"  # claimed by a worker until locked_until
    DONE = "done"
    DEAD = "dead"  # failed for good; an admin may retry or discard it


class Job(Base):
    """One effect to carry out after the commit that wrote it (a mail, an xAPI statement).

    Written in the same transaction as the change that causes it, so a rolled-back change
    leaves no job. `key` says what the job does (`mail:outbox:12`, `xapi:<statement id>`):
    enqueueing the same key twice makes one job.
    """

    __tablename__ = "lms_job"
    __table_args__ = (sa.Index("ix_lms_job_state_next_attempt_at", "state", "next_attempt_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(60))
    payload: so.Mapped[Any] = so.mapped_column(sa.JSON)
    key: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    state: so.Mapped[JobState] = so.mapped_column(enum_type(JobState), default=JobState.PENDING)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    #: While RUNNING: when the claim lapses (a worker that died lets go of it then).
    locked_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    done_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
