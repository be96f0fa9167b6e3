"""A learner's reading: when each lesson was opened, how long was spent, when completed.

Keyed by person and lesson (not by enrolment) so progress survives leaving and rejoining.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from lms.database import Base, UTCDateTime, utcnow
from lms.models.content import Lesson


class LessonProgress(Base):
    __tablename__ = "lms_lesson_progress"
    __table_args__ = (sa.UniqueConstraint("profile_id", "lesson_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    profile_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_profile.id"))
    lesson_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("lms_lesson.id"), index=True)
    first_opened_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    completed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: Active reading time measured by the server (lms.learning.reading), for CE records.
    active_seconds: so.Mapped[int] = so.mapped_column(default=0)
    #: When time was last credited: the next credit is bounded by the time since then.
    credited_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    lesson: so.Mapped[Lesson] = so.relationship()
