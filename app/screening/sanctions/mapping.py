"""Which chain an OFAC asset and address belong to, and the key it is looked up by."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.addresses import CHAINS, AddressError, chain_info, normalize

PROVIDER = "sanctions-list"
XML_SOURCE, XML_LABEL = "ofac-sdn", "OFAC SDN"
CSV_SOURCE, CSV_LABEL = "ofac-sdn-csv", "OFAC SDN (CSV)"  # the legacy sdn.csv, with parties
PLAIN_SOURCE = "ofac-plain-"  # + the asset code: one plain list per asset
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
    """Where a listed address goes: its family, look-up key and display form.

    The asset's own chain first; an address that is not valid there (a Tron address
    filed under XBT) or whose asset has no validator (a Bitcoin Cash legacy address)
    goes to the first other family it is valid on, still listed under its asset:
    the same string on that chain is the same key, so screening it there is a hit.
    Only an address valid on no chain we know is kept as raw text.
    """
    text = address.strip()
    home = asset_family(asset, text)
    others = [f for f in FAMILIES if f != home]
    for family in [home, *others] if home else others:
        try:
            canonical = normalize(_VALIDATOR_CHAIN[family], text)
        except AddressError:
            continue
        return Classified(family, lookup_key(family, canonical), canonical, True)
    return Classified("raw", text, text, None if home is None else False)


def plain_label(asset: str, file_name: str) -> str:
    """How a plain list is named wherever one of its answers is shown: its file and
    asset (a plain list says nothing of who published it)."""
    return f"plain list {file_name} ({asset})"


def list_asset(source: str) -> str | None:
    """The asset a plain list was imported for (`ofac-plain-XBT` -> XBT); None for the
    SDN XML, which lists every asset."""
    return source.removeprefix(PLAIN_SOURCE) if source.startswith(PLAIN_SOURCE) else None


def covers(source: str, family: str, asset: str | None) -> bool:
    """Whether an imported list answers for a screened chain (`family`, `asset`).

    The SDN XML holds every asset, so it covers everything. A plain list covers its
    own asset and the chain family that asset is native to: XBT bitcoin, TRX tron,
    ETH/ETC/ARB/BSC every EVM chain (OFAC files an EVM address once; the key is the
    same on every EVM chain). Token holder lists (USDT, USDC) cover only their asset:
    they add hits on the chains they name but do not make a chain screened.
    """
    listed = list_asset(source)
    if listed is None or listed == asset:
        return True
    return family != "raw" and listed not in _TOKENS and asset_family(listed, "") == family


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
