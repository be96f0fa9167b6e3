"""A certificate becomes an OpenBadgeCredential that says the right things, in the right
OB 3.0 fields, and that 1EdTech's JSON schema accepts."""

from __future__ import annotations

import copy
import hashlib
import json
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.credentials.credential import (
    OB_SCHEMA_ID,
    Achievement,
    IssuerProfile,
    Learner,
    build_credential,
    email_identity,
    format_amount,
    identity_hash,
)
from lms.credentials.issue import issue_badge, issuer_document
from lms.credentials.rdfc import expand
from lms.credentials.schema import SchemaError, schema_errors, validate_schema
from tests.credentials.conftest import (
    BASE_URL,
    LEARNER_EMAIL,
    PROVIDER,
    STATUS_LIST_URL,
    certificate_facts,
)


def test_the_specifications_identity_hash_example() -> None:
    # OB 3.0, IdentityHash: 'a@example.com' salted with 'Kosher'.
    assert identity_hash("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )


def test_email_is_normalised_salted_and_hashed() -> None:
    identity = email_identity("  A@Example.COM ", "Kosher")
    assert identity == {
        "type": "IdentityObject",
        "identityHash": identity_hash("a@example.com", "Kosher"),
        "identityType": "emailAddress",
        "hashed": True,
        "salt": "Kosher",
    }


def test_issued_badge_says_what_the_certificate_says(badge: dict[str, Any]) -> None:
    facts = certificate_facts()
    assert badge["id"] == f"{BASE_URL}/badges/credentials/{facts.code}"
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["validFrom"] == badge["awardedDate"] == "2025-03-14T09:30:00Z"
    assert badge["issuer"] == {
        "id": f"{BASE_URL}/badges/issuer",
        "type": ["Profile"],
        "name": PROVIDER.name,
        "url": PROVIDER.url,
        "email": PROVIDER.email,
    }
    subject = badge["credentialSubject"]
    achievement = subject["achievement"]
    assert achievement["id"] == f"{BASE_URL}/badges/achievements/{facts.course_slug}"
    assert achievement["name"] == facts.course_title
    assert achievement["description"] == facts.course_description
    assert achievement["criteria"] == {"narrative": facts.criteria}
    assert achievement["achievementType"] == "CertificateOfCompletion"
    # The credit: a result whose description names the credit type.
    (description,) = achievement["resultDescription"]
    (result,) = subject["result"]
    assert description["name"] == "Continuing-education contact hours"
    assert result == {
        "type": ["Result"],
        "resultDescription": description["id"],
        "value": "6.5",
    }
    email, name = subject["identifier"]
    assert email["identityHash"] == identity_hash(LEARNER_EMAIL.lower(), facts.salt or "")
    assert name == {
        "type": "IdentityObject",
        "identityHash": "Jane Doe",
        "identityType": "name",
        "hashed": False,
    }
    assert subject["licenseNumber"] == "RN 1234567"
    assert badge["credentialStatus"] == {
        "id": f"{STATUS_LIST_URL}#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": STATUS_LIST_URL,
    }
    assert badge["credentialSchema"][0]["id"] == OB_SCHEMA_ID


def test_the_plain_email_address_is_nowhere_in_the_badge(badge: dict[str, Any]) -> None:
    text = json.dumps(badge).lower()
    assert LEARNER_EMAIL.lower() not in text
    assert "jane.doe" not in text


def test_issued_badge_is_valid_against_the_ob_schema(badge: dict[str, Any]) -> None:
    assert schema_errors(badge) == []
    validate_schema(badge)


def test_built_credential_without_optional_parts_is_valid_too() -> None:
    credential = build_credential(
        credential_id="urn:uuid:6f1c3a62-4e0b-4c52-9d7e-2b1f0b7c9a11",
        issuer=IssuerProfile(id="https://cpd.example.org/issuer", name="P", url="https://p.org"),
        achievement=Achievement(
            id="https://cpd.example.org/a/1",
            name="Course",
            description="About it",
            criteria="Finish it",
            credit_type="CE hours",
            credit_amount=Decimal("3.00"),
        ),
        learner=Learner(email="x@y.org", salt="s"),
        issued_at=certificate_facts().issued_at,
    )
    assert schema_errors(credential) == []
    assert "credentialStatus" not in credential
    assert len(credential["credentialSubject"]["identifier"]) == 1
    assert credential["credentialSubject"]["result"][0]["value"] == "3"
    expand(credential)  # every property is defined by the shipped contexts


def test_the_schema_check_is_real(badge: dict[str, Any]) -> None:
    broken = copy.deepcopy(badge)
    del broken["validFrom"]
    broken["credentialSubject"]["identifier"][0]["hashed"] = "yes"
    errors = schema_errors(broken)
    assert any("validFrom" in error for error in errors)
    assert any("identifier" in error for error in errors)
    with pytest.raises(SchemaError):
        validate_schema(broken)


def test_a_badge_without_status_or_licence(key: Ed25519PrivateKey) -> None:
    facts = certificate_facts(licence=None, status_list_id=None, status_index=None, salt=None)
    badge = issue_badge(facts, key, BASE_URL, PROVIDER)
    assert "credentialStatus" not in badge
    assert "licenseNumber" not in badge["credentialSubject"]
    salt = badge["credentialSubject"]["identifier"][0]["salt"]
    assert len(salt) == 32  # a new random salt, kept in the badge
    other = issue_badge(facts, key, BASE_URL, PROVIDER)
    assert other["credentialSubject"]["identifier"][0]["salt"] != salt


@pytest.mark.parametrize(
    ("amount", "text"),
    [("6.50", "6.5"), ("3.00", "3"), ("10", "10"), ("0.25", "0.25"), ("100.00", "100")],
)
def test_credit_amounts_are_written_plainly(amount: str, text: str) -> None:
    assert format_amount(Decimal(amount)) == text


@pytest.mark.parametrize(
    "changes",
    [
        {"ce_hours": Decimal("-1")},
        {"ce_hours": Decimal("NaN")},
        {"learner_email": "not-an-address"},
        {"course_title": "  "},
        {"criteria": ""},
    ],
)
def test_impossible_facts_are_refused(key: Ed25519PrivateKey, changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"must|not an email"):
        issue_badge(certificate_facts(**changes), key, BASE_URL, PROVIDER)


def test_a_relative_base_url_is_refused(key: Ed25519PrivateKey) -> None:
    with pytest.raises(ValueError, match="absolute"):
        issue_badge(certificate_facts(), key, "/learn", PROVIDER)


def test_issuer_document_lists_the_signing_keys(key: Ed25519PrivateKey) -> None:
    document = issuer_document(PROVIDER, [key.public_key()], BASE_URL)
    (method,) = document["verificationMethod"]
    assert document["id"] == f"{BASE_URL}/badges/issuer"
    assert method["controller"] == document["id"]
    assert method["type"] == "Multikey"
    assert document["assertionMethod"] == [method["id"]]
    assert method["id"] == f"{document['id']}#{method['publicKeyMultibase']}"
    expand(document)  # an OB Profile and a controller document, all terms defined


def test_identity_hash_is_sha256_of_identity_then_salt() -> None:
    expected = hashlib.sha256(b"jane@example.orgpepper").hexdigest()
    assert identity_hash("jane@example.org", "pepper") == f"sha256${expected}"


def test_each_credit_type_is_its_own_result(key: Ed25519PrivateKey) -> None:
    from lms.credentials.resolvers import controller_document_resolver
    from lms.credentials.verify import verify_credential

    facts = certificate_facts(
        credit_type="Nursing contact hours",
        ce_hours=Decimal("6.50"),
        more_credits=(("Psychology CE credits", Decimal("6")), ("CME credits", Decimal("0.25"))),
    )
    badge = issue_badge(facts, key, BASE_URL, PROVIDER)
    validate_schema(badge)
    subject = badge["credentialSubject"]
    achievement_id = subject["achievement"]["id"]
    described = {d["id"]: d["name"] for d in subject["achievement"]["resultDescription"]}
    assert described == {
        f"{achievement_id}#credit": "Nursing contact hours",
        f"{achievement_id}#credit-2": "Psychology CE credits",
        f"{achievement_id}#credit-3": "CME credits",
    }
    earned = {described[r["resultDescription"]]: r["value"] for r in subject["result"]}
    assert earned == {"Nursing contact hours": "6.5", "Psychology CE credits": "6",
                      "CME credits": "0.25"}  # fmt: skip
    assert badge["description"].endswith(
        "Nursing contact hours: 6.5. Psychology CE credits: 6. CME credits: 0.25."
    )
    resolve = controller_document_resolver(issuer_document(PROVIDER, [key.public_key()], BASE_URL))
    assert verify_credential(badge, resolve).ok
    negative = certificate_facts(more_credits=(("Psychology CE credits", Decimal("-1")),))
    with pytest.raises(ValueError, match="0 or more"):
        issue_badge(negative, key, BASE_URL, PROVIDER)
