"""RDF Dataset Canonicalization (RDFC-1.0, formerly URDNA2015) of JSON-LD, in safe mode.

A Data Integrity proof signs the canonical N-Quads of a document, so whatever JSON-LD
drops silently is not signed. `canonicalize` therefore refuses a document that has:

- a property that its contexts do not define (JSON-LD would drop it);
- a relative IRI as `@id` or `@type` (pyld would resolve it against a made-up base);
- a string with a control character other than tab, line feed and carriage return (pyld's
  N-Quads escaping differs from RDFC-1.0's for those, so another implementation would
  hash different bytes).

Contexts come from `lms.credentials.loader` only: an unknown context URL raises
`UnknownContextError`, never a network request.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from cachetools import LRUCache
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from lms.credentials.loader import UnknownContextError, document_loader

#: Relative references are resolved against this base, then found and refused.
_SENTINEL_BASE = "https://relative-iri.invalid/"
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Resolved contexts, shared by every call (the loader only ever answers shipped files).
_resolved_contexts: LRUCache[Any, Any] = LRUCache(maxsize=100)


class CanonicalizationError(ValueError):
    """The document cannot be canonicalized safely; the message says why."""


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


def _options() -> dict[str, Any]:
    return {
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_resolved_contexts, document_loader),
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
        nquads: str = jsonld.normalize(
            expanded,
            {**_options(), "algorithm": "URDNA2015", "format": "application/n-quads"},
        )
    except jsonld.JsonLdError as error:  # pragma: no cover - expand has caught these
        raise CanonicalizationError(f"cannot canonicalize: {error}") from error
    return nquads
