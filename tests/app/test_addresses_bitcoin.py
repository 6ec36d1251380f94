"""Bitcoin: networks, the stored form, and the reasons for rejections."""

from __future__ import annotations

import pytest

from app.addresses import AddressError, Network, normalize, normalize_bitcoin, segwit
from app.addresses.bitcoin import Kind, parse

P2WPKH = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
P2TR = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"
P2PKH = "1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo"
P2SH = "36j4NfKv6Akva9amjWrLG6MuSQym1GuEmm"
TESTNET_P2WPKH = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"
TESTNET_P2PKH = "mzK2FFDEhxqHcmrJw1ysqFkVyhUULo45hZ"
PROGRAM = bytes.fromhex("751e76e8199196d454941c45d1b3a323f1433bd6")
REGTEST_P2WPKH = segwit.encode("bcrt", version=0, program=PROGRAM)


def reason(address: str, network: Network = Network.MAINNET) -> str:
    with pytest.raises(AddressError) as caught:
        normalize_bitcoin(address, network=network)
    return caught.value.reason


@pytest.mark.parametrize(("address", "kind"), [
    (P2PKH, Kind.P2PKH),
    (P2SH, Kind.P2SH),
    (P2WPKH, Kind.P2WPKH),
    ("bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3", Kind.P2WSH),
    (P2TR, Kind.P2TR),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", Kind.WITNESS_UNKNOWN),
])  # fmt: skip
def test_kinds(address: str, kind: Kind) -> None:
    decoded = parse(address)
    assert decoded.kind is kind
    assert decoded.network is Network.MAINNET


def test_bech32_is_stored_lowercase_and_base58_as_given() -> None:
    assert normalize("bitcoin", P2WPKH.upper()) == P2WPKH
    assert normalize("bitcoin", P2TR.upper()) == P2TR
    assert normalize("bitcoin", f" {P2PKH} ") == P2PKH


def test_base58_is_case_sensitive() -> None:
    assert reason(P2PKH[0] + P2PKH[1].lower() + P2PKH[2:]) == "Base58Check checksum mismatch"


def test_mixed_case_bech32_is_rejected() -> None:
    mixed = P2WPKH[:10] + P2WPKH[10:].upper()
    assert reason(mixed) == "mixed case: bech32 must be all lowercase or all uppercase"


@pytest.mark.parametrize(("address", "expected"), [
    (TESTNET_P2WPKH, "not a Bitcoin mainnet address (testnet address, prefix tb)"),
    (TESTNET_P2WPKH.upper(), "not a Bitcoin mainnet address (testnet address, prefix tb)"),
    (TESTNET_P2PKH, "not a Bitcoin mainnet address (testnet address, version byte 0x6f)"),
    (REGTEST_P2WPKH, "not a Bitcoin mainnet address (regtest address, prefix bcrt)"),
])  # fmt: skip
def test_mainnet_is_the_default(address: str, expected: str) -> None:
    assert reason(address) == expected
    with pytest.raises(AddressError, match=r"(testnet|regtest) address"):
        normalize("bitcoin", address)


def test_testnet_must_be_asked_for() -> None:
    assert normalize_bitcoin(TESTNET_P2WPKH, network=Network.TESTNET) == TESTNET_P2WPKH
    assert normalize_bitcoin(TESTNET_P2PKH, network=Network.TESTNET) == TESTNET_P2PKH
    assert reason(P2WPKH, Network.TESTNET) == (
        "not a Bitcoin testnet address (mainnet address, prefix bc)"
    )
    assert reason(P2PKH, Network.TESTNET) == (
        "not a Bitcoin testnet address (mainnet address, version byte 0x00)"
    )


def test_regtest_uses_bcrt_and_testnet_version_bytes() -> None:
    assert REGTEST_P2WPKH.startswith("bcrt1q")
    assert normalize_bitcoin(REGTEST_P2WPKH, network=Network.REGTEST) == REGTEST_P2WPKH
    assert normalize_bitcoin(TESTNET_P2PKH, network=Network.REGTEST) == TESTNET_P2PKH
    assert "testnet address, prefix tb" in reason(TESTNET_P2WPKH, Network.REGTEST)
    assert "regtest address, prefix bcrt" in reason(REGTEST_P2WPKH, Network.TESTNET)


@pytest.mark.parametrize(("address", "expected"), [
    ("", "empty address"),
    ("1" * 101, "too long for a Bitcoin address: 101 characters"),
    ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "not a Bitcoin address: starts with 0x"),
    ("1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2m0", "invalid Base58 character '0' at position 34"),
    ("1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo!", "invalid Base58 character '!' at position 35"),
    ("ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bech32 checksum invalid"),
    (P2WPKH[:-1] + "5", "bech32 checksum invalid"),
    (P2WPKH[:-1] + "b", "invalid character 'b' in checksum at position 42"),
])  # fmt: skip
def test_rejections_say_why(address: str, expected: str) -> None:
    assert reason(address).startswith(expected)


def test_unknown_hrp_names_the_expected_one() -> None:
    ltc = segwit.encode("ltc", version=0, program=PROGRAM)
    assert (
        reason(ltc)
        == "invalid human-readable part 'ltc': Bitcoin mainnet segwit addresses start with bc1"
    )


def test_script_pubkey_for_each_witness_version() -> None:
    for version in range(17):
        address = segwit.encode("bc", version=version, program=PROGRAM)
        script = parse(address).script_pubkey
        assert script[0] == (0x50 + version if version else 0)
        assert script[1:] == bytes([20]) + PROGRAM


@pytest.mark.parametrize(("version", "size", "message"), [
    (17, 20, "invalid witness version 17"),
    (0, 21, "invalid witness program length 21 for segwit v0"),
    (1, 41, "invalid witness program length 41"),
    (1, 1, "invalid witness program length 1"),
])  # fmt: skip
def test_segwit_encode_refuses_what_decoding_would(version: int, size: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        segwit.encode("bc", version=version, program=bytes(size))
