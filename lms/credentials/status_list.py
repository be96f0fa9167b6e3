"""W3C Bitstring Status List: revocation without telling the issuer who is checking.

Every credential gets an index in a list; the issuer publishes the list as a signed
`BitstringStatusListCredential` whose `encodedList` is the bitstring, GZIP-compressed,
in multibase base64url (`u...`). Bit N set means the credential at index N is revoked.
Index 0 is the left-most (most significant) bit of the first byte. The list holds at
least 131,072 entries (16 KiB), so a few revoked credentials do not stand out.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from lms.credentials.loader import CREDENTIALS_V2
from lms.credentials.multibase import MultibaseError, decode_base64url, encode_base64url
from lms.credentials.proof import xsd_datetime

MIN_ENTRIES = 131_072
#: A decompressed list larger than this is refused (a gzip bomb, not a status list).
MAX_BYTES = 16 * 1024 * 1024
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_TYPE = "BitstringStatusList"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
REVOCATION = "revocation"


class StatusListError(ValueError):
    """A status list or status entry that cannot be read; the message says why."""


def encode_bitstring(set_indices: Iterable[int], size: int = MIN_ENTRIES) -> str:
    """The `encodedList` of a list of `size` entries with the given indices set."""
    if size < MIN_ENTRIES or size % 8:
        raise ValueError(f"a status list has a multiple of 8 entries, at least {MIN_ENTRIES}")
    bits = bytearray(size // 8)
    for index in set_indices:
        if not 0 <= index < size:
            raise ValueError(f"status index {index} is outside the list (0 to {size - 1})")
        bits[index // 8] |= 0x80 >> (index % 8)
    return encode_base64url(gzip.compress(bytes(bits), mtime=0))


def decode_bitstring(encoded_list: str) -> bytes:
    """The uncompressed bitstring of an `encodedList`."""
    try:
        compressed = decode_base64url(encoded_list)
    except MultibaseError as error:
        raise StatusListError(f"encodedList: {error}") from error
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        bits = decompressor.decompress(compressed, MAX_BYTES + 1)
    except zlib.error as error:
        raise StatusListError(f"encodedList is not GZIP data: {error}") from error
    if len(bits) > MAX_BYTES:
        raise StatusListError("encodedList decompresses to more than 16 MiB")
    if len(bits) * 8 < MIN_ENTRIES:
        raise StatusListError(f"the status list has fewer than {MIN_ENTRIES} entries")
    return bits


def is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"status index {index} is outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def set_indices(bits: bytes) -> list[int]:
    """Every index whose bit is set (for tests and the admin view)."""
    return [
        byte_index * 8 + bit
        for byte_index, byte in enumerate(bits)
        if byte
        for bit in range(8)
        if byte & (0x80 >> bit)
    ]


def status_entry(list_credential_url: str, index: int) -> dict[str, Any]:
    """The `credentialStatus` of the credential at `index` of the list at that URL."""
    if index < 0:
        raise ValueError("a status index is 0 or more")
    return {
        "id": f"{list_credential_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": REVOCATION,
        "statusListIndex": str(index),
        "statusListCredential": list_credential_url,
    }


def build_status_list_credential(
    list_credential_url: str,
    issuer_id: str,
    revoked_indices: Iterable[int],
    valid_from: datetime,
    size: int = MIN_ENTRIES,
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential for revocation."""
    return {
        "@context": [CREDENTIALS_V2],
        "id": list_credential_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer_id,
        "validFrom": xsd_datetime(valid_from),
        "credentialSubject": {
            "id": f"{list_credential_url}#list",
            "type": LIST_TYPE,
            "statusPurpose": REVOCATION,
            "encodedList": encode_bitstring(revoked_indices, size),
        },
    }


def entry_index(entry: dict[str, Any]) -> int:
    """The `statusListIndex` of a revocation entry, checked."""
    if not isinstance(entry, dict) or entry.get("type") != ENTRY_TYPE:
        raise StatusListError(f"credentialStatus is not a {ENTRY_TYPE}")
    if entry.get("statusPurpose") != REVOCATION:
        raise StatusListError("credentialStatus has a statusPurpose other than revocation")
    raw = entry.get("statusListIndex")
    if not isinstance(raw, str) or not raw.isdecimal():
        raise StatusListError("statusListIndex must be a string of digits")
    if not isinstance(entry.get("statusListCredential"), str):
        raise StatusListError("credentialStatus has no statusListCredential URL")
    return int(raw)


def list_bits(list_credential: dict[str, Any], purpose: str = REVOCATION) -> bytes:
    """The bitstring of a BitstringStatusListCredential (its proof is checked elsewhere)."""
    types = list_credential.get("type", [])
    if LIST_CREDENTIAL_TYPE not in (types if isinstance(types, list) else [types]):
        raise StatusListError(f"not a {LIST_CREDENTIAL_TYPE}")
    subject = list_credential.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != LIST_TYPE:
        raise StatusListError(f"the status list's credentialSubject is not a {LIST_TYPE}")
    purposes = subject.get("statusPurpose")
    if purpose not in (purposes if isinstance(purposes, list) else [purposes]):
        raise StatusListError(f"the status list is not for {purpose}")
    return decode_bitstring(subject.get("encodedList", ""))


def is_revoked(list_credential: dict[str, Any], index: int) -> bool:
    """Whether index `index` is set in the revocation list."""
    return is_set(list_bits(list_credential), index)
