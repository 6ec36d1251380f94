"""Tron addresses: Base58Check of 0x41 + a 20-byte account id (they start with T).

The hex form (`41` + 40 hex digits, as Tron's APIs print it) is accepted too
and stored as the Base58 form. Like lower-case EVM input, the hex form has no
checksum, so a typo in it cannot be caught.
"""

from __future__ import annotations

import re

from app.addresses import base58
from app.addresses.errors import AddressError

VERSION = 0x41
_HEX_FORM = re.compile(r"41[0-9a-fA-F]*")
_MAX_LENGTH = 100


def normalize_tron(address: str) -> str:
    """The Base58 `T...` form of `address`, or AddressError with the reason."""
    if not isinstance(address, str):
        raise AddressError(f"address must be text, not {type(address).__name__}")
    text = address.strip()
    if not text:
        raise AddressError("empty address")
    if len(text) > _MAX_LENGTH:
        raise AddressError(f"too long for a Tron address: {len(text)} characters")
    if _HEX_FORM.fullmatch(text):
        if len(text) != 42:
            raise AddressError(
                f"wrong length for a Tron hex address: {len(text)} characters, "
                "expected 41 followed by 40 hex digits"
            )
        return base58.b58check_encode(bytes.fromhex(text))
    if text[:2] in ("0x", "0X"):
        raise AddressError("not a Tron address: starts with 0x like an EVM address")
    payload = base58.b58check_decode(text)
    if payload[0] != VERSION:
        raise AddressError(
            f"not a Tron address: version byte 0x{payload[0]:02x}, "
            "Tron uses 0x41 (addresses start with T)"
        )
    if len(payload) != 21:
        raise AddressError(f"Tron address payload is {len(payload)} bytes, expected 21")
    return text


def to_hex(address: str) -> str:
    """The `41...` hex form of a Tron address."""
    return base58.b58check_decode(normalize_tron(address)).hex()
