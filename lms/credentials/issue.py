"""Issuing, in the shapes the routes will serve: one call per document.

URLs, under the LMS's external base URL (for example `https://cpd.example.org/learn`):

| document | URL |
|---|---|
| issuer profile + keys (`issuer_document`) | `{base}/badges/issuer` |
| a key (verification method) | `{base}/badges/issuer#z6Mk...` |
| an achievement (a course) | `{base}/badges/achievements/{course slug}` |
| a credential (`issue_badge`) | `{base}/badges/credentials/{certificate code}` |
| a status list (`status_list_credential`) | `{base}/badges/status/{list id}` |

`lms.badges.views` answers at these URLs (tests/badges/test_badge_urls.py checks they agree).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lms.credentials.credential import (
    CREDENTIAL_CONTEXTS,
    Achievement,
    IssuerProfile,
    Learner,
    build_credential,
    new_salt,
)
from lms.credentials.keys import multikey, verification_method_id
from lms.credentials.loader import DID_V1, MULTIKEY_V1
from lms.credentials.proof import sign
from lms.credentials.schema import validate_schema
from lms.credentials.status_list import (
    MIN_ENTRIES,
    build_status_list_credential,
    status_entry,
)

CE_CONTACT_HOURS = "Continuing-education contact hours"


@dataclass(frozen=True)
class Provider:
    """The training provider that issues the badges (from configuration)."""

    name: str
    url: str
    email: str | None = None


@dataclass(frozen=True)
class CertificateFacts:
    """What a certificate says, as plain values (the caller reads them off the models)."""

    code: str
    learner_name: str
    learner_email: str
    course_slug: str
    course_title: str
    course_description: str
    criteria: str
    ce_hours: Decimal
    issued_at: datetime
    licence: str | None = None
    credit_type: str = CE_CONTACT_HOURS
    #: Further (credit type, amount) pairs the certificate states, after the first.
    more_credits: tuple[tuple[str, Decimal], ...] = ()
    #: Where the certificate's revocation bit is: a list id and an index in it.
    status_list_id: str | None = None
    status_index: int | None = None
    #: The salt of the learner's email hash; a new random one when None.
    salt: str | None = None


@dataclass(frozen=True)
class BadgeUrls:
    """Every URL of the badges area, from the LMS's external base URL."""

    base_url: str

    @property
    def root(self) -> str:
        return self.base_url.rstrip("/") + "/badges"

    @property
    def issuer(self) -> str:
        return f"{self.root}/issuer"

    def achievement(self, course_slug: str) -> str:
        return f"{self.root}/achievements/{course_slug}"

    def credential(self, code: str) -> str:
        return f"{self.root}/credentials/{code}"

    def status_list(self, list_id: str) -> str:
        return f"{self.root}/status/{list_id}"

    def verification_method(self, public_key: Ed25519PublicKey) -> str:
        return verification_method_id(self.issuer, public_key)


def issuer_profile(provider: Provider, base_url: str) -> IssuerProfile:
    return IssuerProfile(
        id=BadgeUrls(base_url).issuer, name=provider.name, url=provider.url, email=provider.email
    )


def issuer_document(
    provider: Provider, public_keys: Sequence[Ed25519PublicKey], base_url: str
) -> dict[str, Any]:
    """What `{base}/badges/issuer` serves: the OB Profile and the keys it signs with.

    It is also a controller document: `verificationMethod` lists each key as a Multikey
    and `assertionMethod` says which may sign credentials (all of them; keep a retired
    key listed while credentials signed with it should still verify).
    """
    profile = issuer_profile(provider, base_url)
    methods = [multikey(key, profile.id) for key in public_keys]
    return {
        "@context": [*CREDENTIAL_CONTEXTS, DID_V1, MULTIKEY_V1],
        **profile.as_json(),
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def achievement_for(facts: CertificateFacts, base_url: str) -> Achievement:
    return Achievement(
        id=BadgeUrls(base_url).achievement(facts.course_slug),
        name=facts.course_title,
        description=facts.course_description,
        criteria=facts.criteria,
        credit_type=facts.credit_type,
        credit_amount=facts.ce_hours,
        more_credits=facts.more_credits,
    )


def issue_badge(
    facts: CertificateFacts,
    key: Ed25519PrivateKey,
    base_url: str,
    provider: Provider,
    *,
    created: datetime | None = None,
) -> dict[str, Any]:
    """The certificate as a signed OpenBadgeCredential (checked against the OB schema).

    Signing is not deterministic in time (`created`) nor in salt (unless `facts.salt` is
    given), so issue once and store the result rather than issuing on every download.
    """
    urls = BadgeUrls(base_url)
    status = None
    if facts.status_list_id is not None and facts.status_index is not None:
        status = status_entry(urls.status_list(facts.status_list_id), facts.status_index)
    credential = build_credential(
        credential_id=urls.credential(facts.code),
        issuer=issuer_profile(provider, base_url),
        achievement=achievement_for(facts, base_url),
        learner=Learner(
            email=facts.learner_email,
            salt=facts.salt or new_salt(),
            name=facts.learner_name,
            licence=facts.licence,
        ),
        issued_at=facts.issued_at,
        credential_status=status,
    )
    validate_schema(credential)
    signed = sign(credential, key, urls.verification_method(key.public_key()), created)
    validate_schema(signed)
    return signed


def status_list_credential(
    revoked_indices: Iterable[int],
    key: Ed25519PrivateKey,
    base_url: str,
    list_id: str,
    *,
    size: int = MIN_ENTRIES,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The signed BitstringStatusListCredential `{base}/badges/status/{list_id}`."""
    urls = BadgeUrls(base_url)
    moment = now or datetime.now(UTC)
    unsigned = build_status_list_credential(
        urls.status_list(list_id), urls.issuer, revoked_indices, moment, size
    )
    return sign(unsigned, key, urls.verification_method(key.public_key()), moment)
