"""EVM addresses (Ethereum and its kin): `0x` + 40 hex digits, EIP-55 checksummed.

Policy: surrounding whitespace is stripped; the prefix may be `0x` or `0X`
(the checksum covers only the 40 digits, so the prefix case carries no
information) and is stored as `0x`. All-lowercase and all-uppercase digits
mean "no checksum given" and are accepted; any mixed case is a checksum and
must be right. The stored form is always the EIP-55 checksummed one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.addresses.errors import AddressError


def _keccak256() -> Callable[[bytes], bytes]:
    """Original Keccak-256 (not NIST SHA3), for one checksum per imported address.

    safe-pysha3's C code where it is installed (the test extra brings it; it has
    no wheels for Windows or macOS, so it is not required): about ten times faster
    than pycryptodome's, which eth_hash uses otherwise (and eth_utils.keccak too).
    """
    try:
        from sha3 import keccak_256  # type: ignore[import-untyped]
    except ImportError:
        from eth_hash.auto import keccak

        return keccak
    return lambda data: keccak_256(data).digest()


keccak = _keccak256()

CHECKSUM_MISMATCH = "EIP-55 checksum mismatch: mixed-case address with wrong capitalisation"
_SHAPE = "EVM addresses are 0x followed by 40 hex digits"
_HEX40 = re.compile(r"[0-9a-fA-F]{40}")
# Masks are 160-bit numbers with one nibble per address character: 8 where it
# is a letter (or an upper-case letter), 0 elsewhere.
_LETTERS = bytes.maketrans(b"0123456789abcdef", b"0000000000888888")
_UPPERS = bytes.maketrans(b"0123456789abcdefABCDEF", b"0000000000000000888888")
_NIBBLE_HIGH_BITS = int("8" * 40, 16)
_BYTE_08 = int("08" * 40, 16)


def normalize_evm(address: str) -> str:
    """The EIP-55 form of `address`, or AddressError with the reason."""
    if not isinstance(address, str):
        raise AddressError(f"address must be text, not {type(address).__name__}")
    text = address.strip()
    if len(text) != 42 or text[0] != "0" or text[1] not in "xX" or not _HEX40.fullmatch(text, 2):
        raise AddressError(_shape_reason(text))
    digits = text[2:]
    lower = digits.lower()
    upper = _uppercase_mask(lower)
    if digits != lower and digits != digits.upper():
        if int(digits.encode("ascii").translate(_UPPERS), 16) != upper:
            raise AddressError(CHECKSUM_MISMATCH)
        if text[1] == "x":
            return text  # already the stored form
    return "0x" + _capitalise(lower, upper)


def to_checksum_address(raw: bytes) -> str:
    """The EIP-55 form of a 20-byte address."""
    if len(raw) != 20:
        raise ValueError(f"an EVM address is 20 bytes, not {len(raw)}")
    lower = raw.hex()
    return "0x" + _capitalise(lower, _uppercase_mask(lower))


def _uppercase_mask(lower: str) -> int:
    # Letter i is upper-case when hex digit i of keccak(lower) is 8 or more,
    # i.e. when that nibble's high bit is set.
    ascii_digits = lower.encode("ascii")
    hash_bits = int.from_bytes(keccak(ascii_digits)[:20], "big") & _NIBBLE_HIGH_BITS
    return hash_bits & int(ascii_digits.translate(_LETTERS), 16)


def _capitalise(lower: str, mask: int) -> str:
    # Spread the nibble mask to one byte per character (0x08 -> 0x20, the ASCII
    # case bit) and flip those bits in one big-integer XOR.
    flips = (int.from_bytes(format(mask, "040x").encode("ascii"), "big") & _BYTE_08) << 2
    return (int.from_bytes(lower.encode("ascii"), "big") ^ flips).to_bytes(40, "big").decode()


def _shape_reason(text: str) -> str:
    if not text:
        return "empty address"
    if text[:2] not in ("0x", "0X"):
        return f"missing 0x prefix: {_SHAPE}"
    for position, ch in enumerate(text[2:], start=3):
        if ch not in "0123456789abcdefABCDEF":
            return f"invalid hex character {ch!r} at position {position}"
    return f"wrong length: {len(text) - 2} hex digits after 0x, expected 40"
