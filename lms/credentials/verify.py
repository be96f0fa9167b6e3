"""Verify a credential: shape, issuer's key, signature, validity dates, revocation.

`verify_credential` never raises for a bad credential: it returns a VerificationResult
whose `reason` says what failed (`Reason`) and `detail` says it in words.

Trust rule: the proof's verification method must belong to the issuer, that is, be
`{issuer id}#...` (the issuer's own document lists it) or, when the issuer id is a
did:key, that DID's key. A key that the resolver knows but that is not the issuer's
fails as `unknown_key`, so nobody can sign in the provider's name with a key of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from lms.credentials.loader import UnknownContextError
from lms.credentials.proof import CRYPTOSUITE, PROOF_TYPE, ProofError, the_proof, verify_proof
from lms.credentials.rdfc import CanonicalizationError
from lms.credentials.resolvers import KeyResolver
from lms.credentials.status_list import StatusListError, entry_index, is_set, list_bits

StatusListResolver = Callable[[str], dict[str, Any] | None]


class Reason(StrEnum):
    MALFORMED = "malformed"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    REVOKED = "revoked"
    STATUS_UNAVAILABLE = "status_unavailable"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"


@dataclass(frozen=True)
class VerificationResult:
    ok: bool
    reason: Reason | None = None
    detail: str = ""
    #: False when the credential has a status entry that was not checked (no resolver).
    status_checked: bool = True


class _FailError(Exception):
    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _types(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def issuer_id(credential: dict[str, Any]) -> str:
    issuer = credential.get("issuer")
    identifier = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(identifier, str) or not identifier:
        raise _FailError(Reason.MALFORMED, "the credential has no issuer id")
    return identifier


def _parse_datetime(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as error:
        raise _FailError(Reason.MALFORMED, f"{name} is not a date-time: {value!r}") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _check_shape(credential: Any) -> dict[str, Any]:
    if not isinstance(credential, dict):
        raise _FailError(Reason.MALFORMED, "a credential is a JSON object")
    if "VerifiableCredential" not in _types(credential.get("type")):
        raise _FailError(Reason.MALFORMED, "the credential's type has no VerifiableCredential")
    if "@context" not in credential or "credentialSubject" not in credential:
        raise _FailError(Reason.MALFORMED, "the credential has no @context or credentialSubject")
    try:
        proof = the_proof(credential)
    except ProofError as error:
        raise _FailError(Reason.MALFORMED, str(error)) from error
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise _FailError(Reason.MALFORMED, f"the proof is not {PROOF_TYPE} / {CRYPTOSUITE}")
    if proof.get("proofPurpose") != "assertionMethod":
        raise _FailError(Reason.MALFORMED, "the proof's purpose is not assertionMethod")
    if not isinstance(proof.get("verificationMethod"), str):
        raise _FailError(Reason.MALFORMED, "the proof has no verificationMethod")
    return proof


def _check_signature(credential: dict[str, Any], resolve_key: KeyResolver) -> None:
    proof = _check_shape(credential)
    method: str = proof["verificationMethod"]
    issuer = issuer_id(credential)
    if method.partition("#")[0] != issuer:
        raise _FailError(Reason.UNKNOWN_KEY, f"the key {method} is not the issuer's ({issuer})")
    public_key = resolve_key(method)
    if public_key is None:
        raise _FailError(Reason.UNKNOWN_KEY, f"no known public key for {method}")
    try:
        valid = verify_proof(credential, public_key)
    except (ProofError, CanonicalizationError, UnknownContextError) as error:
        raise _FailError(Reason.MALFORMED, str(error)) from error
    if not valid:
        raise _FailError(Reason.BAD_SIGNATURE, "the signature does not match the credential")


def _check_dates(credential: dict[str, Any], now: datetime) -> None:
    valid_from = _parse_datetime(
        credential.get("validFrom", credential.get("issuanceDate")), "validFrom"
    )
    valid_until = _parse_datetime(
        credential.get("validUntil", credential.get("expirationDate")), "validUntil"
    )
    if valid_from is not None and now < valid_from:
        raise _FailError(Reason.NOT_YET_VALID, f"the credential is valid from {valid_from}")
    if valid_until is not None and now > valid_until:
        raise _FailError(Reason.EXPIRED, f"the credential expired at {valid_until}")


def _check_status(
    credential: dict[str, Any],
    resolve_key: KeyResolver,
    resolve_status_list: StatusListResolver,
    now: datetime,
) -> None:
    entries = _types(credential["credentialStatus"])
    for entry in entries:
        try:
            index = entry_index(entry)
        except StatusListError as error:
            raise _FailError(Reason.MALFORMED, str(error)) from error
        url: str = entry["statusListCredential"]
        status_list = resolve_status_list(url)
        if status_list is None:
            raise _FailError(Reason.STATUS_UNAVAILABLE, f"no status list at {url}")
        listed = check_credential(status_list, resolve_key, None, now)
        if not listed.ok:
            raise _FailError(Reason.STATUS_UNAVAILABLE, f"the status list {url}: {listed.detail}")
        if status_list.get("id") != url or issuer_id(status_list) != issuer_id(credential):
            raise _FailError(
                Reason.STATUS_UNAVAILABLE, f"the status list {url} is not this issuer's list"
            )
        try:
            revoked = is_set(list_bits(status_list), index)
        except StatusListError as error:
            raise _FailError(
                Reason.STATUS_UNAVAILABLE, f"the status list {url}: {error}"
            ) from error
        if revoked:
            raise _FailError(Reason.REVOKED, f"the issuer has revoked this credential ({url})")


def check_credential(
    credential: Any,
    resolve_key: KeyResolver,
    resolve_status_list: StatusListResolver | None,
    now: datetime,
) -> VerificationResult:
    try:
        _check_signature(credential, resolve_key)
        _check_dates(credential, now)
        if "credentialStatus" not in credential:
            return VerificationResult(ok=True, detail="signature valid; no status entry")
        if resolve_status_list is None:
            return VerificationResult(
                ok=True, detail="signature valid; status not checked", status_checked=False
            )
        _check_status(credential, resolve_key, resolve_status_list, now)
    except _FailError as failure:
        return VerificationResult(ok=False, reason=failure.reason, detail=failure.detail)
    return VerificationResult(ok=True, detail="signature valid; not revoked")


def verify_credential(
    credential: Any,
    resolve_key: KeyResolver,
    resolve_status_list: StatusListResolver | None = None,
    *,
    now: datetime | None = None,
) -> VerificationResult:
    """Check the credential's proof (by the issuer's key), dates and revocation status.

    `resolve_key(verification_method_id)` returns the public key or None;
    `resolve_status_list(url)` returns the BitstringStatusListCredential at that URL (a
    dict) or None. Without `resolve_status_list` the status is not checked and the result
    says so (`status_checked=False`).
    """
    return check_credential(credential, resolve_key, resolve_status_list, now or datetime.now(UTC))
