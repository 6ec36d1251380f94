"""Base58 and Bech32 codecs on their own: edges the vectors do not reach."""

from __future__ import annotations

import pytest

from app.addresses import AddressError, bech32
from app.addresses.base58 import b58check_decode, b58check_encode, b58decode, b58encode
from app.addresses.bech32 import Encoding


@pytest.mark.parametrize(("raw", "text"), [
    (b"", ""),
    (b"\0", "1"),
    (b"\0\0\x01", "112"),
    (b"\x39", "z"),
    (b"\x3a", "21"),
    (bytes.fromhex("00eb15231dfceb60925886b67d065299925915aeb172c06647"),
     "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"),
])  # fmt: skip
def test_base58_known_values(raw: bytes, text: str) -> None:
    assert b58encode(raw) == text
    assert b58decode(text) == raw


def test_base58check_reasons() -> None:
    with pytest.raises(AddressError, match="decodes to 4 byte"):
        b58check_decode(b58encode(b"abcd"))
    with pytest.raises(AddressError, match="Base58Check checksum mismatch"):
        b58check_decode(b58encode(b"\x00" + bytes(20) + b"\x00\x00\x00\x00"))
    assert b58check_decode(b58check_encode(b"\x05")) == b"\x05"


@pytest.mark.parametrize("ch", ["0", "O", "I", "l"])
def test_base58_names_the_look_alike_characters(ch: str) -> None:
    with pytest.raises(AddressError, match="Base58 has no 0, O, I or l"):
        b58decode("12" + ch)


def test_bech32_encode_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="human-readable part"):
        bech32.encode("", [], encoding=Encoding.BECH32)
    with pytest.raises(ValueError, match="human-readable part"):
        bech32.encode("BC", [], encoding=Encoding.BECH32)
    with pytest.raises(ValueError, match="5-bit"):
        bech32.encode("bc", [32], encoding=Encoding.BECH32)
    with pytest.raises(ValueError, match="too long"):
        bech32.encode("bc", [0] * 82, encoding=Encoding.BECH32)


def test_bech32_empty_and_hrp_reasons() -> None:
    with pytest.raises(AddressError, match="empty string"):
        bech32.decode("")
    with pytest.raises(AddressError, match=r"HRP character out of range: '\\x00' at position 2"):
        bech32.decode("a\x001qqqqqq")


@pytest.mark.parametrize(("raw", "values"), [
    (b"", []),
    (b"\xff", [31, 28]),
    (b"\x00\x01", [0, 0, 0, 16]),
])  # fmt: skip
def test_5bit_regrouping(raw: bytes, values: list[int]) -> None:
    assert bech32.to_5bit(raw) == values
    assert bech32.from_5bit(values) == raw


def test_5bit_padding_rules() -> None:
    with pytest.raises(AddressError, match="5 bits of padding"):
        bech32.from_5bit([0])
    with pytest.raises(AddressError, match="non-zero padding"):
        bech32.from_5bit([31, 29])
