"""Which chain an OFAC asset and address belong to, and the key it is looked up by."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.addresses import CHAINS, AddressError, chain_info, normalize

PROVIDER = "sanctions-list"
XML_SOURCE, XML_LABEL = "ofac-sdn", "OFAC SDN"
PLAIN_LABEL = "OFAC SDN (plain list)"  # the file name is in each hit's evidence
FAMILIES = ("evm", "bitcoin", "tron")
_EVM_ASSETS = frozenset({"ETH", "ETC", "ARB", "BSC"})
_TOKENS = frozenset({"USDT", "USDC"})  # EVM, Tron or Omni holders: the address form tells
_VALIDATOR_CHAIN = {"evm": "ethereum", "bitcoin": "bitcoin", "tron": "tron"}
# Chain names and tickers outside the address registry, to the list's asset codes.
_ASSET_NAMES = {
    "btc": "XBT",
    "solana": "SOL",
    "litecoin": "LTC",
    "monero": "XMR",
    "zcash": "ZEC",
    "dash": "DASH",
    "bitcoin-cash": "BCH",
    "bitcoin-sv": "BSV",
    "bitcoin-gold": "BTG",
    "ethereum-classic": "ETC",
    "ripple": "XRP",
    "verge": "XVG",
}


# Asset codes a caller may screen by (OFAC's are 3 or 4 letters: XBT, USDT, DASH...).
_SCREENED_ASSET = re.compile(r"[A-Z0-9]{2,6}")


class SanctionsImportError(ValueError):
    """An import that was refused; nothing was changed. The message says what to do."""


# --- asset -> chain ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Classified:
    family: str  # evm, bitcoin, tron or raw
    key: str
    address: str
    valid: bool | None  # None: no validator for this asset


def asset_family(asset: str, address: str) -> str | None:
    """The chain family an asset's address belongs to, or None (matched as raw text)."""
    if asset == "XBT":
        return "bitcoin"
    if asset == "TRX":
        return "tron"
    if asset in _TOKENS:
        if address[:2] in ("0x", "0X"):
            return "evm"
        # Tron holders start with T; the others are Omni-layer holders on Bitcoin.
        return "tron" if address[:1] == "T" else "bitcoin"
    if asset in _EVM_ASSETS:
        return "evm"
    return None


def classify(asset: str, address: str) -> Classified:
    """Where a listed address goes: its family, look-up key and display form."""
    text = address.strip()
    family = asset_family(asset, text)
    if family is None:
        try:
            checksummed = normalize("ethereum", text) if len(text) == 42 else None
        except AddressError:
            checksummed = None
        if checksummed is None:
            return Classified("raw", text, text, None)
        family = "evm"
    try:
        canonical = normalize(_VALIDATOR_CHAIN[family], text)
    except AddressError:
        return Classified("raw", text, text, False)
    return Classified(family, lookup_key(family, canonical), canonical, True)


def lookup_key(family: str, address: str) -> str:
    """The key a look-up compares; cheap, because it runs for every screened address."""
    if family == "evm":
        return address.lower()
    if family == "bitcoin":
        low = address.lower()
        return low if low.startswith("bc1") else address
    if family == "tron" and address[:1] != "T":
        try:  # the hex form (41...) is stored as Base58
            return normalize("tron", address)
        except AddressError:
            return address
    return address


def _target(chain: str, address: str) -> tuple[str, str | None] | None:
    """(family, asset) to screen for a chain name or an asset code; None if unknown.

    Registry chains ("ethereum", ...) give their family; an asset code or name
    ("LTC", "litecoin", "USDT") gives the family its address form belongs to,
    or raw matching for assets we do not validate.
    """
    name = chain.strip().lower()
    if name in _CHAIN_TARGETS:
        return _CHAIN_TARGETS[name]
    code = _ASSET_NAMES.get(name, name.upper())
    if not _SCREENED_ASSET.fullmatch(code):
        return None
    return (asset_family(code, address.strip()) or "raw", code)


_CHAIN_TARGETS: dict[str, tuple[str, str | None]] = {
    name: (chain_info(name).family.name, None) for name in CHAINS
}
