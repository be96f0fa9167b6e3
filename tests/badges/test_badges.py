"""Open Badges through HTTP: the holder downloads their certificate as a signed credential
that anyone verifies offline with the published key and status list; nobody else gets it;
any change breaks the signature; revoking and reissuing show in the status list."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lms.credentials.resolvers import controller_document_resolver
from lms.credentials.schema import validate_schema
from lms.credentials.status_list import is_revoked
from lms.credentials.verify import Reason, VerificationResult, verify_credential
from lms.database import session
from tests.badges.conftest import BASE_URL, earn_certificate, make_key
from tests.conftest import Users, post_form

KEY_ERROR = "it has no usable signing key"


def download(client: FlaskClient, code: str) -> Any:
    return client.get(f"/badges/credentials/{code}")


def published(app: Flask, credential: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The issuer document and the credential's status list, as anyone fetches them."""
    anyone = app.test_client()
    issuer = anyone.get("/badges/issuer")
    assert issuer.status_code == 200, issuer.get_data(as_text=True)
    status_url = credential["credentialStatus"]["statusListCredential"]
    assert status_url.startswith(f"{BASE_URL}/badges/status/")
    status = anyone.get(status_url.removeprefix(BASE_URL))
    assert status.status_code == 200, status.get_data(as_text=True)
    return issuer.get_json(), json.loads(status.data)


def verify_offline(
    credential: dict[str, Any], issuer: dict[str, Any], status_list: dict[str, Any]
) -> VerificationResult:
    return verify_credential(
        credential, controller_document_resolver(issuer), {status_list["id"]: status_list}.get
    )


def signed_in_admin(app: Flask, users: Users) -> FlaskClient:
    admin = app.test_client()
    users.create("ada@example.com", role="admin", name="Ada Admin")
    users.client = admin
    users.sign_in("ada@example.com")
    return admin


def test_the_holder_downloads_a_credential_that_verifies_offline(
    app: Flask, learner: FlaskClient, earned: str
) -> None:
    page = learner.get(f"/certificates/{earned}").get_data(as_text=True)
    assert f'href="/badges/credentials/{earned}"' in page
    assert "Download Open Badge (JSON)" in page

    response = download(learner, earned)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/vc+ld+json"
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="open-badge-{earned}.json"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert "localhost" not in text  # every URL from LMS_BASE_URL, none from the Host
    assert "nora@example.com" not in text.lower()  # the address only hashed
    credential = json.loads(text)
    validate_schema(credential)  # 1EdTech's OB 3.0 JSON Schema

    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == f"{BASE_URL}/badges/credentials/{earned}"
    assert credential["issuer"]["id"] == f"{BASE_URL}/badges/issuer"
    assert credential["issuer"]["name"] == "Test Provider"
    assert credential["issuer"]["email"] == "ce@cpd.example.org"
    subject = credential["credentialSubject"]
    achievement = subject["achievement"]
    assert achievement["id"] == f"{BASE_URL}/badges/achievements/cred"
    assert achievement["name"] == "Credit basics"
    assert achievement["description"] == "A small credit-bearing course for the CE tests."
    assert "complete every lesson" in achievement["criteria"]["narrative"]
    credits = {d["id"]: d["name"] for d in achievement["resultDescription"]}
    earned_credit = {credits[r["resultDescription"]]: r["value"] for r in subject["result"]}
    assert earned_credit == {"Nursing contact hours": "1", "Psychology CE credits": "1"}
    email, name = subject["identifier"]
    assert email["hashed"] is True and email["identityType"] == "emailAddress"
    digest = hashlib.sha256(("nora@example.com" + email["salt"]).encode()).hexdigest()
    assert email["identityHash"] == f"sha256${digest}"
    assert name["identityHash"] == "Nora Nurse"
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"

    issuer, status_list = published(app, credential)
    result = verify_offline(credential, issuer, status_list)
    assert result.ok and result.status_checked, result
    # A verifier that trusts only the key (not the site) checks it the same way.
    assert app.test_client().get("/badges/issuer").headers["Access-Control-Allow-Origin"] == "*"


def test_the_pdf_says_the_certificate_is_also_a_badge(
    app: Flask, learner: FlaskClient, earned: str
) -> None:
    from pypdf import PdfReader

    pdf = learner.get(f"/certificates/{earned}/certificate.pdf")
    assert pdf.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Also issued as a signed Open Badge" in text
    assert len(PdfReader(io.BytesIO(pdf.data)).pages) == 1


def test_every_download_is_the_same_credential(
    app: Flask, learner: FlaskClient, earned: str
) -> None:
    first = download(learner, earned).data
    assert download(learner, earned).data == first


