"""Issuing, revoking and reissuing certificates (operations flush; the caller commits).

A certificate freezes, when issued, what it states: the provider, the activity and its
dates, the learner's name and licence, the completion date, each credit type and amount,
and the accreditation statement. Each operation writes an entry of the CE record.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from lms.badges.service import issue_credential
from lms.ce import record as ce_record
from lms.ce.details import ce_details
from lms.database import lock_row, session, utcnow
from lms.models import Certificate, Course, Enrolment, Profile


class CertificateError(ValueError):
    """The operation cannot be done; the message says why."""


def new_code() -> str:
    raw = secrets.token_hex(6).upper()
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def licence_line(licence_type: str | None, licence_number: str | None) -> str | None:
    parts = [part.strip() for part in (licence_type, licence_number) if part and part.strip()]
    return " ".join(parts) or None


def masked_licence(licence: str | None) -> str | None:
    """A licence as the public verification page shows it: only its last 4 characters."""
    if not licence:
        return None
    visible = licence[-4:]
    return "•" * max(len(licence) - 4, 4) + visible


def credit_lines(course: Course) -> list[dict[str, str]]:
    """The credit a certificate of this course states, by type."""
    details = ce_details(course)
    if details is not None:
        return [{"type": c.type, "amount": str(c.amount)} for c in details.credits]
    if course.ce_hours:
        return [{"type": "CE contact hours", "amount": str(course.ce_hours)}]
    return []


def current_certificate(enrolment: Enrolment) -> Certificate | None:
    """The enrolment's valid certificate (not revoked, not superseded), if any."""
    return session.scalar(
        sa.select(Certificate).where(
            Certificate.enrolment_id == enrolment.id,
            Certificate.revoked_at.is_(None),
            Certificate.superseded_by_id.is_(None),
        )
    )


def any_certificate(enrolment: Enrolment) -> Certificate | None:
    """The enrolment's latest certificate, whatever its status."""
    return session.scalar(
        sa.select(Certificate)
        .where(Certificate.enrolment_id == enrolment.id)
        .order_by(Certificate.id.desc())
        .limit(1)
    )


def _new_certificate(enrolment: Enrolment, completed_at: datetime | None) -> Certificate:
    profile, course = enrolment.profile, enrolment.course
    details = ce_details(course)
    return Certificate(
        enrolment=enrolment,
        code=new_code(),
        learner_name=profile.display_name,
        course_title=course.title,
        ce_hours=course.ce_hours,
        licence=licence_line(profile.licence_type, profile.licence_number),
        completed_at=completed_at or enrolment.completed_at or utcnow(),
        provider=details.provider if details else "",
        accreditation_statement=details.accreditation_statement if details else "",
        credits=credit_lines(course),
        activity_dates=details.dates if details else "",
    )


def issue_certificate(enrolment: Enrolment) -> Certificate:
    """The enrolment's certificate, issued now if it has none (details frozen at issue)."""
    existing = any_certificate(enrolment)
    if existing is not None:
        return existing
    certificate = _new_certificate(enrolment, enrolment.completed_at)
    session.add(certificate)
    session.flush()
    _record("certificate_issued", certificate, after=_facts(certificate))
    issue_credential(certificate)  # its Open Badge, when the site has a signing key
    return certificate


def revoke(certificate: Certificate, reason: str, by: Profile) -> bool:
    """Revoke a valid certificate; False when it was already revoked (a double click
    revokes once). Flushes."""
    reason = reason.strip()
    if not reason:
        raise CertificateError("Say why the certificate is revoked (learners do not see it).")
    lock_row(Certificate, certificate.id)
    session.refresh(certificate)
    if certificate.revoked_at is not None:
        return False
    certificate.revoked_at = utcnow()
    certificate.revoked_by_id = by.id
    certificate.revoked_reason = reason
    session.flush()
    _record("certificate_revoked", certificate, before={"status": "valid"},
            after={"status": "revoked"}, note=reason, actor=by)  # fmt: skip
    return True


def reissue(certificate: Certificate, reason: str, by: Profile) -> Certificate:
    """A new certificate (new number, today's details) replacing this one, which then
    says "superseded by ...". A double click reissues once: the second call returns the
    certificate that already replaced it. Flushes."""
    reason = reason.strip()
    if not reason:
        raise CertificateError("Say why the certificate is reissued.")
    lock_row(Certificate, certificate.id)
    session.refresh(certificate)
    if certificate.superseded_by_id is not None:
        replacement = session.get(Certificate, certificate.superseded_by_id)
        assert replacement is not None
        return replacement
    replacement = _new_certificate(certificate.enrolment, certificate.completed_at)
    session.add(replacement)
    session.flush()
    certificate.superseded_by_id = replacement.id
    session.flush()
    _record("certificate_reissued", replacement, before={"code": certificate.code},
            after=_facts(replacement), note=reason, actor=by)  # fmt: skip
    issue_credential(replacement)  # a new credential, with a new status index
    return replacement


def _facts(certificate: Certificate) -> dict[str, object]:
    return {
        "code": certificate.code,
        "learner_name": certificate.learner_name,
        "course_title": certificate.course_title,
        "credits": certificate.credits,
        "ce_hours": Decimal(certificate.ce_hours),
        "completed_at": certificate.completed_at,
    }


def _record(
    kind: str,
    certificate: Certificate,
    *,
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
    note: str = "",
    actor: Profile | None = None,
) -> None:
    enrolment = certificate.enrolment
    ce_record.record(
        session,
        kind,
        profile_id=enrolment.profile_id,
        course_id=enrolment.course_id,
        enrolment_id=enrolment.id,
        subject=f"certificate:{certificate.code}",
        before=before,
        after=after,
        note=note,
        actor_id=actor.id if actor is not None else None,
    )


def find_certificate(code: str) -> Certificate | None:
    return session.scalar(sa.select(Certificate).where(Certificate.code == code.strip().upper()))
