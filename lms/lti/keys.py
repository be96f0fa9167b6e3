"""The tool's RSA keys: the newest unretired one signs, retired ones stay published a while.

`rotate_key` makes a new key and retires the old one; the key set keeps a retired key for
LMS_LTI_RETIRED_KEY_HOURS, so a token signed just before rotation still verifies at a
platform that fetched the key set before (service tokens last a minute; platforms cache
key sets for hours).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from pylti1p3.registration import Registration

from lms.database import session, utcnow
from lms.models import LtiKey


def public_pem(private_key_pem: str) -> str:
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def public_jwk(key: LtiKey) -> dict[str, Any]:
    """The key as a public JWK (RS256, use sig) with the kid it signs with."""
    jwk = dict(Registration.get_jwk(public_pem(key.private_key_pem)))
    jwk["kid"] = key.kid
    return jwk


def new_key() -> LtiKey:
    """A new 2048-bit RSA key (added to the session, flushed)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    kid = Registration.get_jwk(public_pem(pem))["kid"]
    key = LtiKey(kid=kid, private_key_pem=pem)
    session.add(key)
    session.flush()
    return key


def signing_key() -> LtiKey:
    """The key that signs now (made on first use)."""
    key = session.scalar(
        sa.select(LtiKey).where(LtiKey.retired_at.is_(None)).order_by(LtiKey.id.desc()).limit(1)
    )
    return key if key is not None else new_key()


def published_keys() -> list[LtiKey]:
    """The keys in the JWKS: the signing key and those retired within the grace period."""
    hours = current_app.config["LMS_LTI_RETIRED_KEY_HOURS"]
    since = utcnow() - timedelta(hours=hours)
    return list(
        session.scalars(
            sa.select(LtiKey)
            .where(sa.or_(LtiKey.retired_at.is_(None), LtiKey.retired_at > since))
            .order_by(LtiKey.id.desc())
        )
    )


def jwks() -> dict[str, list[dict[str, Any]]]:
    """The published key set (the first key is made when a platform is registered)."""
    return {"keys": [public_jwk(key) for key in published_keys()]}


def rotate_key() -> tuple[LtiKey, LtiKey | None]:
    """A new signing key; the previous one is retired (still published). Flushes."""
    old = session.scalar(
        sa.select(LtiKey).where(LtiKey.retired_at.is_(None)).order_by(LtiKey.id.desc()).limit(1)
    )
    now = utcnow()
    for key in session.scalars(sa.select(LtiKey).where(LtiKey.retired_at.is_(None))):
        key.retired_at = now
    session.flush()
    return new_key(), old