def test_changing_any_one_field_makes_verification_fail(
    app: Flask, learner: FlaskClient, earned: str
) -> None:
    credential = download(learner, earned).get_json(force=True)
    issuer, status_list = published(app, credential)
    changes: dict[str, Callable[[dict[str, Any]], None]] = {
        "name": lambda c: c["credentialSubject"]["identifier"][1].update(identityHash="Eve Nurse"),
        "hours": lambda c: c["credentialSubject"]["result"][0].update(value="10"),
        "date": lambda c: c.update(validFrom="2020-01-01T00:00:00Z"),
        "awarded": lambda c: c.update(awardedDate="2020-01-01T00:00:00Z"),
        "course": lambda c: c["credentialSubject"]["achievement"].update(name="Other course"),
        "issuer": lambda c: c["issuer"].update(name="Someone else"),
    }
    for what, change in changes.items():
        tampered = copy.deepcopy(credential)
        change(tampered)
        result = verify_offline(tampered, issuer, status_list)
        assert not result.ok and result.reason == Reason.BAD_SIGNATURE, (what, result)


def test_nobody_else_gets_the_credential(
    app: Flask, users: Users, learner: FlaskClient, earned: str
) -> None:
    anonymous = app.test_client()
    signed_out = download(anonymous, earned)
    assert signed_out.status_code == 302 and "/sign-in" in signed_out.headers["Location"]

    other = app.test_client()
    users.create("olga@example.com", name="Olga Other")
    users.client = other
    users.sign_in("olga@example.com")
    refused = download(other, earned)
    assert refused.status_code == 404
    assert "No certificate of yours has this number" in refused.get_data(as_text=True)
    assert "Download Open Badge" not in other.get(f"/certificates/{earned}").get_data(as_text=True)

    for code in ["0000-0000-0000", "x", "../issuer", "%00", "A" * 5000, earned + "-1", "é"]:
        assert download(learner, code).status_code == 404, code
    assert download(learner, earned.lower()).status_code == 200  # the number in any case


def test_revoking_sets_the_credentials_bit_in_the_status_list(
    app: Flask, users: Users, learner: FlaskClient, earned: str
) -> None:
    credential = download(learner, earned).get_json(force=True)
    index = int(credential["credentialStatus"]["statusListIndex"])
    _, before = published(app, credential)
    assert not is_revoked(before, index)

    admin = signed_in_admin(app, users)
    path = f"/admin/certificates/{earned}"
    reason = {"revoke-reason": "Wrong course."}
    revoked = post_form(admin, f"{path}/revoke", reason, token_from=path)
    assert revoked.status_code == 302, revoked.get_data(as_text=True)

    issuer, after = published(app, credential)
    assert is_revoked(after, index)
    result = verify_offline(credential, issuer, after)
    assert not result.ok and result.reason == Reason.REVOKED
    page = app.test_client().get(f"/certificates/{earned}").get_data(as_text=True)
    assert "Open Badge credential is revoked" in page
    assert download(learner, earned).status_code == 410  # no new copy of a revoked one


def test_a_reissued_certificate_gets_a_new_index_and_the_old_one_is_revoked(
    app: Flask, users: Users, learner: FlaskClient, earned: str
) -> None:
    old = download(learner, earned).get_json(force=True)
    admin = signed_in_admin(app, users)
    path = f"/admin/certificates/{earned}"
    moved = post_form(admin, f"{path}/reissue", {"reissue-reason": "Name spelt wrong."},
                      token_from=path)  # fmt: skip
    assert moved.status_code == 302, moved.get_data(as_text=True)
    new_code = moved.headers["Location"].rsplit("/", 1)[1]
    assert new_code != earned

    new = download(learner, new_code).get_json(force=True)
    assert new["credentialStatus"] != old["credentialStatus"]
    issuer, status_list = published(app, new)
    assert verify_offline(new, issuer, status_list).ok
    _, old_list = published(app, old)
    assert verify_offline(old, issuer, old_list).reason == Reason.REVOKED
    page = app.test_client().get(f"/certificates/{earned}").get_data(as_text=True)
    assert "credential is revoked" in page and "since the certificate was replaced" in page
    assert download(learner, earned).status_code == 410


def test_the_public_page_says_whether_the_credential_verifies(
    app: Flask, learner: FlaskClient, earned: str
) -> None:
    anyone = app.test_client()
    page = anyone.get(f"/certificates/{earned}").get_data(as_text=True)
    assert "✓ Its Open Badge credential verifies" in page  # signed with the certificate
    assert f"<code>{BASE_URL}/badges/credentials/{earned}</code>" in page
    assert 'href="/badges/issuer"' in page
    assert re.search(r'href="/badges/status/\d+"', page)
    assert "Download Open Badge" not in page


