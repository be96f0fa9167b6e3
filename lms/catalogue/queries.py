"""Queries behind the catalogue."""

from __future__ import annotations

import sqlalchemy as sa

from lms.database import session
from lms.models import Course


def listed_courses() -> list[Course]:
    """Courses open to new learners, in catalogue order."""
    return list(
        session.scalars(
            sa.select(Course)
            .where(Course.retired_at.is_(None))
            .order_by(Course.position, Course.title)
        )
    )
