"""A badge issued from fixed inputs is byte-for-byte the one in fixtures/example_badge.json.

Ed25519 signatures are deterministic, so with a fixed key, salt and time the whole signed
credential is fixed. If a pyld or context update changes the canonical form, this test
fails before any badge already issued stops verifying elsewhere. The same files are the
examples that docs/CREDENTIALS.md shows. The key is made up for this test; never use it.

To regenerate after a deliberate change: `python -m tests.credentials.test_credential_golden`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lms.credentials.issue import issue_badge, issuer_document, status_list_credential
from lms.credentials.keys import load_private_key
from lms.credentials.resolvers import controller_document_resolver
from lms.credentials.verify import Reason, verify_credential
from tests.credentials.conftest import BASE_URL, PROVIDER, certificate_facts

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE_KEY = load_private_key(
    hashlib.sha256(b"lms docs: example key, never used for real").digest()
)


def example_documents() -> dict[str, dict[str, Any]]:
    return {
        "example_badge.json": issue_badge(
            certificate_facts(learner_email="jane.doe@example.org"),
            EXAMPLE_KEY,
            BASE_URL,
            PROVIDER,
            created=datetime(2025, 3, 14, 9, 30, 5, tzinfo=UTC),
        ),
        "example_issuer.json": issuer_document(PROVIDER, [EXAMPLE_KEY.public_key()], BASE_URL),
        "example_status_list.json": status_list_credential(
            [42], EXAMPLE_KEY, BASE_URL, "2025", now=datetime(2025, 4, 1, tzinfo=UTC)
        ),
    }


def read(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return document


def test_issuing_the_same_facts_gives_the_same_bytes() -> None:
    for name, document in example_documents().items():
        assert document == read(name), f"{name} changed; see this module's docstring"


def test_the_examples_verify_offline_from_the_files_alone() -> None:
    badge, issuer, status_list = (
        read("example_badge.json"),
        read("example_issuer.json"),
        read("example_status_list.json"),
    )
    resolve_key = controller_document_resolver(issuer)
    assert verify_credential(status_list, resolve_key).ok
    result = verify_credential(badge, resolve_key, {status_list["id"]: status_list}.get)
    assert result.reason is Reason.REVOKED  # index 42 is set in the example list
    assert verify_credential(badge, resolve_key).ok  # the signature itself is good


if __name__ == "__main__":
    for name, document in example_documents().items():
        (FIXTURES / name).write_text(json.dumps(document, indent=2) + "\n")
