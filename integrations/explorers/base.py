"""The interface every explorer client implements, and helpers they share."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from integrations.explorers.models import AddressSummary, Balance, Transfer
from integrations.http.clock import Clock


class Explorer(Protocol):
    """Read-only facts about an address on one chain, from one provider.

    Calls block on the network: run them on the network pool, never on the
    GUI thread. They raise `integrations.http.IntegrationError` subclasses.
    """

    @property
    def chain(self) -> str: ...

    @property
    def source(self) -> str:
        """The provider, as shown next to every figure, e.g. "Etherscan (chain 1)"."""
        ...

    def summary(self, address: str) -> AddressSummary: ...

    def transfers(self, address: str, *, limit: int = 100) -> list[Transfer]:
        """The most recent transfers in and out (up to `limit`), newest first.

        A client that pages may return a `TransferList` whose `cut_short` says why
        its history stopped before `limit` while the provider offered more."""
        ...


def as_int(value: Any) -> int:
    """An integer from a JSON integer or a decimal string; anything else is a shape error."""
    if isinstance(value, bool):
        raise TypeError("a boolean where an integer was expected")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise TypeError(f"{value!r} is not an integer")


def optional_int(value: Any) -> int | None:
    return None if value in (None, "") else as_int(value)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_unix(seconds: int) -> datetime:
    return _EPOCH + timedelta(seconds=seconds)


def from_unix_ms(milliseconds: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=milliseconds)


def wall_time(clock: Clock) -> datetime:
    """Now, as a UTC datetime, from the injectable clock (for `fetched_at`)."""
    return datetime.fromtimestamp(clock.time(), UTC)


def newest_first(transfer: Transfer) -> tuple[bool, datetime, int, int]:
    """Sort key (use with reverse=True): unconfirmed first, then by time, block, log."""
    return (
        transfer.timestamp is None,
        transfer.timestamp or datetime.min.replace(tzinfo=UTC),
        transfer.block or 0,
        transfer.log_index if transfer.log_index is not None else -1,
    )


def check_limit(limit: int) -> None:
    if limit < 1:
        raise ValueError("limit must be at least 1")


def activity_summary(
    *,
    chain: str,
    address: str,
    native: Balance,
    activity: Iterable[Transfer],
    tx_count: int | None,
    source: str,
    clock: Clock,
) -> AddressSummary:
    """A summary without token balances whose first and last activity are the
    oldest and newest of `activity` (for sources that date an address only
    through its transactions)."""
    times = [t.timestamp for t in activity if t.timestamp is not None]
    return AddressSummary(
        chain=chain,
        address=address,
        native=native,
        tokens=(),
        tx_count=tx_count,
        nonce=None,
        first_seen=min(times, default=None),
        last_seen=max(times, default=None),
        source=source,
        fetched_at=wall_time(clock),
    )
