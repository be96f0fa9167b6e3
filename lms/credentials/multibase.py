"""Multibase encodings used by Data Integrity: base58btc (`z...`) and base64url (`u...`)."""

from __future__ import annotations

import base64

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {character: index for index, character in enumerate(BASE58_ALPHABET)}


class MultibaseError(ValueError):
    """A string that is not the multibase encoding it should be."""


def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(BASE58_ALPHABET[remainder])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(digits))


def base58btc_decode(text: str) -> bytes:
    number = 0
    for character in text:
        index = _BASE58_INDEX.get(character)
        if index is None:
            raise MultibaseError(f"{character!r} is not a base58btc character")
        number = number * 58 + index
    leading_zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * leading_zeros + body


def encode_base58btc(data: bytes) -> str:
    """Multibase base58btc: `z` then the base58 (Bitcoin alphabet) of the bytes."""
    return "z" + base58btc_encode(data)


def decode_base58btc(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z"):
        raise MultibaseError("expected a multibase base58btc string (starting with 'z')")
    return base58btc_decode(text[1:])


def encode_base64url(data: bytes) -> str:
    """Multibase base64url without padding: `u` then RFC 4648 base64url."""
    return "u" + base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def decode_base64url(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("u"):
        raise MultibaseError("expected a multibase base64url string (starting with 'u')")
    body = text[1:]
    if "=" in body:
        raise MultibaseError("multibase base64url has no padding")
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError as error:
        raise MultibaseError(f"not base64url: {error}") from error
