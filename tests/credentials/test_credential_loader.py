"""The shipped contexts, the offline document loader, and safe-mode canonicalization."""

from __future__ import annotations

import hashlib
import socket
import time
from importlib import resources
from typing import Any

import pytest
from pyld import jsonld

from lms.credentials.loader import (
    CONTEXT_FILES,
    CREDENTIALS_V2,
    OB_V3P0_3_0_3,
    UnknownContextError,
    document_loader,
    load_context,
)
from lms.credentials.rdfc import MAX_BLANK_NODES, CanonicalizationError, canonicalize

CONTEXTS = resources.files("lms.credentials").joinpath("contexts")
UNKNOWN = "https://contexts.example.net/evil/v1"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Any socket, and pyld's own (network) default loader, fail the test if used."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> None:
        attempts.append(args)
        raise AssertionError("lms.credentials tried to use the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(jsonld, "_default_document_loader", refuse)
    return attempts


def test_every_known_url_loads_a_shipped_context() -> None:
    for url in CONTEXT_FILES:
        document = document_loader(url)
        assert document["documentUrl"] == url
        assert isinstance(document["document"]["@context"], dict | list)


def test_every_shipped_file_is_served_and_recorded_in_source_with_its_hash() -> None:
    source = CONTEXTS.joinpath("SOURCE.md").read_text("utf-8")
    files = {
        entry.name for entry in CONTEXTS.iterdir() if entry.name.endswith((".json", ".jsonld"))
    }
    assert files == set(CONTEXT_FILES.values())
    for name in files:
        digest = hashlib.sha256(CONTEXTS.joinpath(name).read_bytes()).hexdigest()
        assert f"{digest}  {name}" in source, f"update contexts/SOURCE.md for {name}"


def test_loader_returns_a_fresh_copy() -> None:
    load_context(CREDENTIALS_V2)["@context"]["id"] = "changed"
    assert load_context(CREDENTIALS_V2)["@context"]["id"] == "@id"


def test_loader_refuses_an_unknown_url_without_network(no_network: list[Any]) -> None:
    with pytest.raises(UnknownContextError, match="not shipped") as raised:
        document_loader(UNKNOWN)
    assert raised.value.url == UNKNOWN
    assert no_network == []


def test_a_document_with_an_unknown_context_is_refused_without_network(
    no_network: list[Any],
) -> None:
    document = {"@context": [CREDENTIALS_V2, UNKNOWN], "type": ["VerifiableCredential"]}
    with pytest.raises(UnknownContextError) as raised:
        canonicalize(document)
    assert raised.value.url == UNKNOWN
    assert no_network == []


def test_known_contexts_canonicalize_without_network(no_network: list[Any]) -> None:
    document = {
        "@context": [CREDENTIALS_V2, OB_V3P0_3_0_3],
        "id": "https://cpd.example.org/c/1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "A badge",
    }
    assert '<https://schema.org/name> "A badge"' in canonicalize(document)
    assert no_network == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nickname": "not defined anywhere"}, "properties not defined"),
        ({"type": ["VerifiableCredential", "MadeUpType"]}, "relative IRIs or undefined types"),
        ({"id": "relative/credential/1"}, "relative IRIs"),
        ({"name": "bell\x07"}, "control character"),
    ],
)
def test_safe_mode_refuses_what_would_not_be_signed(change: dict[str, Any], message: str) -> None:
    document = {
        "@context": [CREDENTIALS_V2, OB_V3P0_3_0_3],
        "id": "https://cpd.example.org/c/1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "A badge",
        **change,
    }
    with pytest.raises(CanonicalizationError, match=message):
        canonicalize(document)


def test_invalid_json_ld_is_a_canonicalization_error() -> None:
    with pytest.raises(CanonicalizationError, match="not valid JSON-LD"):
        canonicalize({"@context": [CREDENTIALS_V2, {"@version": 99}], "id": "urn:x:1"})


def test_documents_with_very_many_blank_nodes_are_refused() -> None:
    document = {
        "@context": [CREDENTIALS_V2, OB_V3P0_3_0_3],
        "id": "https://cpd.example.org/c/1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "credentialSubject": [{"type": ["AchievementSubject"]} for _ in range(MAX_BLANK_NODES + 1)],
    }
    with pytest.raises(CanonicalizationError, match="blank nodes"):
        canonicalize(document)
    document["credentialSubject"] = document["credentialSubject"][:5]
    canonicalize(document)


def test_a_graph_built_to_be_slow_to_canonicalize_is_refused_quickly() -> None:
    """Eight blank nodes all linked to each other: unbounded RDFC-1.0 takes about a minute."""
    labels = [f"_:b{i}" for i in range(8)]
    graph = [
        {"id": label, "type": "VerifiableCredential", "issuer": [o for o in labels if o != label]}
        for label in labels
    ]
    started = time.monotonic()
    with pytest.raises(CanonicalizationError, match="too much work"):
        canonicalize({"@context": [CREDENTIALS_V2], "@graph": graph})
    assert time.monotonic() - started < 10
