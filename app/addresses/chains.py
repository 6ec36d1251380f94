"""The chain registry: which chains we know, how each validates, where to look them up.

To add a chain, add one `Chain` row to `_REGISTRY` (and a family if its
address format is new).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

from app.addresses.bitcoin import normalize_bitcoin
from app.addresses.errors import AddressError
from app.addresses.evm import normalize_evm
from app.addresses.tron import normalize_tron


@dataclass(frozen=True, slots=True)
class Family:
    """An address format shared by one or more chains."""

    name: str
    described: str  # with its article, for messages: "an EVM"
    normalizer: Callable[[str], str]


EVM = Family("evm", "an EVM", normalize_evm)
BITCOIN = Family("bitcoin", "a Bitcoin", normalize_bitcoin)  # mainnet only
TRON = Family("tron", "a Tron", normalize_tron)
FAMILIES = (EVM, BITCOIN, TRON)


@dataclass(frozen=True, slots=True)
class Chain:
    name: str
    family: Family
    explorer: str  # URL of an address page, with {address}


_REGISTRY = MappingProxyType(
    {
        chain.name: chain
        for chain in (
            Chain("ethereum", EVM, "https://etherscan.io/address/{address}"),
            Chain("arbitrum", EVM, "https://arbiscan.io/address/{address}"),
            Chain("optimism", EVM, "https://optimistic.etherscan.io/address/{address}"),
            Chain("base", EVM, "https://basescan.org/address/{address}"),
            Chain("polygon", EVM, "https://polygonscan.com/address/{address}"),
            Chain("bsc", EVM, "https://bscscan.com/address/{address}"),
            Chain("bitcoin", BITCOIN, "https://mempool.space/address/{address}"),
            Chain("tron", TRON, "https://tronscan.org/#/address/{address}"),
        )
    }
)

CHAINS: tuple[str, ...] = tuple(_REGISTRY)


def chain_info(chain: str) -> Chain:
    """The registry row for `chain`; AddressError naming the known chains if none."""
    try:
        return _REGISTRY[chain]
    except (KeyError, TypeError):
        raise AddressError(_unknown_chain(chain)) from None


def normalize(chain: str, address: str) -> str:
    """The canonical stored form of `address` on `chain`; AddressError(reason) if invalid."""
    family = chain_info(chain).family
    try:
        return family.normalizer(address)
    except AddressError as error:
        clearer = _cross_chain(family, address)
        if clearer is None:
            raise
        raise clearer from error


def is_evm(chain: str) -> bool:
    """Whether `chain` uses EVM addresses; AddressError for an unknown chain."""
    return chain_info(chain).family is EVM


def explorer_url(chain: str, address: str) -> str:
    """The block-explorer page for `address` (validated and normalised first)."""
    info = chain_info(chain)
    return info.explorer.format(address=normalize(chain, address))


def _cross_chain(family: Family, address: str) -> AddressError | None:
    """A clearer error when the address is valid in another family's format."""
    for other in FAMILIES:
        if other is family:
            continue
        try:
            other.normalizer(address)
        except AddressError:
            continue
        return AddressError(f"this is {other.described} address, not {family.described} address")
    return None


def _unknown_chain(chain: object) -> str:
    known = ", ".join(CHAINS)
    if isinstance(chain, str) and chain.strip().lower() in _REGISTRY:
        return (
            f"unknown chain {chain!r}: chain names are lowercase, "
            f"did you mean {chain.strip().lower()!r}? known: {known}"
        )
    return f"unknown chain {chain!r}; known: {known}"
