"""The `eddsa-rdfc-2022` Data Integrity cryptosuite (W3C vc-di-eddsa): create and verify.

Signing, per the specification:

1. the proof configuration is the proof options (type `DataIntegrityProof`, cryptosuite,
   created, verificationMethod, proofPurpose) with the document's `@context`;
2. the document (without `proof`) and the proof configuration are each canonicalized
   (RDFC-1.0) and hashed with SHA-256;
3. the Ed25519 signature is over proofConfigHash + documentHash (64 bytes, in that order);
4. `proofValue` is the signature in multibase base58btc (`z...`).

Each step is a function of its own (`proof_configuration`, `hash_data`, `sign_hash`), so
a test can check every intermediate value of a published test vector.
"""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lms.credentials.loader import CREDENTIALS_V2, DATA_INTEGRITY_V1, DATA_INTEGRITY_V2
from lms.credentials.multibase import MultibaseError, decode_base58btc, encode_base58btc
from lms.credentials.rdfc import canonicalize

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
#: Contexts that define DataIntegrityProof; a document to sign must include one of them.
SUITE_CONTEXTS = (CREDENTIALS_V2, DATA_INTEGRITY_V2, DATA_INTEGRITY_V1)


class ProofError(ValueError):
    """A proof, or a document to sign, that does not have the shape this suite needs."""


def xsd_datetime(moment: datetime) -> str:
    """`2010-01-01T19:23:24Z`: UTC, whole seconds (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def contexts_of(document: dict[str, Any]) -> list[Any]:
    context = document.get("@context")
    if context is None:
        raise ProofError("the document has no @context")
    return list(context) if isinstance(context, list) else [context]


def proof_options(
    verification_method: str, created: datetime, proof_purpose: str = "assertionMethod"
) -> dict[str, Any]:
    """The proof before signing (what becomes `proof`, less `proofValue`)."""
    return {
        "type": PROOF_TYPE,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": proof_purpose,
    }


def proof_configuration(document: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """The proof options with the document's `@context` (what is canonicalized and hashed)."""
    if options.get("type") != PROOF_TYPE or options.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"the proof is not a {PROOF_TYPE} with cryptosuite {CRYPTOSUITE}")
    if "proofValue" in options:
        raise ProofError("proof options must not have a proofValue")
    contexts = contexts_of(document)
    if not any(context in SUITE_CONTEXTS for context in contexts):
        raise ProofError(
            "the document's @context must include one that defines DataIntegrityProof: "
            + ", ".join(SUITE_CONTEXTS)
        )
    return {**options, "@context": contexts}


def unsecured(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of the document without its `proof`."""
    return {key: value for key, value in document.items() if key != "proof"}


def hash_data(document: dict[str, Any], configuration: dict[str, Any]) -> bytes:
    """SHA-256 of the canonical proof configuration, then of the canonical document."""
    proof_hash = hashlib.sha256(canonicalize(configuration).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonicalize(unsecured(document)).encode("utf-8")).digest()
    return proof_hash + document_hash


def sign_hash(data: bytes, key: Ed25519PrivateKey) -> str:
    """The `proofValue`: the Ed25519 signature of the hash data, multibase base58btc."""
    return encode_base58btc(key.sign(data))


def create_proof(
    document: dict[str, Any],
    key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime | None = None,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """The `proof` object for the document (which is not changed)."""
    options = proof_options(verification_method, created or datetime.now(UTC), proof_purpose)
    configuration = proof_configuration(document, options)
    return {**options, "proofValue": sign_hash(hash_data(document, configuration), key)}


def sign(
    document: dict[str, Any],
    key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime | None = None,
) -> dict[str, Any]:
    """A signed copy of the document: the same, with an `eddsa-rdfc-2022` proof."""
    if "proof" in document:
        raise ProofError("the document already has a proof")
    secured = copy.deepcopy(document)
    secured["proof"] = create_proof(document, key, verification_method, created)
    return secured


def the_proof(document: dict[str, Any]) -> dict[str, Any]:
    """The document's one proof object, or ProofError."""
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError("the document has no proof, or more than one")
    return proof


def verify_proof(document: dict[str, Any], public_key: Ed25519PublicKey) -> bool:
    """Whether the document's proof is a valid `eddsa-rdfc-2022` signature by the key.

    A proof that is not of this suite, or not well formed, raises ProofError; so does a
    document that cannot be canonicalized (CanonicalizationError, a ValueError too).
    """
    proof = the_proof(document)
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    try:
        signature = decode_base58btc(proof.get("proofValue", ""))
    except MultibaseError as error:
        raise ProofError(f"proofValue: {error}") from error
    if len(signature) != 64:
        raise ProofError("proofValue is not a 64-byte Ed25519 signature")
    unsecured_document = unsecured(document)
    if "@context" in options:
        proof_contexts = options.pop("@context")
        proof_contexts = proof_contexts if isinstance(proof_contexts, list) else [proof_contexts]
        if contexts_of(document)[: len(proof_contexts)] != proof_contexts:
            raise ProofError("the proof's @context is not the start of the document's")
        unsecured_document["@context"] = proof_contexts
    configuration = proof_configuration(unsecured_document, options)
    try:
        public_key.verify(signature, hash_data(unsecured_document, configuration))
    except InvalidSignature:
        return False
    return True
