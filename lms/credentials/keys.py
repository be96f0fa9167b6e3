"""Ed25519 keys: generate, serialise, load; the public key as Multikey and as did:key.

- The private key is kept as PKCS#8 PEM (`private_key_pem`) or its raw 32-byte seed
  (`private_key_bytes`); `load_private_key` reads either, and also the 64-byte
  seed-then-public-key form that NaCl-style tools (and the OB 3.0 test vector) print.
- The public key is published as a Multikey: `publicKeyMultibase` is `z6Mk...`, the
  base58btc multibase of the multicodec `ed25519-pub` prefix (0xed 0x01) and the 32 key
  bytes. The same string after `did:key:` is the key's did:key.
"""

from __future__ import annotations

from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lms.credentials.loader import DID_V1, MULTIKEY_V1
from lms.credentials.multibase import MultibaseError, decode_base58btc, encode_base58btc

ED25519_PUB_MULTICODEC = b"\xed\x01"
ED25519_PRIV_MULTICODEC = b"\x80\x26"


class KeyFormatError(ValueError):
    """Bytes or a string that are not an Ed25519 key in a supported format."""


def generate_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_bytes(key: Ed25519PrivateKey) -> bytes:
    """The raw 32-byte private key (seed)."""
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    """The private key as unencrypted PKCS#8 PEM (keep it as secret as a password)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_key(data: bytes) -> Ed25519PrivateKey:
    """A private key from PKCS#8 PEM, a raw 32-byte seed, or 64 bytes of seed + public key."""
    if data.lstrip().startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm) as error:
            raise KeyFormatError(f"not a readable unencrypted PEM private key: {error}") from error
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyFormatError("the PEM private key is not an Ed25519 key")
        return key
    if len(data) == 32:
        return Ed25519PrivateKey.from_private_bytes(data)
    if len(data) == 64:
        key = Ed25519PrivateKey.from_private_bytes(data[:32])
        if public_key_bytes(key.public_key()) != data[32:]:
            raise KeyFormatError("the last 32 bytes are not the public key of the first 32")
        return key
    raise KeyFormatError(
        f"expected PEM, 32 or 64 bytes for an Ed25519 private key, got {len(data)} bytes"
    )


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def load_public_key(data: bytes) -> Ed25519PublicKey:
    if len(data) != 32:
        raise KeyFormatError(f"an Ed25519 public key is 32 bytes, got {len(data)}")
    return Ed25519PublicKey.from_public_bytes(data)


def public_key_multibase(key: Ed25519PublicKey) -> str:
    """The Multikey `publicKeyMultibase` of the key: `z6Mk...`."""
    return encode_base58btc(ED25519_PUB_MULTICODEC + public_key_bytes(key))


def public_key_from_multibase(text: str) -> Ed25519PublicKey:
    try:
        data = decode_base58btc(text)
    except MultibaseError as error:
        raise KeyFormatError(f"not a Multikey public key: {error}") from error
    if not data.startswith(ED25519_PUB_MULTICODEC) or len(data) != 34:
        raise KeyFormatError("not an Ed25519 Multikey public key (expected z6Mk...)")
    return load_public_key(data[2:])


def secret_key_multibase(key: Ed25519PrivateKey) -> str:
    """The Multikey `secretKeyMultibase` of the key (`z3u2...`); never publish it."""
    return encode_base58btc(ED25519_PRIV_MULTICODEC + private_key_bytes(key))


def did_key(key: Ed25519PublicKey) -> str:
    """The key's did:key, `did:key:z6Mk...`."""
    return "did:key:" + public_key_multibase(key)


def did_key_verification_method(key: Ed25519PublicKey) -> str:
    """The did:key verification method id, `did:key:z6Mk...#z6Mk...`."""
    multibase = public_key_multibase(key)
    return f"did:key:{multibase}#{multibase}"


def public_key_from_did_key(did_or_method: str) -> Ed25519PublicKey:
    """The public key of a did:key or of a did:key verification method id."""
    did, _, fragment = did_or_method.partition("#")
    if not did.startswith("did:key:"):
        raise KeyFormatError(f"{did_or_method!r} is not a did:key")
    multibase = did.removeprefix("did:key:")
    if fragment and fragment != multibase:
        raise KeyFormatError("a did:key verification method's fragment is the key itself")
    return public_key_from_multibase(multibase)


def verification_method_id(controller: str, key: Ed25519PublicKey) -> str:
    """A verification method id under `controller`: `{controller}#{publicKeyMultibase}`."""
    return f"{controller}#{public_key_multibase(key)}"


def multikey(key: Ed25519PublicKey, controller: str) -> dict[str, Any]:
    """The key as a Multikey verification method controlled by `controller`."""
    return {
        "id": verification_method_id(controller, key),
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": public_key_multibase(key),
    }


def multikey_document(key: Ed25519PublicKey, controller: str) -> dict[str, Any]:
    """A stand-alone Multikey document (what the key's own URL can serve)."""
    return {"@context": MULTIKEY_V1, **multikey(key, controller)}


def did_key_document(key: Ed25519PublicKey) -> dict[str, Any]:
    """The DID document that the key's did:key resolves to."""
    did = did_key(key)
    method = {**multikey(key, did), "id": did_key_verification_method(key)}
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": [method],
        "authentication": [method["id"]],
        "assertionMethod": [method["id"]],
    }
