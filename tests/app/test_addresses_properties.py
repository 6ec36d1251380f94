"""Property tests: encoders round-trip, and corrupted addresses are caught."""

from __future__ import annotations

import pytest
from eth_utils.address import to_checksum_address as eth_utils_checksum
from hypothesis import assume, given
from hypothesis import strategies as st

from app.addresses import AddressError, Network, normalize, normalize_bitcoin, segwit
from app.addresses import bech32 as b32
from app.addresses.base58 import ALPHABET, b58check_decode, b58check_encode, b58decode, b58encode
from app.addresses.bech32 import Encoding
from app.addresses.bitcoin import parse
from app.addresses.evm import to_checksum_address
from app.addresses.tron import to_hex

twenty_bytes = st.binary(min_size=20, max_size=20)
# Leading zero bytes are the special case in Base58, so make them common.
base58_bytes = st.tuples(st.integers(0, 4), st.binary(max_size=48)).map(
    lambda pair: b"\0" * pair[0] + pair[1]
)


@st.composite
def witness(draw: st.DrawFn) -> tuple[int, bytes]:
    version = draw(st.integers(0, 16))
    size = draw(st.sampled_from([20, 32]) if version == 0 else st.integers(2, 40))
    return version, draw(st.binary(min_size=size, max_size=size))


@st.composite
def bitcoin_segwit_address(draw: st.DrawFn) -> str:
    version, program = draw(witness())
    return segwit.encode("bc", version=version, program=program)


# EVM


@given(twenty_bytes)
def test_evm_checksum_round_trip(raw: bytes) -> None:
    checksummed = to_checksum_address(raw)
    assert checksummed == eth_utils_checksum(raw)  # an independent implementation
    assert normalize("ethereum", checksummed) == checksummed
    assert normalize("ethereum", "0x" + raw.hex()) == checksummed
    assert normalize("ethereum", "0X" + raw.hex().upper()) == checksummed


@given(twenty_bytes, st.data())
def test_evm_case_flip_is_caught_unless_it_removes_the_checksum(
    raw: bytes, data: st.DataObject
) -> None:
    digits = to_checksum_address(raw)[2:]
    letters = [i for i, ch in enumerate(digits) if ch.isalpha()]
    assume(letters)
    i = data.draw(st.sampled_from(letters))
    flipped = digits[:i] + digits[i].swapcase() + digits[i + 1 :]
    if flipped in (flipped.lower(), flipped.upper()):
        # The flip left no mixed case: that is "no checksum given", accepted by policy.
        assert normalize("ethereum", "0x" + flipped) == "0x" + digits
    else:
        with pytest.raises(AddressError, match="EIP-55 checksum mismatch"):
            normalize("ethereum", "0x" + flipped)


# Base58 / Base58Check


@given(base58_bytes)
def test_base58_round_trip(raw: bytes) -> None:
    assert b58decode(b58encode(raw)) == raw


@given(st.binary(min_size=1, max_size=48))
def test_base58check_round_trip(payload: bytes) -> None:
    assert b58check_decode(b58check_encode(payload)) == payload


@given(twenty_bytes, st.sampled_from([0x00, 0x05]))
def test_bitcoin_base58_address_round_trip(raw: bytes, version: int) -> None:
    address = b58check_encode(bytes([version]) + raw)
    assert normalize("bitcoin", address) == address
    assert parse(address).program == raw


@given(twenty_bytes)
def test_tron_round_trip(raw: bytes) -> None:
    address = b58check_encode(b"\x41" + raw)
    assert address.startswith("T")
    assert normalize("tron", address) == address
    assert normalize("tron", "41" + raw.hex()) == address
    assert to_hex(address) == "41" + raw.hex()


@given(twenty_bytes, st.data())
def test_tron_single_character_change_is_caught(raw: bytes, data: st.DataObject) -> None:
    address = b58check_encode(b"\x41" + raw)
    i = data.draw(st.integers(0, len(address) - 1))
    replacement = data.draw(st.sampled_from(ALPHABET))
    assume(replacement != address[i])
    with pytest.raises(AddressError):
        normalize("tron", address[:i] + replacement + address[i + 1 :])


# Bech32 / segwit


@given(
    st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=10).map(
        str.lower
    ),
    st.lists(st.integers(0, 31), max_size=60),
    st.sampled_from(Encoding),
)
def test_bech32_round_trip(hrp: str, data: list[int], encoding: Encoding) -> None:
    text = b32.encode(hrp, data, encoding=encoding)
    decoded = b32.decode(text)
    assert (decoded.hrp, list(decoded.data), decoded.encoding) == (hrp, data, encoding)
    assert b32.decode(text.upper()) == decoded


@given(st.binary(max_size=50))
def test_5bit_round_trip(raw: bytes) -> None:
    assert b32.from_5bit(b32.to_5bit(raw)) == raw


@given(witness(), st.sampled_from(list(Network)))
def test_segwit_round_trip(witness: tuple[int, bytes], network: Network) -> None:
    version, program = witness
    hrp = {Network.MAINNET: "bc", Network.TESTNET: "tb", Network.REGTEST: "bcrt"}[network]
    address = segwit.encode(hrp, version=version, program=program)
    decoded = parse(address.upper(), network=network)
    assert (decoded.witness_version, decoded.program, decoded.address) == (
        version,
        program,
        address,
    )
    assert normalize_bitcoin(address, network=network) == address


@given(bitcoin_segwit_address(), st.data())
def test_segwit_single_character_change_is_caught(address: str, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(address) - 1))
    replacement = data.draw(st.sampled_from(b32.CHARSET + "1bio" + b32.CHARSET.upper()))
    assume(replacement != address[i])
    with pytest.raises(AddressError):
        normalize("bitcoin", address[:i] + replacement + address[i + 1 :])


@given(bitcoin_segwit_address())
def test_segwit_checksum_of_the_other_variant_is_caught(address: str) -> None:
    decoded = b32.decode(address)
    other = Encoding.BECH32M if decoded.encoding is Encoding.BECH32 else Encoding.BECH32
    with pytest.raises(AddressError, match="must use bech32"):
        normalize("bitcoin", b32.encode("bc", decoded.data, encoding=other))