def test_without_a_key_the_certificate_issues_and_its_badge_waits_for_the_key(
    app: Flask, learner: FlaskClient, clock: Callable[[float], datetime], key_file: Path
) -> None:
    code = earn_certificate(app, learner, clock)  # no key: the certificate all the same
    response = download(learner, code)
    assert response.status_code == 404
    assert "has not been signed yet" in response.get_data(as_text=True)
    page = learner.get(f"/certificates/{code}").get_data(as_text=True)
    assert "This certificate is valid" in page
    assert "No Open Badge credential has been issued for this certificate yet" in page
    missing = app.test_client().get("/badges/issuer")
    assert missing.status_code == 404
    assert KEY_ERROR in missing.get_data(as_text=True)

    runner = app.test_cli_runner()
    refused = runner.invoke(args=["lms", "badges", "issue"])
    assert refused.exit_code != 0
    assert f"No Open Badges signing key at {key_file}" in refused.output
    assert "lms badges init-key" in refused.output
    make_key(app)
    signed = runner.invoke(args=["lms", "badges", "issue"])
    assert signed.exit_code == 0, signed.output
    assert "Signed the Open Badge of 1 certificate(s)." in signed.output
    again = runner.invoke(args=["lms", "badges", "issue"])
    assert "Every valid certificate already has its Open Badge." in again.output
    credential = download(learner, code).get_json(force=True)
    assert verify_offline(credential, *published(app, credential)).ok


def test_a_new_key_keeps_older_credentials_verifying(
    app: Flask, learner: FlaskClient, earned: str
) -> None:
    credential = download(learner, earned).get_json(force=True)
    result = app.test_cli_runner().invoke(args=["lms", "badges", "init-key", "--force"])
    assert result.exit_code == 0, result.output
    issuer, status_list = published(app, credential)
    assert len(issuer["verificationMethod"]) == 2
    assert verify_offline(credential, issuer, status_list).ok
    page = app.test_client().get(f"/certificates/{earned}").get_data(as_text=True)
    assert "✓ Its Open Badge credential verifies" in page


def test_status_lists_and_achievements(app: Flask, learner: FlaskClient, earned: str) -> None:
    anyone = app.test_client()
    for list_id in ["0", "999", "abc", "1" * 40, "-1", "%00"]:
        assert anyone.get(f"/badges/status/{list_id}").status_code == 404, list_id
    credential = download(learner, earned).get_json(force=True)
    published(app, credential)
    url = credential["credentialStatus"]["statusListCredential"].removeprefix(BASE_URL)
    assert anyone.get(url).data == anyone.get(url).data  # the same state, the same document
    course = anyone.get("/badges/achievements/cred")
    assert course.status_code == 302 and course.headers["Location"] == "/courses/cred/"


def test_a_lost_key_is_reported_without_the_servers_details(
    app: Flask, learner: FlaskClient, earned: str, key_file: Path
) -> None:
    key_file.unlink()
    page = app.test_client().get(f"/certificates/{earned}").get_data(as_text=True)
    assert "Its Open Badge credential does not verify" in page
    assert "the site's public key is not available right now" in page.replace("&#39;", "'")
    assert str(key_file.parent) not in page


def test_unchanged_public_documents_answer_304(
    app: Flask, learner: FlaskClient, earned: str
) -> None:
    credential = download(learner, earned).get_json(force=True)
    anyone = app.test_client()
    url = credential["credentialStatus"]["statusListCredential"].removeprefix(BASE_URL)
    for path in (url, "/badges/issuer"):
        first = anyone.get(path)
        assert first.headers["Cache-Control"] == "public, max-age=300"
        again = anyone.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, path


def test_an_index_taken_meanwhile_is_retried_not_lost(
    app: Flask, learner: FlaskClient, earned: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two certificates signed at once may draw the same index: the database's unique
    constraint refuses the second, which draws again (savepoint, no lost certificate)."""
    from lms.badges import service
    from lms.certificates.service import find_certificate, reissue
    from lms.models import BadgeCredential, Profile

    with app.app_context():
        first = session.scalar(sa.select(BadgeCredential))
        assert first is not None
        taken = (first.status_list, first.status_index)
        free = (first.status_list, (first.status_index + 1) % service.LIST_SIZE)
        draws = iter([taken, free])
        monkeypatch.setattr(service, "new_status_index", lambda: next(draws))
        certificate = find_certificate(earned)
        admin = session.scalar(sa.select(Profile))
        assert certificate is not None and admin is not None
        replacement = reissue(certificate, "Name spelt wrong.", admin)
        session.commit()
        stored = service.find_credential(replacement)
        assert stored is not None
        assert (stored.status_list, stored.status_index) == free
