"""The CE disclosure: shown before the first lesson of a course with CE credit, and
acknowledged once per enrolment (recorded, with the time, in the CE record)."""

from __future__ import annotations

from lms.database import session, utcnow
from lms.models import Enrolment


def acknowledge(enrolment: Enrolment) -> bool:
    """Record the acknowledgement; False when it was already recorded (idempotent)."""
    if enrolment.disclosure_acknowledged_at is not None:
        return False
    enrolment.disclosure_acknowledged_at = utcnow()
    session.flush()
    return True
