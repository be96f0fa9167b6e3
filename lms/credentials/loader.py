"""The JSON-LD document loader: the shipped contexts, and nothing from the network.

pyld calls a document loader for every `@context` URL it meets. This one answers from
the JSON files in `contexts/` (see `contexts/SOURCE.md` for where each came from) and
refuses any other URL with `UnknownContextError`, so signing and verifying never touch
the network and a credential that names an unknown context is refused, not fetched.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

CREDENTIALS_V1 = "https://www.w3.org/2018/credentials/v1"
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
DATA_INTEGRITY_V1 = "https://w3id.org/security/data-integrity/v1"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"
STATUS_LIST_V1 = "https://www.w3.org/ns/credentials/status/v1"
OB_V3P0_3_0_3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#: Defines 1EdTechJsonSchemaValidator2019, the type of the OB 3.0 `credentialSchema` entry.
OB_V3P0_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"

#: Every context URL this package knows, and the file under `contexts/` that answers it.
CONTEXT_FILES: dict[str, str] = {
    CREDENTIALS_V1: "credentials-v1.jsonld",
    CREDENTIALS_V2: "credentials-v2.jsonld",
    DATA_INTEGRITY_V1: "data-integrity-v1.jsonld",
    DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
    DID_V1: "did-v1.jsonld",
    STATUS_LIST_V1: "vc-bitstring-status-list-v1.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "ob-v3p0-context-3.0.0.json",
    # The URL that the OB 3.0 specification's eddsa-rdfc-2022 test vector uses for 3.0.0.
    "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld": (
        "ob-v3p0-context-3.0.0.json"
    ),
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "ob-v3p0-context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "ob-v3p0-context-3.0.2.json",
    OB_V3P0_3_0_3: "ob-v3p0-context-3.0.3.json",
    OB_V3P0_EXTENSIONS: "ob-v3p0-extensions.json",
}


class UnknownContextError(LookupError):
    """A JSON-LD context URL that is not shipped with the package (never fetched)."""

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(
            f"JSON-LD context {url!r} is not shipped with lms.credentials, and contexts are "
            "never fetched from the network. Known contexts: " + ", ".join(sorted(CONTEXT_FILES))
        )


@cache
def _context_text(filename: str) -> str:
    folder = resources.files("lms.credentials").joinpath("contexts")
    return folder.joinpath(filename).read_text("utf-8")


def load_context(url: str) -> dict[str, Any]:
    """The shipped context document for `url` (a fresh copy), or `UnknownContextError`."""
    filename = CONTEXT_FILES.get(url)
    if filename is None:
        raise UnknownContextError(url)
    document: dict[str, Any] = json.loads(_context_text(filename))
    return document


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pyld document loader (`documentLoader` option) over the shipped contexts only."""
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": load_context(url),
    }
