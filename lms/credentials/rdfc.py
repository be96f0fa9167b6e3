"""RDF Dataset Canonicalization (RDFC-1.0, formerly URDNA2015) of JSON-LD, in safe mode.

A Data Integrity proof signs the canonical N-Quads of a document, so whatever JSON-LD
drops silently is not signed. `canonicalize` therefore refuses a document that has:

- a property that its contexts do not define (JSON-LD would drop it);
- a relative IRI as `@id` or `@type` (pyld would resolve it against a made-up base);
- a string with a control character other than tab, line feed and carriage return (pyld's
  N-Quads escaping differs from RDFC-1.0's for those, so another implementation would
  hash different bytes);
- more than `MAX_BLANK_NODES` blank nodes, or blank nodes so alike that telling them
  apart takes more than `MAX_WORK` steps (RDFC-1.0 is exponential on such "poison"
  graphs and pyld sets no limit of its own; a credential has a handful of distinct ones).

Contexts come from `lms.credentials.loader` only: an unknown context URL raises
`UnknownContextError`, never a network request.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

from cachetools import LRUCache
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver
from pyld.identifier_issuer import IdentifierIssuer

from lms.credentials.loader import UnknownContextError, document_loader

#: Relative references are resolved against this base, then found and refused.
_SENTINEL_BASE = "https://relative-iri.invalid/"
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_BLANK_NODES = 40
#: Steps of the blank-node labelling (one per candidate checked) before giving up.
MAX_WORK = 20_000
#: Resolved contexts, kept per thread (an LRUCache is not thread-safe); the loader only
#: ever answers with the shipped files, so what is cached never goes stale.
_local = threading.local()


def _resolved_contexts() -> LRUCache[Any, Any]:
    cache: LRUCache[Any, Any] | None = getattr(_local, "contexts", None)
    if cache is None:
        cache = _local.contexts = LRUCache(maxsize=100)
    return cache


class CanonicalizationError(ValueError):
    """The document cannot be canonicalized safely; the message says why."""


class _BudgetedIssuer(IdentifierIssuer):  # type: ignore[misc]  # pyld is untyped
    """The canonical issuer, counting the checks RDFC-1.0 makes against it.

    Every permutation that Hash N-Degree Quads tries asks `has_id` at least once, so the
    count bounds the algorithm's work (this relies on pyld's URDNA2015 internals; pyld is
    pinned below 4).
    """

    def __init__(self, prefix: str) -> None:
        super().__init__(prefix)
        self.work = 0

    def has_id(self, old: str) -> bool:
        self.work += 1
        if self.work > MAX_WORK:
            raise CanonicalizationError(
                "too much work to label the blank nodes (a graph built to be slow)"
            )
        result: bool = super().has_id(old)
        return result


class _BoundedURDNA2015(URDNA2015):  # type: ignore[misc]  # pyld is untyped
    def __init__(self) -> None:
        super().__init__()
        self.canonical_issuer = _BudgetedIssuer("_:c14n")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _relative_iris(expanded: Any) -> Iterator[str]:
    if isinstance(expanded, list):
        for item in expanded:
            yield from _relative_iris(item)
    elif isinstance(expanded, dict):
        for key, value in expanded.items():
            if key == "@value":
                continue
            if key in ("@id", "@type"):
                for iri in value if isinstance(value, list) else [value]:
                    if isinstance(iri, str) and iri.startswith(_SENTINEL_BASE):
                        yield iri.removeprefix(_SENTINEL_BASE)
            else:
                yield from _relative_iris(value)


def _blank_nodes(expanded: Any, labels: set[str]) -> int:
    """How many distinct blank nodes: unlabelled node objects, and distinct `_:` labels."""
    if isinstance(expanded, list):
        return sum(_blank_nodes(item, labels) for item in expanded)
    if not isinstance(expanded, dict) or "@value" in expanded:
        return 0
    node_id = expanded.get("@id")
    count = sum(_blank_nodes(value, labels) for key, value in expanded.items() if key != "@id")
    if isinstance(node_id, str) and node_id.startswith("_:"):
        labels.add(node_id)
    elif node_id is None and "@list" not in expanded and "@set" not in expanded:
        count += 1
    return count


def _options() -> dict[str, Any]:
    return {
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_resolved_contexts(), document_loader),
        "base": _SENTINEL_BASE,
    }


def _unknown_context(error: BaseException) -> UnknownContextError | None:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, UnknownContextError):
            return cause
        cause = cause.__cause__ or cause.__context__
    return None


def expand(document: dict[str, Any]) -> list[Any]:
    """The document in expanded JSON-LD form, refusing what safe mode refuses."""
    for text in _strings(document):
        if _CONTROL_CHARACTERS.search(text):
            raise CanonicalizationError(
                f"the string {text!r} has a control character; it cannot be signed portably"
            )
    dropped: list[str] = []

    def on_dropped(term: str | None) -> None:
        dropped.append(str(term))

    try:
        expanded: list[Any] = jsonld.expand(document, _options(), on_property_dropped=on_dropped)
    except jsonld.JsonLdError as error:
        unknown = _unknown_context(error)
        if unknown is not None:
            raise unknown from error
        raise CanonicalizationError(f"not valid JSON-LD: {error}") from error
    if dropped:
        raise CanonicalizationError(
            "properties not defined by the document's contexts (they would not be signed): "
            + ", ".join(sorted(set(dropped)))
        )
    labels: set[str] = set()
    if _blank_nodes(expanded, labels) + len(labels) > MAX_BLANK_NODES:
        raise CanonicalizationError(f"more than {MAX_BLANK_NODES} blank nodes")
    relative = sorted(set(_relative_iris(expanded)))
    if relative:
        raise CanonicalizationError(
            "relative IRIs or undefined types (they would not be signed as written): "
            + ", ".join(relative)
        )
    return expanded


def canonicalize(document: dict[str, Any]) -> str:
    """The document's canonical N-Quads (RDFC-1.0), as a string."""
    expanded = expand(document)
    try:
        dataset = jsonld.to_rdf(expanded, {**_options(), "produceGeneralizedRdf": False})
    except jsonld.JsonLdError as error:  # pragma: no cover - expand has caught these
        raise CanonicalizationError(f"cannot convert to RDF: {error}") from error
    nquads: str = _BoundedURDNA2015().main(dataset, {"format": "application/n-quads"})
    return nquads
