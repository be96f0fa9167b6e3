"""Issuing certificates (operations flush; the caller commits)."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from lms.database import session
from lms.models import Certificate, Enrolment


def new_code() -> str:
    raw = secrets.token_hex(6).upper()
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def licence_line(licence_type: str | None, licence_number: str | None) -> str | None:
    parts = [part.strip() for part in (licence_type, licence_number) if part and part.strip()]
    return " ".join(parts) or None


def issue_certificate(enrolment: Enrolment) -> Certificate:
    """The enrolment's certificate, issued now if it has none (details frozen at issue)."""
    existing = session.scalar(
        sa.select(Certificate).where(Certificate.enrolment_id == enrolment.id)
    )
    if existing is not None:
        return existing
    profile, course = enrolment.profile, enrolment.course
    certificate = Certificate(
        enrolment=enrolment,
        code=new_code(),
        learner_name=profile.display_name,
        course_title=course.title,
        ce_hours=course.ce_hours,
        licence=licence_line(profile.licence_type, profile.licence_number),
    )
    session.add(certificate)
    session.flush()
    return certificate


def find_certificate(code: str) -> Certificate | None:
    return session.scalar(sa.select(Certificate).where(Certificate.code == code.strip().upper()))
