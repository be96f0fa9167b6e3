"""Course completion: when the course's rule is met, mark the enrolment complete and issue
the certificate. Called after anything that can complete a course (a lesson marked
complete, a quiz submitted, an essay grade released), never on a page view."""

from __future__ import annotations

from lms.certificates.service import issue_certificate
from lms.database import session, utcnow
from lms.learning.progress import course_outline
from lms.models import Certificate, Enrolment, EnrolmentStatus


def update_completion(enrolment: Enrolment) -> Certificate | None:
    """Complete the enrolment (and issue its certificate) if its rule is now met."""
    if enrolment.completed_at is not None:
        return None
    if not course_outline(enrolment).is_complete:
        return None
    enrolment.completed_at = utcnow()
    if enrolment.status is EnrolmentStatus.ACTIVE:
        enrolment.status = EnrolmentStatus.COMPLETED
    session.flush()
    return issue_certificate(enrolment)
