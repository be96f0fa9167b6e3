"""Sign then verify; any change to what the badge says, or the wrong key, fails it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.credentials.issue import BadgeUrls, issue_badge
from lms.credentials.keys import did_key, did_key_verification_method, generate_key
from lms.credentials.proof import sign
from lms.credentials.resolvers import (
    KeyResolver,
    did_key_resolver,
    first_of,
    static_key_resolver,
)
from lms.credentials.verify import Reason, verify_credential
from tests.credentials.conftest import BASE_URL, PROVIDER, certificate_facts

Change = Callable[[dict[str, Any]], None]


def changed(badge: dict[str, Any], change: Change) -> dict[str, Any]:
    copied = copy.deepcopy(badge)
    change(copied)
    return copied


def test_sign_then_verify(badge: dict[str, Any], resolve_key: KeyResolver) -> None:
    result = verify_credential(badge, resolve_key)
    assert result.ok, result.detail
    assert result.reason is None
    # It has a status entry, and no status list was given: the result says so.
    assert not result.status_checked


def set_course_name(badge: dict[str, Any]) -> None:
    badge["credentialSubject"]["achievement"]["name"] = "Advanced Psychedelic Care"


def set_credential_name(badge: dict[str, Any]) -> None:
    badge["name"] = "Advanced Psychedelic Care"


def set_hours(badge: dict[str, Any]) -> None:
    badge["credentialSubject"]["result"][0]["value"] = "65"


def set_credit_type(badge: dict[str, Any]) -> None:
    badge["credentialSubject"]["achievement"]["resultDescription"][0]["name"] = "CME credits"


def set_date(badge: dict[str, Any]) -> None:
    badge["validFrom"] = "2024-03-14T09:30:00Z"


def set_awarded_date(badge: dict[str, Any]) -> None:
    badge["awardedDate"] = "2024-03-14T09:30:00Z"


def set_subject_email(badge: dict[str, Any]) -> None:
    badge["credentialSubject"]["identifier"][0]["identityHash"] = "sha256$" + "0" * 64


def set_subject_name(badge: dict[str, Any]) -> None:
    badge["credentialSubject"]["identifier"][1]["identityHash"] = "John Doe"


def set_licence(badge: dict[str, Any]) -> None:
    badge["credentialSubject"]["licenseNumber"] = "RN 7654321"


def set_issuer_name(badge: dict[str, Any]) -> None:
    badge["issuer"]["name"] = "Someone Else"


def set_status_index(badge: dict[str, Any]) -> None:
    badge["credentialStatus"]["statusListIndex"] = "43"


def set_proof_created(badge: dict[str, Any]) -> None:
    badge["proof"]["created"] = "2030-01-01T00:00:00Z"


@pytest.mark.parametrize(
    "change",
    [
        set_course_name,
        set_credential_name,
        set_hours,
        set_credit_type,
        set_date,
        set_awarded_date,
        set_subject_email,
        set_subject_name,
        set_licence,
        set_issuer_name,
        set_status_index,
        set_proof_created,
    ],
)
def test_changing_any_one_field_fails_verification(
    badge: dict[str, Any], resolve_key: KeyResolver, change: Change
) -> None:
    result = verify_credential(changed(badge, change), resolve_key)
    assert not result.ok
    assert result.reason is Reason.BAD_SIGNATURE
    assert "signature" in result.detail


def test_an_added_undefined_property_is_malformed(
    badge: dict[str, Any], resolve_key: KeyResolver
) -> None:
    def add(badge: dict[str, Any]) -> None:
        badge["credentialSubject"]["ceHoursOverride"] = "65"

    result = verify_credential(changed(badge, add), resolve_key)
    assert result.reason is Reason.MALFORMED
    assert "ceHoursOverride" in result.detail


def test_a_key_the_verifier_does_not_know_is_unknown(badge: dict[str, Any]) -> None:
    stranger = generate_key().public_key()
    result = verify_credential(badge, static_key_resolver({}))
    assert result.reason is Reason.UNKNOWN_KEY
    assert badge["proof"]["verificationMethod"] in result.detail
    # A resolver that answers with some other key: the signature does not match.
    result = verify_credential(badge, lambda method: stranger)
    assert result.reason is Reason.BAD_SIGNATURE


def test_a_key_that_is_not_the_issuers_is_refused(badge: dict[str, Any]) -> None:
    """Someone signs a badge in the provider's name with a key of their own."""
    forger = generate_key()
    unsigned = {key: value for key, value in badge.items() if key != "proof"}
    forged = sign(unsigned, forger, did_key_verification_method(forger.public_key()))
    result = verify_credential(forged, first_of(did_key_resolver))
    assert result.reason is Reason.UNKNOWN_KEY
    assert "not the issuer's" in result.detail


