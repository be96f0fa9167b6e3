"""The Open Badges 3.0 specification's eddsa-rdfc-2022 test vector, reproduced exactly.

Source: 1EdTech openbadges-specification, ob_v3p0/impl/linked-data-proof-ob.md (the values
are in fixtures/ob3_eddsa_rdfc_2022_vector.json). Every intermediate value is checked:
key pair, document hash, proof hash, the 64 bytes signed, signature and proofValue.

The vector's credential uses the VC 1.1 context, which does not define DataIntegrityProof,
so its signer added the Data Integrity v1 context (as Data Integrity libraries do); the
proof hash is reproduced with it. Adding it changes nothing in the credential's own RDF:
the document hash is the same with and without it.
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lms.credentials.keys import (
    load_private_key,
    public_key_bytes,
    public_key_from_multibase,
    public_key_multibase,
)
from lms.credentials.loader import DATA_INTEGRITY_V1
from lms.credentials.proof import (
    create_proof,
    hash_data,
    proof_configuration,
    proof_options,
    sign_hash,
    verify_proof,
)
from lms.credentials.rdfc import canonicalize

VECTOR: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "ob3_eddsa_rdfc_2022_vector.json").read_text()
)
CREATED = datetime(2010, 1, 1, 19, 23, 24, tzinfo=UTC)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_to_sign() -> dict[str, Any]:
    document: dict[str, Any] = copy.deepcopy(VECTOR["credential"])
    document["@context"].append(DATA_INTEGRITY_V1)
    return document


def test_key_pair_and_its_multikey() -> None:
    key = load_private_key(bytes.fromhex(VECTOR["privateKeyHex"]))
    assert public_key_bytes(key.public_key()).hex() == VECTOR["publicKeyHex"]
    # The verification method's fragment is the public key as a Multikey.
    fragment = VECTOR["proofOptions"]["verificationMethod"].split("#")[1]
    assert public_key_multibase(key.public_key()) == fragment
    assert public_key_bytes(public_key_from_multibase(fragment)).hex() == VECTOR["publicKeyHex"]


def test_document_hash() -> None:
    assert sha256_hex(canonicalize(VECTOR["credential"])) == VECTOR["documentHashHex"]
    assert sha256_hex(canonicalize(document_to_sign())) == VECTOR["documentHashHex"]


def test_proof_options_and_proof_hash() -> None:
    options = proof_options(VECTOR["proofOptions"]["verificationMethod"], CREATED)
    assert options == VECTOR["proofOptions"]
    configuration = proof_configuration(document_to_sign(), options)
    assert sha256_hex(canonicalize(configuration)) == VECTOR["proofHashHex"]


def test_hash_data_signature_and_proof_value() -> None:
    document = document_to_sign()
    configuration = proof_configuration(document, VECTOR["proofOptions"])
    data = hash_data(document, configuration)
    assert data.hex() == VECTOR["proofHashHex"] + VECTOR["documentHashHex"]
    key = load_private_key(bytes.fromhex(VECTOR["privateKeyHex"]))
    assert key.sign(data).hex() == VECTOR["signatureHex"]
    assert sign_hash(data, key) == VECTOR["proofValue"]


def test_create_proof_gives_the_vectors_proof() -> None:
    key = load_private_key(bytes.fromhex(VECTOR["privateKeyHex"]))
    proof = create_proof(
        document_to_sign(), key, VECTOR["proofOptions"]["verificationMethod"], CREATED
    )
    assert proof == {**VECTOR["proofOptions"], "proofValue": VECTOR["proofValue"]}


def test_the_vectors_signed_credential_verifies_and_a_changed_one_does_not() -> None:
    fragment = VECTOR["proofOptions"]["verificationMethod"].split("#")[1]
    public_key = public_key_from_multibase(fragment)
    signed = {
        **document_to_sign(),
        "proof": {**VECTOR["proofOptions"], "proofValue": VECTOR["proofValue"]},
    }
    assert verify_proof(signed, public_key)
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["achievement"]["name"] = "Teamwork!"
    assert not verify_proof(changed, public_key)


@pytest.mark.parametrize("length", [32, 64])
def test_private_key_loads_from_seed_or_seed_and_public_key(length: int) -> None:
    raw = bytes.fromhex(VECTOR["privateKeyHex"])[:length]
    key = load_private_key(raw)
    assert public_key_bytes(key.public_key()).hex() == VECTOR["publicKeyHex"]
