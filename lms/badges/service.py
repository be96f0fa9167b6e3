"""A certificate's Open Badge, the issuer document and the status lists (operations flush;
the caller commits).

- A credential is signed when its certificate is issued (or reissued), in the same
  transaction, and stored as the exact JSON text served: signing again would give a new
  `created` time and a new salt, so every download returns the stored bytes, and no GET
  request writes. Certificates issued while the site had no signing key get theirs from
  `lms badges issue`.
- Its revocation bit is a random free index in the newest status list that is less
  than half full, so an index says nothing about when or to whom it was issued.
- A status list is built from the certificates: the bit is set while the certificate is
  revoked or superseded by a reissue (the replacement has a credential of its own, with
  a new index). Its `validFrom` is the last change of the list, so the same state always
  gives the same signed document.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from lms.badges.keystore import KeyStoreError, published_keys, signing_key
from lms.ce.details import ce_details
from lms.credentials.credential import new_salt
from lms.credentials.issue import (
    CE_CONTACT_HOURS,
    BadgeUrls,
    CertificateFacts,
    Provider,
    issue_badge,
    issuer_document,
    status_list_credential,
)
from lms.credentials.resolvers import controller_document_resolver
from lms.credentials.status_list import MIN_ENTRIES
from lms.credentials.verify import Reason, VerificationResult, verify_credential
from lms.database import lock_row, session
from lms.links import base_url
from lms.models import BadgeCredential, Certificate, Course

log = logging.getLogger(__name__)

#: Entries in each status list (the minimum the W3C recommendation allows: 16 KiB).
LIST_SIZE = MIN_ENTRIES
#: A list takes new credentials until it is half full; the next list then starts.
LIST_FILL = LIST_SIZE // 2
#: A status list id: digits, as `new_status_index` makes them.
LIST_ID = re.compile(r"^[1-9][0-9]{0,8}$")
#: Certificate numbers as `lms.certificates.service.new_code` makes them (any case).
CERTIFICATE_CODE = re.compile(r"^[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}$")


def lms_root() -> str:
    """The LMS's public address (LMS_BASE_URL and the LMS's URL prefix), never the Host."""
    return base_url() + current_app.extensions["lms"].url_prefix


def urls() -> BadgeUrls:
    return BadgeUrls(lms_root())


def provider() -> Provider:
    """The issuer the credentials name (LMS_BADGES_ISSUER_*, else the site's own)."""
    config = current_app.config
    return Provider(
        name=config.get("LMS_BADGES_ISSUER_NAME") or config["LMS_SITE_NAME"],
        url=config.get("LMS_BADGES_ISSUER_URL") or base_url(),
        email=config.get("LMS_BADGES_ISSUER_EMAIL") or None,
    )


def issuer() -> dict[str, Any]:
    """What `/badges/issuer` serves: the issuer's Profile and every key it signs with
    (KeyMissingError before `lms badges init-key`)."""
    return issuer_document(provider(), published_keys(), lms_root())


# -- the credential of a certificate ----------------------------------------------------------


def criteria(course: Course) -> str:
    """What a learner did to earn the certificate, in words (the achievement's criteria)."""
    rule = course.completion_rule or {}
    steps = []
    if rule.get("lessons", "all") == "all":
        steps.append("complete every lesson")
    quizzes = rule.get("quizzes", "all")
    if quizzes == "all":
        steps.append("pass every quiz, the final assessment included")
    elif quizzes != "none":
        steps.append("pass the required quizzes")
    details = ce_details(course)
    if details is not None:
        steps.append("acknowledge the CE disclosure")
        steps.append("spend the minimum reading time on the lessons")
        steps.append("submit the course evaluation, where the course has one")
    if not steps:
        return f"Complete the course {course.title}."
    text = ", ".join(steps[:-1]) + (" and " if len(steps) > 1 else "") + steps[-1]
    return f"Enrol in {course.title} and {text}."


def _credits(certificate: Certificate) -> list[tuple[str, Decimal]]:
    credits = []
    for line in certificate.credits or []:
        try:
            credits.append((str(line["type"]), Decimal(str(line["amount"]))))
        except (KeyError, TypeError, InvalidOperation):
            continue
    return credits or [(CE_CONTACT_HOURS, Decimal(certificate.ce_hours))]


def certificate_facts(certificate: Certificate, list_id: str, index: int) -> CertificateFacts:
    """What the credential states: the certificate's frozen facts, the course, the email."""
    enrolment = certificate.enrolment
    course = enrolment.course
    (credit_type, amount), *more = _credits(certificate)
    return CertificateFacts(
        code=certificate.code,
        learner_name=certificate.learner_name,
        learner_email=enrolment.profile.email,
        course_slug=course.slug,
        course_title=certificate.course_title,
        course_description=course.summary.strip() or certificate.course_title,
        criteria=criteria(course),
        ce_hours=amount,
        credit_type=credit_type,
        more_credits=tuple(more),
        issued_at=certificate.issued_at,
        licence=certificate.licence,
        status_list_id=list_id,
        status_index=index,
        salt=new_salt(),
    )


def find_credential(certificate: Certificate) -> BadgeCredential | None:
    return session.scalar(
        sa.select(BadgeCredential).where(BadgeCredential.certificate_id == certificate.id)
    )


def new_status_index() -> tuple[str, int]:
    """A free (list id, index): a random index in the newest list not yet half full."""
    counts = dict(
        session.execute(
            sa.select(BadgeCredential.status_list, sa.func.count()).group_by(
                BadgeCredential.status_list
            )
        ).all()
    )
    numbers = sorted(int(name) for name in counts if LIST_ID.match(name))
    list_number = numbers[-1] if numbers else 1
    if counts.get(str(list_number), 0) >= LIST_FILL:
        list_number += 1
    list_id = str(list_number)
    candidates = {secrets.randbelow(LIST_SIZE) for _ in range(16)}
    taken = set(
        session.scalars(
            sa.select(BadgeCredential.status_index).where(
                BadgeCredential.status_list == list_id,
                BadgeCredential.status_index.in_(candidates),
            )
        )
    )
    free = sorted(candidates - taken)
    if not free:  # 16 random picks in a list at most half full: about 1 in 65,000
        raise RuntimeError("no free status index found; try again")
    return list_id, secrets.choice(free)


def credential_for(certificate: Certificate) -> BadgeCredential:
    """The certificate's stored credential, signed now if it has none (KeyMissingError
    when there is no signing key). Flushes."""
    found = find_credential(certificate)
    if found is not None:
        return found
    key = signing_key()
    lock_row(Certificate, certificate.id)  # one credential per certificate, however many ask
    found = find_credential(certificate)
    if found is not None:
        return found
    for attempt in range(3):
        list_id, index = new_status_index()
        signed = issue_badge(
            certificate_facts(certificate, list_id, index), key, lms_root(), provider()
        )
        row = BadgeCredential(
            certificate_id=certificate.id,
            status_list=list_id,
            status_index=index,
            document=json.dumps(signed, ensure_ascii=False, indent=2) + "\n",
        )
        try:
            with session.begin_nested():
                session.add(row)
        except sa.exc.IntegrityError:  # another certificate took the index meanwhile
            if attempt == 2:
                raise
            continue
        return row
    raise AssertionError("unreachable")


def issue_credential(certificate: Certificate) -> BadgeCredential | None:
    """Sign the credential of a certificate being issued; None (and a warning in the log)
    when it cannot be signed now, so a credential never holds a certificate back."""
    try:
        with session.begin_nested():
            return credential_for(certificate)
    except KeyStoreError as error:
        log.warning("certificate %s has no Open Badge yet: %s", certificate.code, error)
    except Exception:  # a certificate must not fail for its badge; `lms badges issue` retries
        log.exception("certificate %s: its Open Badge could not be signed", certificate.code)
    return None


def certificates_without_credential() -> list[Certificate]:
    """Valid certificates that have no credential yet (issued before the key existed)."""
    return list(
        session.scalars(
            sa.select(Certificate)
            .outerjoin(BadgeCredential, BadgeCredential.certificate_id == Certificate.id)
            .where(
                BadgeCredential.id.is_(None),
                Certificate.revoked_at.is_(None),
                Certificate.superseded_by_id.is_(None),
            )
            .order_by(Certificate.id)
        )
    )


# -- status lists ---------------------------------------------------------------------------


def status_list(list_id: str) -> dict[str, Any] | None:
    """The signed BitstringStatusListCredential `list_id`, or None if there is no such list.

    Deterministic: `validFrom` (and the proof's `created`) is the list's last change, the
    latest of its first credential's signing, a revocation and a reissue.
    """
    if not LIST_ID.match(list_id):
        return None
    first_signed = session.scalar(
        sa.select(sa.func.min(BadgeCredential.signed_at)).where(
            BadgeCredential.status_list == list_id
        )
    )
    if first_signed is None:
        return None
    replacement = so.aliased(Certificate)
    rows = session.execute(
        sa.select(BadgeCredential.status_index, Certificate.revoked_at, replacement.issued_at)
        .join(Certificate, BadgeCredential.certificate_id == Certificate.id)
        .outerjoin(replacement, Certificate.superseded_by_id == replacement.id)
        .where(
            BadgeCredential.status_list == list_id,
            sa.or_(Certificate.revoked_at.is_not(None), Certificate.superseded_by_id.is_not(None)),
        )
    ).all()
    changes: list[datetime] = [first_signed]
    for _, revoked_at, superseded_at in rows:
        changes += [moment for moment in (revoked_at, superseded_at) if moment is not None]
    return status_list_credential(
        [index for index, _, _ in rows],
        signing_key(),
        lms_root(),
        list_id,
        size=LIST_SIZE,
        now=max(changes),
    )


# -- checking a stored credential -------------------------------------------------------------


@dataclass(frozen=True)
class BadgeCheck:
    """What the public verification page says about a certificate's credential."""

    credential: BadgeCredential
    result: VerificationResult

    @property
    def revoked(self) -> bool:
        return self.result.reason == Reason.REVOKED


def check_stored(certificate: Certificate) -> BadgeCheck | None:
    """Verify the certificate's credential as any verifier would, with the published
    issuer document and status list; None when it has none yet."""
    found = find_credential(certificate)
    if found is None:
        return None
    try:
        resolve_key = controller_document_resolver(issuer())
        list_url = urls().status_list(found.status_list)
        listed = status_list(found.status_list)
    except KeyStoreError as error:  # the path and the reason go to the log, not the page
        log.warning("cannot check the badge of certificate %s: %s", certificate.code, error)
        detail = "the site's public key is not available right now"
        return BadgeCheck(
            found, VerificationResult(ok=False, reason=Reason.UNKNOWN_KEY, detail=detail)
        )
    result = verify_credential(
        json.loads(found.document), resolve_key, {list_url: listed}.get if listed else None
    )
    return BadgeCheck(found, result)
