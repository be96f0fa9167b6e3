"""Bitstring Status List: the encoding, the signed list, and revocation in verification."""

from __future__ import annotations

import copy
import gzip
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.credentials.issue import BadgeUrls, issue_badge, status_list_credential
from lms.credentials.keys import generate_key
from lms.credentials.multibase import encode_base64url
from lms.credentials.proof import sign
from lms.credentials.resolvers import KeyResolver
from lms.credentials.status_list import (
    MIN_ENTRIES,
    StatusListError,
    decode_bitstring,
    encode_bitstring,
    entry_index,
    is_revoked,
    is_set,
    list_bits,
    set_indices,
    status_entry,
)
from lms.credentials.verify import Reason, verify_credential
from tests.credentials.conftest import BASE_URL, PROVIDER, STATUS_LIST_URL, certificate_facts

#: The W3C Bitstring Status List specification's example encodedList: 131,072 zeros.
SPEC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def test_the_specifications_example_decodes_to_an_empty_16kb_list() -> None:
    bits = decode_bitstring(SPEC_EXAMPLE)
    assert len(bits) * 8 == MIN_ENTRIES
    assert set_indices(bits) == []


def test_index_zero_is_the_left_most_bit() -> None:
    bits = decode_bitstring(encode_bitstring([0, 9, MIN_ENTRIES - 1]))
    assert bits[0] == 0b1000_0000
    assert bits[1] == 0b0100_0000
    assert bits[-1] == 0b0000_0001
    assert [is_set(bits, index) for index in (0, 1, 9, MIN_ENTRIES - 1)] == [
        True,
        False,
        True,
        True,
    ]


def test_encoded_list_is_gzip_in_multibase_base64url() -> None:
    encoded = encode_bitstring([5])
    assert encoded.startswith("u")
    assert "=" not in encoded
    assert "+" not in encoded
    assert "/" not in encoded
    assert len(encoded) < 300  # 16 KiB of mostly zeros compresses to almost nothing


@settings(max_examples=50, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=MIN_ENTRIES - 1), max_size=50))
def test_encode_then_decode_round_trips(indices: set[int]) -> None:
    assert set_indices(decode_bitstring(encode_bitstring(indices))) == sorted(indices)


def test_larger_lists() -> None:
    size = MIN_ENTRIES * 2
    assert set_indices(decode_bitstring(encode_bitstring([size - 1], size))) == [size - 1]


@pytest.mark.parametrize(
    ("indices", "size"), [([MIN_ENTRIES], MIN_ENTRIES), ([-1], MIN_ENTRIES), ([], 1024)]
)
def test_out_of_range_indices_and_short_lists_are_refused(indices: list[int], size: int) -> None:
    with pytest.raises(ValueError, match="status"):
        encode_bitstring(indices, size)


@pytest.mark.parametrize(
    ("encoded", "message"),
    [
        ("zNotBase64", "base64url"),
        (encode_base64url(b"not gzip"), "GZIP"),
        (encode_base64url(gzip.compress(b"\0" * 1024)), "fewer than"),
        (encode_base64url(gzip.compress(b"\0" * (17 * 1024 * 1024))), "16 MiB"),
    ],
)
def test_unreadable_lists_are_refused(encoded: str, message: str) -> None:
    with pytest.raises(StatusListError, match=message):
        decode_bitstring(encoded)


def test_status_entry() -> None:
    entry = status_entry(STATUS_LIST_URL, 94567)
    assert entry == {
        "id": f"{STATUS_LIST_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": STATUS_LIST_URL,
    }
    assert entry_index(entry) == 94567
    for bad in ({**entry, "statusListIndex": 7}, {**entry, "statusPurpose": "suspension"}):
        with pytest.raises(StatusListError):
            entry_index(bad)


