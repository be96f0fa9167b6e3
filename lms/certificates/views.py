"""Certificate pages: public verification, and the owner's PDF."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template

from lms.access import current_profile, login_required
from lms.badges.service import check_stored, find_credential, provider, urls
from lms.certificates import manage
from lms.certificates.service import find_certificate, masked_licence
from lms.extras import require
from lms.links import external_url
from lms.models import Certificate
from lms.web import lms_blueprint

bp = lms_blueprint("certificates", __name__)
manage.register(bp)


def get_certificate_or_404(code: str) -> Certificate:
    certificate = find_certificate(code)
    if certificate is None:
        abort(404, description="No certificate has this verification code. Check the code.")
    return certificate


@bp.get("/certificates/<code>")
def verify(code: str) -> str:
    """Public: anyone with the code sees the certificate's details, and whether its Open
    Badge verifies (checked as any verifier would)."""
    certificate = get_certificate_or_404(code)
    return render_template(
        "lms/certificates/verify.html",
        certificate=certificate,
        masked_licence=masked_licence(certificate.licence),
        badge=check_stored(certificate),
        badge_urls=urls(),
        badge_issuer=provider().name,
    )


@bp.get("/certificates/<code>/certificate.pdf")
@login_required
def download(code: str) -> Response:
    """The certificate as a PDF, for its holder."""
    certificate = get_certificate_or_404(code)
    profile = current_profile()
    if profile is None or certificate.enrolment.profile_id != profile.id:
        abort(404, description="No certificate has this verification code. Check the code.")
    if certificate.status != "valid":
        abort(410, description=f"This certificate is {certificate.status}: see its page.")
    # Imported here: fpdf2 takes a third of a second to import, and every worker would
    # pay it at start-up for a page few people open.
    require("pdf", "Certificate PDFs")
    from lms.certificates.pdf import certificate_pdf

    verify_url = external_url("certificates.verify", code=certificate.code)
    body = certificate_pdf(
        certificate,
        verify_url,
        current_app.config["LMS_SITE_NAME"],
        badge=find_credential(certificate) is not None,
    )
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="certificate-{certificate.code}.pdf"'
        },
    )
