"""Open Badges pages: the issuer document and status lists (public, for any verifier), an
achievement's address, and the holder's credential download.

URLs are those `lms.credentials.issue.BadgeUrls` fixes (tests check the two agree); the
documents carry absolute URLs from LMS_BASE_URL, never from the request's Host.
"""

from __future__ import annotations

import json
import logging
from typing import Any, NoReturn

from flask import Response, abort, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from lms.access import current_profile, login_required
from lms.badges.forms import BadgeCheckForm
from lms.certificates.service import find_certificate
from lms.learning.gate import get_course_or_404
from lms.models import Certificate
from lms.throttle import throttle
from lms.web import lms_blueprint, lms_url_for

log = logging.getLogger(__name__)

bp = lms_blueprint("badges", __name__)

#: The media type of a Verifiable Credential secured with an embedded proof (VC 2.0).
CREDENTIAL_TYPE = "application/vc+ld+json"
NO_CERTIFICATE = "No certificate of yours has this number. Check the number."
NO_KEY = (
    "This site publishes no Open Badges yet: it has no usable signing key. Its administrator "
    "makes one with `lms badges init-key`."
)
NOT_ISSUED = (
    "This certificate's Open Badge has not been signed yet: the site had no signing key "
    "when it was issued. Its administrator signs the missing ones with `lms badges issue`; "
    "please try again later."
)


def _public_json(document: dict[str, Any], mimetype: str, max_age: int) -> Response:
    """A public document for verifiers anywhere (other sites' pages may fetch it)."""
    response = Response(json.dumps(document, ensure_ascii=False, indent=2) + "\n", 200)
    response.mimetype = mimetype
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.add_etag()  # the same state gives the same bytes: a 304 when unchanged
    return response.make_conditional(request)


def _no_key(error: Exception) -> NoReturn:
    """404: without a key the site has no issuer document or status list to give."""
    log.warning("Open Badges: %s", error)
    abort(404, description=NO_KEY)


@bp.get("/badges/issuer")
def issuer() -> Response:
    """Public: the issuer's Profile and the public keys it signs with (Multikey)."""
    from lms.badges import service
    from lms.badges.keystore import KeyStoreError

    try:
        document = service.issuer()
    except KeyStoreError as error:
        _no_key(error)
    return _public_json(document, "application/ld+json", 300)


@bp.get("/badges/status/<list_id>")
def status_list(list_id: str) -> Response:
    """Public: a signed Bitstring Status List; bit N set means credential N is revoked."""
    from lms.badges import service
    from lms.badges.keystore import KeyStoreError

    try:
        document = service.status_list(list_id)
    except KeyStoreError as error:
        _no_key(error)
    if document is None:
        abort(404, description="There is no status list with this number.")
    return _public_json(document, CREDENTIAL_TYPE, 300)


@bp.get("/badges/achievements/<slug>")
def achievement(slug: str) -> BaseResponse:
    """An achievement's address: the course's page (404 for a course this site lacks)."""
    course = get_course_or_404(slug)
    return redirect(lms_url_for("learning.course_home", slug=course.slug))


#: Checking a badge canonicalizes JSON-LD (tens of milliseconds): bounded per address.
CHECKS_PER_ADDRESS = "30 per 10 minutes"
TOO_MANY_CHECKS = "You have checked many badges in a short time: please wait a few minutes."


@bp.route("/badges/verify", methods=["GET", "POST"])
def verify() -> tuple[str, int] | str:
    """Public: check a badge someone was given (pasted or as a file) against this site's
    published key and status lists, and optionally that it names a given email address."""
    from lms.badges.check import NotABadgeError, check_presented

    form = BadgeCheckForm()
    if not form.validate_on_submit():
        return render_template("lms/badges/verify.html", form=form), (
            400 if form.is_submitted() else 200
        )
    text = form.badge_text()
    if text is None:
        return render_template("lms/badges/verify.html", form=form), 400
    throttle("badge-check", CHECKS_PER_ADDRESS, f"address:{request.remote_addr}", TOO_MANY_CHECKS)
    try:
        checked = check_presented(text, form.email.data or None)
    except NotABadgeError as error:
        field = form.badge_file if form.badge_file.data else form.badge
        field.errors = [str(error)]
        return render_template("lms/badges/verify.html", form=form), 400
    blank = BadgeCheckForm(formdata=None)  # "check another badge" starts empty
    return render_template("lms/badges/verify.html", form=blank, checked=checked)


def _holders_certificate(code: str) -> Certificate:
    """The signed-in learner's certificate with this number; 404 for anyone else's."""
    from lms.badges.service import CERTIFICATE_CODE

    certificate = find_certificate(code) if CERTIFICATE_CODE.match(code) else None
    profile = current_profile()
    if certificate is None or profile is None or certificate.enrolment.profile_id != profile.id:
        abort(404, description=NO_CERTIFICATE)
    return certificate


@bp.get("/badges/credentials/<code>")
@login_required
def credential(code: str) -> Response:
    """The holder's certificate as a signed Open Badges 3.0 credential (JSON), to keep in a
    wallet or send to anyone who needs to check it."""
    from lms.badges import service

    certificate = _holders_certificate(code)
    if certificate.status != "valid":
        abort(410, description=f"This certificate is {certificate.status}: see its page.")
    stored = service.find_credential(certificate)
    if stored is None:
        abort(404, description=NOT_ISSUED)
    response = Response(stored.document, 200)
    response.mimetype = CREDENTIAL_TYPE
    response.headers["Content-Disposition"] = (
        f'attachment; filename="open-badge-{certificate.code}.json"'
    )
    return response
