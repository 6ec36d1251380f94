"""Segwit addresses: a witness version and program inside a Bech32/Bech32m string.

Rules from BIP-173, BIP-141 and BIP-350: version 0-16, program 2-40 bytes,
version 0 programs exactly 20 or 32 bytes, version 0 checksummed with
Bech32 and versions 1-16 with Bech32m. Checks run in the reference
decoder's order so each BIP test vector fails for the reason it names.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.addresses import bech32
from app.addresses.bech32 import Encoding
from app.addresses.errors import AddressError

MAX_VERSION = 16


def witness_program(data: Sequence[int], encoding: Encoding) -> tuple[int, bytes]:
    """(version, program) from a decoded string's 5-bit data."""
    if not data:
        raise AddressError("empty data section: no witness version")
    version = data[0]
    if version > MAX_VERSION:
        raise AddressError(f"invalid witness version {version} (must be 0 to 16)")
    program = bech32.from_5bit(data[1:])
    if not 2 <= len(program) <= 40:
        raise AddressError(f"invalid witness program length {len(program)} (must be 2 to 40 bytes)")
    if version == 0 and len(program) not in (20, 32):
        raise AddressError(
            f"invalid witness program length {len(program)} for segwit v0 (must be 20 or 32 bytes)"
        )
    if version == 0 and encoding is not Encoding.BECH32:
        raise AddressError("segwit v0 must use bech32, not bech32m")
    if version > 0 and encoding is not Encoding.BECH32M:
        raise AddressError(f"segwit v{version} must use bech32m, not bech32")
    return version, program


def encode(hrp: str, *, version: int, program: bytes) -> str:
    """The lowercase address; ValueError for a version or program the rules forbid."""
    encoding = Encoding.BECH32 if version == 0 else Encoding.BECH32M
    text = bech32.encode(hrp, [version, *bech32.to_5bit(program)], encoding=encoding)
    try:
        witness_program(bech32.decode(text).data, encoding)
    except AddressError as error:
        raise ValueError(error.reason) from error
    return text
