"""Fixtures for lms.credentials: a signing key, a provider, a certificate's facts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.credentials.issue import CertificateFacts, Provider, issue_badge, issuer_document
from lms.credentials.keys import generate_key
from lms.credentials.resolvers import KeyResolver, controller_document_resolver

BASE_URL = "https://cpd.example.org/learn"
STATUS_LIST_URL = f"{BASE_URL}/badges/status/2025"
PROVIDER = Provider(
    name="Psychedelic Care Learning", url="https://cpd.example.org/", email="ce@cpd.example.org"
)
LEARNER_EMAIL = "Jane.Doe@Example.org"


def certificate_facts(**changes: Any) -> CertificateFacts:
    values: dict[str, Any] = {
        "code": "7F3A-19C2-B804",
        "learner_name": "Jane Doe",
        "learner_email": LEARNER_EMAIL,
        "course_slug": "essentials-ketamine-anxiety",
        "course_title": "Essentials of Psychedelic Care: Ketamine and Anxiety",
        "course_description": "A self-paced course for nurses, physicians, guides and coaches.",
        "criteria": "Complete every lesson and pass the final assessment.",
        "ce_hours": Decimal("6.50"),
        "issued_at": datetime(2025, 3, 14, 9, 30, tzinfo=UTC),
        "licence": "RN 1234567",
        "status_list_id": "2025",
        "status_index": 42,
        "salt": "5a1f3c0e9b7d4a2c",
    }
    values.update(changes)
    return CertificateFacts(**values)


@pytest.fixture(scope="session")
def key() -> Ed25519PrivateKey:
    return generate_key()


@pytest.fixture(scope="session")
def resolve_key(key: Ed25519PrivateKey) -> KeyResolver:
    """The keys as a verifier knows them: from the issuer's published document."""
    return controller_document_resolver(issuer_document(PROVIDER, [key.public_key()], BASE_URL))


@pytest.fixture(scope="session")
def badge(key: Ed25519PrivateKey) -> dict[str, Any]:
    """A signed credential (tests that change it take a deep copy)."""
    return issue_badge(certificate_facts(), key, BASE_URL, PROVIDER)
