"""Key resolvers: from a verification method id to the public key it names, or None.

`verify_credential` takes one of these (or any function of the same shape). None means
"not a key I know"; the credential then fails as `unknown_key`. Nothing here fetches:

- `did_key_resolver`: any did:key verification method (the key is in the id itself);
- `static_key_resolver`: a fixed map of verification method id to key;
- `controller_document_resolver`: the keys that a published controller document (the
  issuer document that `lms.credentials.issue.issuer_document` builds) lists under
  `assertionMethod`, for a verifier who saved a copy of that document.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lms.credentials.keys import KeyFormatError, public_key_from_did_key, public_key_from_multibase

KeyResolver = Callable[[str], Ed25519PublicKey | None]


def did_key_resolver(verification_method: str) -> Ed25519PublicKey | None:
    if not verification_method.startswith("did:key:"):
        return None
    try:
        return public_key_from_did_key(verification_method)
    except KeyFormatError:
        return None


def static_key_resolver(keys: Mapping[str, Ed25519PublicKey]) -> KeyResolver:
    known = dict(keys)
    return known.get


def controller_document_resolver(document: Mapping[str, Any]) -> KeyResolver:
    """The Multikey keys of a controller document that it allows for assertions."""
    controller = document.get("id")
    allowed = set(document.get("assertionMethod", []))
    keys: dict[str, Ed25519PublicKey] = {}
    for method in document.get("verificationMethod", []):
        if not isinstance(method, Mapping) or method.get("id") not in allowed:
            continue
        if method.get("type") != "Multikey" or method.get("controller") != controller:
            continue
        try:
            keys[method["id"]] = public_key_from_multibase(method.get("publicKeyMultibase", ""))
        except KeyFormatError:
            continue
    return static_key_resolver(keys)


def first_of(*resolvers: KeyResolver) -> KeyResolver:
    """A resolver that asks each in turn and returns the first key found."""

    def resolve(verification_method: str) -> Ed25519PublicKey | None:
        for resolver in resolvers:
            key = resolver(verification_method)
            if key is not None:
                return key
        return None

    return resolve
