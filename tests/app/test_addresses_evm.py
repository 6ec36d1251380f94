"""EVM policy: prefix, case, whitespace and the reasons for each rejection."""

from __future__ import annotations

import pytest

from app.addresses import AddressError, normalize
from app.addresses.evm import CHECKSUM_MISMATCH, normalize_evm, to_checksum_address

ADDRESS = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
DIGITS = ADDRESS[2:]


@pytest.mark.parametrize("given", [
    ADDRESS,
    "0x" + DIGITS.lower(),
    "0x" + DIGITS.upper(),
    "0X" + DIGITS.upper(),  # 0X: the prefix carries no checksum, stored as 0x
    "0X" + DIGITS,
    f"  {ADDRESS}\t\n",
    f"\u00a0{ADDRESS}\u2003",  # non-breaking and em spaces from a pasted web page
])  # fmt: skip
def test_accepted_forms_are_stored_checksummed(given: str) -> None:
    assert normalize_evm(given) == ADDRESS


def test_all_digit_address_has_no_case_to_check() -> None:
    address = "0x" + "1234567890" * 4
    assert normalize_evm(address) == address
    assert normalize_evm("0X" + address[2:]) == address


@pytest.mark.parametrize("position", [i for i, ch in enumerate(DIGITS) if ch.isalpha()])
def test_each_single_case_flip_is_a_checksum_mismatch(position: int) -> None:
    flipped = DIGITS[:position] + DIGITS[position].swapcase() + DIGITS[position + 1 :]
    with pytest.raises(AddressError) as caught:
        normalize_evm("0x" + flipped)
    assert caught.value.reason == CHECKSUM_MISMATCH


@pytest.mark.parametrize(("given", "reason"), [
    ("", "empty address"),
    (DIGITS, "missing 0x prefix: EVM addresses are 0x followed by 40 hex digits"),
    ("x" + DIGITS, "missing 0x prefix: EVM addresses are 0x followed by 40 hex digits"),
    ("0x" + DIGITS[:-1], "wrong length: 39 hex digits after 0x, expected 40"),
    (ADDRESS + "0", "wrong length: 41 hex digits after 0x, expected 40"),
    ("0x", "wrong length: 0 hex digits after 0x, expected 40"),
    ("0x" + DIGITS[:-1] + "g", "invalid hex character 'g' at position 42"),
    ("0x" + DIGITS[:20] + " " + DIGITS[21:], "invalid hex character ' ' at position 23"),
    ("0x" + DIGITS[:-1] + "\u0661", "invalid hex character '\u0661' at position 42"),  # Arabic 1
    ("0x_" + DIGITS[1:], "invalid hex character '_' at position 3"),
    ("0x+" + DIGITS[1:], "invalid hex character '+' at position 3"),
])  # fmt: skip
def test_rejections_say_why(given: str, reason: str) -> None:
    with pytest.raises(AddressError) as caught:
        normalize("ethereum", given)
    assert caught.value.reason == reason


def test_to_checksum_address() -> None:
    assert to_checksum_address(bytes.fromhex(DIGITS)) == ADDRESS
    with pytest.raises(ValueError, match="20 bytes, not 19"):
        to_checksum_address(bytes(19))


def test_the_fast_keccak_is_original_keccak_256() -> None:
    from eth_hash.auto import keccak as reference

    from app.addresses import evm

    # Known answer: Keccak-256 of nothing (NIST SHA3-256 of nothing starts a7ffc6f8).
    assert evm.keccak(b"").hex().startswith("c5d2460186f7233c")
    for data in (b"abc", DIGITS.lower().encode(), bytes(range(256)) * 3):
        assert evm.keccak(data) == reference(data)
