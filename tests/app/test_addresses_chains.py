"""The public API: registry, reasons, cross-chain mistakes, explorer links."""

from __future__ import annotations

import pytest

from app.addresses import CHAINS, AddressError, chain_info, explorer_url, is_evm, normalize

ETH = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
BTC_P2PKH = "1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo"
BTC_SEGWIT = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
TRON = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
TRON_HEX = "41a614f803b6fd780986a42c78ec9c7f77e6ded13c"


def test_known_chains_in_order() -> None:
    assert CHAINS == (
        "ethereum",
        "arbitrum",
        "optimism",
        "base",
        "polygon",
        "bsc",
        "bitcoin",
        "tron",
    )
    assert all(name == name.lower() for name in CHAINS)
    assert [chain_info(name).name for name in CHAINS] == list(CHAINS)


def test_is_evm() -> None:
    assert [c for c in CHAINS if is_evm(c)] == [
        "ethereum",
        "arbitrum",
        "optimism",
        "base",
        "polygon",
        "bsc",
    ]
    with pytest.raises(AddressError, match="unknown chain 'solana'"):
        is_evm("solana")


def test_address_error_is_a_value_error_with_a_reason() -> None:
    with pytest.raises(ValueError) as caught:
        normalize("ethereum", "0x123")
    assert isinstance(caught.value, AddressError)
    assert caught.value.reason == str(caught.value)
    assert caught.value.reason == "wrong length: 3 hex digits after 0x, expected 40"


def test_unknown_chain_lists_the_known_ones() -> None:
    with pytest.raises(AddressError) as caught:
        normalize("solana", "anything")
    assert caught.value.reason == (
        "unknown chain 'solana'; known: ethereum, arbitrum, optimism, base, polygon, bsc, "
        "bitcoin, tron"
    )


@pytest.mark.parametrize("chain", ["Ethereum", "ETHEREUM", " ethereum"])
def test_chain_names_are_exact_but_the_reason_suggests_the_right_one(chain: str) -> None:
    with pytest.raises(AddressError, match="did you mean 'ethereum'"):
        normalize(chain, ETH)


def test_unhashable_chain_is_an_unknown_chain() -> None:
    with pytest.raises(AddressError, match="unknown chain"):
        normalize([], ETH)  # type: ignore[arg-type]


@pytest.mark.parametrize(("chain", "address", "reason"), [
    ("ethereum", TRON, "this is a Tron address, not an EVM address"),
    ("bsc", TRON_HEX, "this is a Tron address, not an EVM address"),
    ("ethereum", BTC_SEGWIT, "this is a Bitcoin address, not an EVM address"),
    ("tron", BTC_P2PKH, "this is a Bitcoin address, not a Tron address"),
    ("tron", ETH, "this is an EVM address, not a Tron address"),
    ("bitcoin", TRON, "this is a Tron address, not a Bitcoin address"),
    ("bitcoin", ETH, "this is an EVM address, not a Bitcoin address"),
])  # fmt: skip
def test_an_address_for_another_family_is_named(chain: str, address: str, reason: str) -> None:
    with pytest.raises(AddressError) as caught:
        normalize(chain, address)
    assert caught.value.reason == reason
    assert isinstance(caught.value.__cause__, AddressError)  # the format's own reason


def test_an_invalid_address_keeps_its_own_reason() -> None:
    with pytest.raises(AddressError) as caught:
        normalize("tron", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u")
    assert caught.value.reason == "Base58Check checksum mismatch"


@pytest.mark.parametrize("chain", CHAINS)
@pytest.mark.parametrize("value", [None, 42, b"0x00"])
def test_non_text_is_rejected(chain: str, value: object) -> None:
    with pytest.raises(AddressError, match="address must be text"):
        normalize(chain, value)  # type: ignore[arg-type]


@pytest.mark.parametrize("chain", CHAINS)
@pytest.mark.parametrize("value", ["", "   ", "\t\n"])
def test_blank_is_rejected(chain: str, value: str) -> None:
    with pytest.raises(AddressError, match="empty address"):
        normalize(chain, value)


@pytest.mark.parametrize(("chain", "address", "url"), [
    ("ethereum", ETH.lower(), f"https://etherscan.io/address/{ETH}"),
    ("arbitrum", ETH, f"https://arbiscan.io/address/{ETH}"),
    ("optimism", ETH, f"https://optimistic.etherscan.io/address/{ETH}"),
    ("base", ETH, f"https://basescan.org/address/{ETH}"),
    ("polygon", ETH, f"https://polygonscan.com/address/{ETH}"),
    ("bsc", ETH, f"https://bscscan.com/address/{ETH}"),
    ("bitcoin", BTC_SEGWIT.upper(), f"https://mempool.space/address/{BTC_SEGWIT}"),
    ("bitcoin", BTC_P2PKH, f"https://mempool.space/address/{BTC_P2PKH}"),
    ("tron", TRON_HEX, f"https://tronscan.org/#/address/{TRON}"),
])  # fmt: skip
def test_explorer_url(chain: str, address: str, url: str) -> None:
    assert explorer_url(chain, address) == url


def test_every_chain_has_an_explorer() -> None:
    samples = {"bitcoin": BTC_SEGWIT, "tron": TRON}
    for chain in CHAINS:
        assert explorer_url(chain, samples.get(chain, ETH)).startswith("https://")


def test_explorer_url_refuses_an_invalid_address() -> None:
    with pytest.raises(AddressError):
        explorer_url("ethereum", "0xabc/../../evil")
