"""Course completion: when the course's required items are done, mark the enrolment
complete; when every certificate gate is met (lms.ce.gates), issue the certificate.
Called after anything that can complete a course (a lesson marked complete, a quiz
submitted, an essay grade released, attendance, an evaluation), never on a page view."""

from __future__ import annotations

from lms.ce.gates import certificate_gates, gates_met
from lms.certificates.service import any_certificate, issue_certificate
from lms.database import session, utcnow
from lms.learning.progress import course_outline
from lms.models import Certificate, Enrolment, EnrolmentStatus


def update_completion(enrolment: Enrolment) -> Certificate | None:
    """Complete the enrolment if its rule is now met, and issue its certificate when
    every gate is met. Returns a certificate issued by this call."""
    outline = course_outline(enrolment)
    if enrolment.completed_at is None:
        if not outline.is_complete:
            return None
        enrolment.completed_at = utcnow()
        if enrolment.status is EnrolmentStatus.ACTIVE:
            enrolment.status = EnrolmentStatus.COMPLETED
        session.flush()
    # One certificate an enrolment: a revoked one is not replaced by itself (an admin
    # reissues), nor is a valid one issued twice.
    if any_certificate(enrolment) is not None:
        return None
    if not gates_met(certificate_gates(enrolment, outline)):
        return None
    return issue_certificate(enrolment)
