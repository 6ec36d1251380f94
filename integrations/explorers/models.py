"""What every explorer returns, whatever the provider: plain frozen dataclasses.

Money is an integer in the asset's smallest unit (wei, satoshi, sun, raw
token units) beside the asset's `decimals`; never a float. Times are
timezone-aware UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Asset:
    """A coin or token on one chain. `contract` is None for the chain's native coin."""

    chain: str
    symbol: str | None
    #: None when the provider did not say and the settings do not know the token
    decimals: int | None
    contract: str | None = None

    @property
    def native(self) -> bool:
        return self.contract is None


@dataclass(frozen=True)
class Balance:
    asset: Asset
    #: confirmed amount, smallest unit
    amount: int
    #: change waiting in the mempool (may be negative); 0 where not reported
    pending: int = 0

    def as_decimal(self) -> Decimal | None:
        """The confirmed amount in whole coins, exact; None when decimals are unknown."""
        return to_decimal(self.amount, self.asset.decimals)


@dataclass(frozen=True, kw_only=True)
class AddressSummary:
    """An address at a glance, as one provider saw it at `fetched_at`."""

    chain: str
    address: str
    native: Balance
    #: token balances where the provider reports them (see each client)
    tokens: tuple[Balance, ...]
    #: transactions touching the address, where the provider counts them
    tx_count: int | None
    #: transactions sent by the address (EVM nonce), where known
    nonce: int | None
    first_seen: datetime | None
    last_seen: datetime | None
    #: which provider answered, e.g. "Etherscan (chain 1)"
    source: str
    fetched_at: datetime


@dataclass(frozen=True, kw_only=True)
class Transfer:
    """Value moving into and/or out of the queried address in one transaction.

    `inflow` and `outflow` are seen from the queried address and never
    negative: an outgoing ERC-20 transfer has outflow = value, a transfer to
    itself has both, and a Bitcoin transaction has the outputs it received
    and the inputs it spent (so its change shows on both sides). Network fees
    are not counted.
    """

    chain: str
    tx_hash: str
    asset: Asset
    inflow: int
    outflow: int
    #: block time; None while unconfirmed
    timestamp: datetime | None
    block: int | None
    #: None where a transaction has no single sender/recipient (Bitcoin)
    sender: str | None = None
    recipient: str | None = None
    #: the transaction failed on chain: nothing moved
    failed: bool = False
    #: position of a token transfer inside its transaction, where known
    log_index: int | None = None


class TransferList(list[Transfer]):
    """What `Explorer.transfers` returns: the transfers, newest first, and why the
    provider's history stopped early where it did.

    `cut_short` is None when the list holds everything the provider had up to
    the limit asked for; otherwise it says, for a person, why paging stopped
    while the provider still offered more (a page cap, an empty page that
    pointed to a next one). The oldest transfers are then missing.
    """

    def __init__(self, transfers: Iterable[Transfer] = (), *, cut_short: str | None = None):
        super().__init__(transfers)
        self.cut_short = cut_short


@dataclass(frozen=True, kw_only=True)
class DailyFlow:
    """Total inflow and outflow of one asset on one UTC day."""

    day: date  # UTC
    asset: Asset
    inflow: int
    outflow: int
    transfers: int


def to_decimal(amount: int, decimals: int | None) -> Decimal | None:
    if decimals is None:
        return None
    return Decimal(amount).scaleb(-decimals)