def test_status_list_credential_is_signed_and_answers_is_revoked(
    key: Ed25519PrivateKey, resolve_key: KeyResolver
) -> None:
    status_list = status_list_credential([3, 42], key, BASE_URL, "2025")
    assert status_list["id"] == STATUS_LIST_URL
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status_list["issuer"] == BadgeUrls(BASE_URL).issuer
    assert status_list["credentialSubject"]["statusPurpose"] == "revocation"
    assert verify_credential(status_list, resolve_key).ok
    assert is_revoked(status_list, 42)
    assert is_revoked(status_list, 3)
    assert not is_revoked(status_list, 41)
    assert set_indices(list_bits(status_list)) == [3, 42]


def lists(*status_lists: dict[str, Any]) -> Any:
    by_url = {status_list["id"]: status_list for status_list in status_lists}
    return by_url.get


def test_a_revoked_credential_verifies_as_revoked(
    badge: dict[str, Any], key: Ed25519PrivateKey, resolve_key: KeyResolver
) -> None:
    assert badge["credentialStatus"]["statusListIndex"] == "42"
    revoked = status_list_credential([42], key, BASE_URL, "2025")
    result = verify_credential(badge, resolve_key, lists(revoked))
    assert not result.ok
    assert result.reason is Reason.REVOKED
    assert "revoked" in result.detail


def test_a_credential_not_in_the_list_verifies(
    badge: dict[str, Any], key: Ed25519PrivateKey, resolve_key: KeyResolver
) -> None:
    others = status_list_credential([41, 43], key, BASE_URL, "2025")
    result = verify_credential(badge, resolve_key, lists(others))
    assert result.ok, result.detail
    assert result.status_checked


def test_a_missing_status_list_is_unavailable(
    badge: dict[str, Any], resolve_key: KeyResolver
) -> None:
    result = verify_credential(badge, resolve_key, lists())
    assert result.reason is Reason.STATUS_UNAVAILABLE


def test_a_tampered_status_list_is_not_trusted(
    badge: dict[str, Any], key: Ed25519PrivateKey, resolve_key: KeyResolver
) -> None:
    """Someone clears the revoked bit in the list: its signature no longer matches."""
    revoked = status_list_credential([42], key, BASE_URL, "2025")
    cleared = copy.deepcopy(revoked)
    cleared["credentialSubject"]["encodedList"] = encode_bitstring([])
    result = verify_credential(badge, resolve_key, lists(cleared))
    assert result.reason is Reason.STATUS_UNAVAILABLE
    assert "signature" in result.detail


def test_a_status_list_signed_by_someone_else_is_not_trusted(
    badge: dict[str, Any], resolve_key: KeyResolver
) -> None:
    stranger = status_list_credential([], generate_key(), BASE_URL, "2025")
    result = verify_credential(badge, resolve_key, lists(stranger))
    assert result.reason is Reason.STATUS_UNAVAILABLE


def test_a_status_list_served_at_the_wrong_url_is_not_trusted(
    badge: dict[str, Any], key: Ed25519PrivateKey, resolve_key: KeyResolver
) -> None:
    other_list = status_list_credential([], key, BASE_URL, "2024")
    result = verify_credential(badge, resolve_key, lambda url: other_list)
    assert result.reason is Reason.STATUS_UNAVAILABLE
    assert "not this issuer's list" in result.detail


def test_a_status_list_of_another_purpose_is_refused(
    key: Ed25519PrivateKey, resolve_key: KeyResolver
) -> None:
    status_list = status_list_credential([42], key, BASE_URL, "2025")
    unsigned = {k: v for k, v in status_list.items() if k != "proof"}
    unsigned["credentialSubject"] = {**unsigned["credentialSubject"], "statusPurpose": "suspension"}
    suspension = sign(unsigned, key, BadgeUrls(BASE_URL).verification_method(key.public_key()))
    with pytest.raises(StatusListError, match="not for revocation"):
        is_revoked(suspension, 42)
    badge = issue_badge(certificate_facts(), key, BASE_URL, PROVIDER)
    result = verify_credential(badge, resolve_key, lists(suspension))
    assert result.reason is Reason.STATUS_UNAVAILABLE
