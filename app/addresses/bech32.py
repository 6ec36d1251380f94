"""Bech32 (BIP-173) and Bech32m (BIP-350) strings, without any segwit meaning.

Positions in reasons count from 1. The decoder follows the BIPs' rules:
at most 90 characters, HRP characters in ASCII 33-126, no mixed case, the
last '1' separates HRP from data, at least 6 checksum characters, data from
the 32-character set, and a checksum that matches Bech32 or Bech32m.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from app.addresses.errors import AddressError

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
MAX_LENGTH = 90
CHECKSUM_LENGTH = 6
_VALUES = {ch: value for value, ch in enumerate(CHARSET)}
_CHARSET = frozenset(CHARSET)
_GENERATORS = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _generator_table() -> tuple[int, ...]:
    # One XOR per step instead of five conditional ones: entry b is the XOR of
    # the generators selected by the five bits of b.
    table = []
    for top in range(32):
        mixed = 0
        for bit, generator in enumerate(_GENERATORS):
            if top >> bit & 1:
                mixed ^= generator
        table.append(mixed)
    return tuple(table)


_TABLE = _generator_table()


class Encoding(Enum):
    """The checksum variant, valued by the constant the polymod must equal."""

    BECH32 = 1
    BECH32M = 0x2BC830A3


@dataclass(frozen=True, slots=True)
class Bech32String:
    hrp: str  # lowercase
    data: tuple[int, ...]  # 5-bit values, checksum removed
    encoding: Encoding


def _polymod(values: Iterable[int]) -> int:
    check = 1
    for value in values:
        check = ((check & 0x1FFFFFF) << 5) ^ value ^ _TABLE[check >> 25]
    return check


def _expand_hrp(hrp: str) -> list[int]:
    codes = [ord(ch) for ch in hrp]
    return [code >> 5 for code in codes] + [0] + [code & 31 for code in codes]


def encode(hrp: str, data: Sequence[int], *, encoding: Encoding) -> str:
    """The string for lowercase `hrp` and 5-bit `data`; ValueError if the BIPs forbid it."""
    if not hrp or not all(33 <= ord(ch) <= 126 for ch in hrp) or hrp != hrp.lower():
        raise ValueError(f"invalid human-readable part {hrp!r}")
    if any(not 0 <= value < 32 for value in data):
        raise ValueError("data values must be 5-bit")
    values = _expand_hrp(hrp) + list(data)
    check = _polymod([*values, 0, 0, 0, 0, 0, 0]) ^ encoding.value
    checksum = [(check >> 5 * (5 - i)) & 31 for i in range(CHECKSUM_LENGTH)]
    text = hrp + "1" + "".join(CHARSET[value] for value in [*data, *checksum])
    if len(text) > MAX_LENGTH:
        raise ValueError(f"too long: {len(text)} characters")
    return text


def decode(text: str) -> Bech32String:
    """Split and verify a Bech32 or Bech32m string; AddressError says what is wrong."""
    if not text:
        raise AddressError("empty string")
    if len(text) > MAX_LENGTH:
        raise AddressError(f"too long: {len(text)} characters (bech32 allows at most 90)")
    separator = text.rfind("1")
    if not (text.isascii() and text.isprintable() and " " not in text):
        raise AddressError(_out_of_range(text, separator))
    lower = text.lower()
    if lower != text and text.upper() != text:
        raise AddressError("mixed case: bech32 must be all lowercase or all uppercase")
    if separator < 0:
        raise AddressError("no separator character '1'")
    if separator == 0:
        raise AddressError("empty human-readable part before the separator '1'")
    part = lower[separator + 1 :]
    if len(part) < CHECKSUM_LENGTH:
        raise AddressError(
            f"checksum too short: {len(part)} characters after the separator, need at least 6"
        )
    if not _CHARSET.issuperset(part):
        raise AddressError(_bad_data_character(text, separator))
    hrp = lower[:separator]
    data = [_VALUES[ch] for ch in part]
    constant = _polymod(_expand_hrp(hrp) + data)
    if constant == Encoding.BECH32.value:
        encoding = Encoding.BECH32
    elif constant == Encoding.BECH32M.value:
        encoding = Encoding.BECH32M
    else:
        raise AddressError("bech32 checksum invalid")
    return Bech32String(hrp, tuple(data[:-CHECKSUM_LENGTH]), encoding)


def to_5bit(data: bytes) -> list[int]:
    """Regroup bytes into 5-bit values, zero-padding the last one."""
    number = int.from_bytes(data, "big") << (-8 * len(data)) % 5
    count = (8 * len(data) + 4) // 5
    return [(number >> 5 * (count - 1 - i)) & 31 for i in range(count)]


def from_5bit(values: Sequence[int]) -> bytes:
    """Regroup 5-bit values into bytes; padding must be under 5 bits and all zero."""
    padding = 5 * len(values) % 8
    if padding > 4:
        raise AddressError(f"invalid padding: {padding} bits of padding, at most 4 allowed")
    number = 0
    for value in values:
        number = number << 5 | value
    if number & ((1 << padding) - 1):
        raise AddressError("invalid padding: non-zero padding bits")
    return (number >> padding).to_bytes(5 * len(values) // 8, "big")


def _out_of_range(text: str, separator: int) -> str:
    position, ch = next((i, ch) for i, ch in enumerate(text) if not 33 <= ord(ch) <= 126)
    if separator < 0 or position < separator:
        return f"HRP character out of range: {ch!r} at position {position + 1}"
    return _character_reason(text, position)


def _bad_data_character(text: str, separator: int) -> str:
    position = next(i for i in range(separator + 1, len(text)) if text[i].lower() not in _CHARSET)
    return _character_reason(text, position)


def _character_reason(text: str, position: int) -> str:
    where = "in checksum" if position >= len(text) - CHECKSUM_LENGTH else "in data"
    return f"invalid character {text[position]!r} {where} at position {position + 1}"