def test_a_did_key_issuer_verifies_offline_from_the_credential_alone() -> None:
    key = generate_key()
    badge = issue_badge(certificate_facts(), key, BASE_URL, PROVIDER)
    unsigned = {k: v for k, v in badge.items() if k != "proof"}
    unsigned["issuer"] = {**unsigned["issuer"], "id": did_key(key.public_key())}
    signed = sign(unsigned, key, did_key_verification_method(key.public_key()))
    assert verify_credential(signed, did_key_resolver).ok


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda badge: badge.pop("proof"), "no proof"),
        (lambda badge: badge.__setitem__("proof", [badge["proof"], badge["proof"]]), "no proof"),
        (lambda badge: badge["proof"].__setitem__("cryptosuite", "ecdsa-rdfc-2019"), "proof"),
        (lambda badge: badge["proof"].__setitem__("proofPurpose", "authentication"), "purpose"),
        (lambda badge: badge["proof"].__setitem__("proofValue", "not-base58"), "proofValue"),
        (lambda badge: badge["proof"].__setitem__("proofValue", "z2Ab"), "64-byte"),
        (lambda badge: badge.pop("issuer"), "issuer"),
        (lambda badge: badge.__setitem__("type", ["OpenBadgeCredential"]), "type"),
        (lambda badge: badge["@context"].append("https://example.net/ctx"), "not shipped"),
    ],
)
def test_malformed_credentials_say_why(
    badge: dict[str, Any], resolve_key: KeyResolver, change: Change, message: str
) -> None:
    result = verify_credential(changed(badge, change), resolve_key)
    assert not result.ok
    assert result.reason is Reason.MALFORMED
    assert message in result.detail


def test_a_signed_credential_with_an_unreadable_date_is_malformed(
    badge: dict[str, Any], key: Ed25519PrivateKey, resolve_key: KeyResolver
) -> None:
    unsigned = {k: v for k, v in badge.items() if k != "proof"}
    unsigned["validFrom"] = "the 14th of March"
    signed = sign(unsigned, key, BadgeUrls(BASE_URL).verification_method(key.public_key()))
    result = verify_credential(signed, resolve_key)
    assert result.reason is Reason.MALFORMED
    assert "date-time" in result.detail


def test_not_a_credential_at_all(resolve_key: KeyResolver) -> None:
    values: list[Any] = [None, [], "text", {"type": "VerifiableCredential"}]
    for value in values:
        result = verify_credential(value, resolve_key)
        assert result.reason is Reason.MALFORMED


def test_validity_dates(key: Ed25519PrivateKey, resolve_key: KeyResolver) -> None:
    badge = issue_badge(certificate_facts(status_list_id=None), key, BASE_URL, PROVIDER)
    before = datetime(2025, 3, 14, 9, 29, tzinfo=UTC)
    assert verify_credential(badge, resolve_key, now=before).reason is Reason.NOT_YET_VALID
    assert verify_credential(badge, resolve_key).ok
    unsigned = {k: v for k, v in badge.items() if k != "proof"}
    unsigned["validUntil"] = "2025-12-31T23:59:59Z"
    expiring = sign(unsigned, key, BadgeUrls(BASE_URL).verification_method(key.public_key()))
    later = datetime(2026, 1, 1, tzinfo=UTC)
    assert verify_credential(expiring, resolve_key, now=later).reason is Reason.EXPIRED
    assert verify_credential(expiring, resolve_key, now=before.replace(month=6)).ok


def test_issuing_and_verifying_from_several_threads(
    key: Ed25519PrivateKey, resolve_key: KeyResolver
) -> None:
    """A threaded server signs and checks badges at once (the context cache is per thread)."""

    def issue_and_verify(number: int) -> bool:
        badge = issue_badge(certificate_facts(code=f"C0DE-{number:04}"), key, BASE_URL, PROVIDER)
        return verify_credential(badge, resolve_key).ok

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(issue_and_verify, range(12)))
