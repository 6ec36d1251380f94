"""Tron: Base58 and hex forms, and what is not a Tron address."""

from __future__ import annotations

import pytest

from app.addresses import AddressError, normalize
from app.addresses.base58 import b58check_encode
from app.addresses.tron import normalize_tron, to_hex

ADDRESS = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
HEX = "41a614f803b6fd780986a42c78ec9c7f77e6ded13c"


@pytest.mark.parametrize("given", [ADDRESS, f" {ADDRESS}\n", HEX, HEX.upper(), f"\t{HEX} "])
def test_accepted_forms(given: str) -> None:
    assert normalize("tron", given) == ADDRESS


def test_to_hex() -> None:
    assert to_hex(ADDRESS) == HEX
    assert to_hex(HEX) == HEX


def reason(address: str) -> str:
    with pytest.raises(AddressError) as caught:
        normalize_tron(address)
    return caught.value.reason


@pytest.mark.parametrize(("address", "expected"), [
    ("", "empty address"),
    ("T" * 101, "too long for a Tron address: 101 characters"),
    (HEX[:-1], "wrong length for a Tron hex address: 41 characters"),
    (HEX + "00", "wrong length for a Tron hex address: 44 characters"),
    ("0x" + HEX[2:], "not a Tron address: starts with 0x"),
    ("0x" + HEX, "not a Tron address: starts with 0x"),
    (ADDRESS[:-1] + "u", "Base58Check checksum mismatch"),
    (ADDRESS[:-1] + "0", "invalid Base58 character '0' at position 34"),
    (ADDRESS.lower(), "invalid Base58 character 'l'"),
    ("1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo", "not a Tron address: version byte 0x00"),
    (b58check_encode(b"\x41" + bytes(19)), "Tron address payload is 20 bytes, expected 21"),
    (b58check_encode(b"\x41" + bytes(21)), "Tron address payload is 22 bytes, expected 21"),
])  # fmt: skip
def test_rejections_say_why(address: str, expected: str) -> None:
    assert reason(address).startswith(expected)
