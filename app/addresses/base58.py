"""Base58 and Base58Check, as Bitcoin and Tron use them.

Base58Check is `base58(payload || sha256(sha256(payload))[:4])`; the payload
starts with a version byte that the caller checks.
"""

from __future__ import annotations

from hashlib import sha256

from app.addresses.errors import AddressError

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_DIGITS = {ch: value for value, ch in enumerate(ALPHABET)}
_CHECKSUM_SIZE = 4


def b58encode(data: bytes) -> str:
    """Each leading zero byte becomes a leading '1'; the rest is the number in base 58."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, digit = divmod(number, 58)
        digits.append(ALPHABET[digit])
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    number = 0
    for position, ch in enumerate(text, start=1):
        digit = _DIGITS.get(ch)
        if digit is None:
            raise AddressError(_bad_character(ch, position))
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def checksum(payload: bytes) -> bytes:
    return sha256(sha256(payload).digest()).digest()[:_CHECKSUM_SIZE]


def b58check_encode(payload: bytes) -> str:
    return b58encode(payload + checksum(payload))


def b58check_decode(text: str) -> bytes:
    """The payload (version byte first) of a Base58Check string, checksum verified."""
    raw = b58decode(text)
    if len(raw) <= _CHECKSUM_SIZE:
        raise AddressError(
            f"too short for Base58Check: decodes to {len(raw)} byte(s), "
            "need a version byte and a 4-byte checksum"
        )
    payload, check = raw[:-_CHECKSUM_SIZE], raw[-_CHECKSUM_SIZE:]
    if checksum(payload) != check:
        raise AddressError("Base58Check checksum mismatch")
    return payload


def _bad_character(ch: str, position: int) -> str:
    reason = f"invalid Base58 character {ch!r} at position {position}"
    if ch in "0OIl":
        # The four characters Base58 leaves out because they look alike.
        reason += " (Base58 has no 0, O, I or l)"
    return reason
