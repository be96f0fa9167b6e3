"""Ed25519 keys round-trip through every form they are stored or published in."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.credentials.keys import (
    KeyFormatError,
    did_key,
    did_key_document,
    did_key_verification_method,
    generate_key,
    load_private_key,
    private_key_bytes,
    private_key_pem,
    public_key_bytes,
    public_key_from_did_key,
    public_key_from_multibase,
    public_key_multibase,
    secret_key_multibase,
    verification_method_id,
)
from lms.credentials.multibase import (
    MultibaseError,
    base58btc_decode,
    base58btc_encode,
    decode_base64url,
    encode_base64url,
)
from lms.credentials.rdfc import expand
from lms.credentials.resolvers import did_key_resolver


def test_private_key_round_trips_through_pem_and_raw_bytes() -> None:
    key = generate_key()
    pem = private_key_pem(key)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    for stored in (
        pem,
        private_key_bytes(key),
        private_key_bytes(key) + public_key_bytes(key.public_key()),
    ):
        loaded = load_private_key(stored)
        assert private_key_bytes(loaded) == private_key_bytes(key)
    # A loaded key signs what the original key verifies.
    key.public_key().verify(load_private_key(pem).sign(b"message"), b"message")


def test_public_key_round_trips_through_multikey_and_did_key() -> None:
    public = generate_key().public_key()
    multibase = public_key_multibase(public)
    assert multibase.startswith("z6Mk")
    assert public_key_bytes(public_key_from_multibase(multibase)) == public_key_bytes(public)
    assert did_key(public) == f"did:key:{multibase}"
    method = did_key_verification_method(public)
    assert method == f"did:key:{multibase}#{multibase}"
    for reference in (did_key(public), method):
        assert public_key_bytes(public_key_from_did_key(reference)) == public_key_bytes(public)
    resolved = did_key_resolver(method)
    assert resolved is not None
    assert public_key_bytes(resolved) == public_key_bytes(public)
    assert verification_method_id("https://x.example/issuer", public).endswith("#" + multibase)


def test_did_key_document_is_well_formed_json_ld() -> None:
    public = generate_key().public_key()
    document = did_key_document(public)
    assert document["id"] == did_key(public)
    assert document["assertionMethod"] == [did_key_verification_method(public)]
    assert document["verificationMethod"][0]["publicKeyMultibase"] == public_key_multibase(public)
    expand(document)  # every term defined by the shipped contexts


def test_secret_key_multibase_has_the_ed25519_private_prefix() -> None:
    assert secret_key_multibase(generate_key()).startswith("z3u2")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\0" * 31,
        b"\1" * 33,
        b"-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n",
    ],
)
def test_unreadable_private_keys_are_refused(data: bytes) -> None:
    with pytest.raises((KeyFormatError, ValueError)):
        load_private_key(data)


def test_seed_and_public_key_that_do_not_match_are_refused() -> None:
    seed = private_key_bytes(generate_key())
    other = public_key_bytes(generate_key().public_key())
    with pytest.raises(KeyFormatError, match="not the public key"):
        load_private_key(seed + other)


def test_a_non_ed25519_pem_key_is_refused() -> None:
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(KeyFormatError, match="not an Ed25519"):
        load_private_key(pem)


@pytest.mark.parametrize(
    "text",
    ["6Mkmissingz", "z0OIl", "zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", "z"],
)
def test_bad_multikeys_are_refused(text: str) -> None:
    with pytest.raises(KeyFormatError):
        public_key_from_multibase(text)


@pytest.mark.parametrize("reference", ["did:web:example.org", "did:key:z6Mkabc#z6Mkxyz"])
def test_bad_did_keys_are_refused(reference: str) -> None:
    with pytest.raises(KeyFormatError):
        public_key_from_did_key(reference)
    assert did_key_resolver(reference) is None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=80))
def test_base58btc_and_base64url_round_trip(data: bytes) -> None:
    assert base58btc_decode(base58btc_encode(data)) == data
    assert decode_base64url(encode_base64url(data)) == data


def test_base58btc_known_value_and_leading_zeros() -> None:
    assert base58btc_encode(b"Hello World!") == "2NEpo7TZRRrLZSi2U"
    assert base58btc_encode(b"\0\0\x01") == "112"
    assert base58btc_decode("112") == b"\0\0\x01"
    with pytest.raises(MultibaseError):
        base58btc_decode("0OIl")
