"""Daily inflow/outflow totals from transfers: the time series behind the flow charts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date

from integrations.explorers.models import Asset, DailyFlow, Transfer


def daily_flows(transfers: Iterable[Transfer]) -> list[DailyFlow]:
    """One row per (UTC day, asset) that saw a transfer, oldest day first.

    Failed transactions moved nothing and unconfirmed ones have no day yet;
    both are left out. Days without transfers are absent, not zero rows:
    the chart decides how to draw gaps.
    """
    totals: dict[tuple[date, Asset], list[int]] = {}
    for transfer in transfers:
        if transfer.failed or transfer.timestamp is None:
            continue
        day = transfer.timestamp.astimezone(UTC).date()
        row = totals.setdefault((day, transfer.asset), [0, 0, 0])
        row[0] += transfer.inflow
        row[1] += transfer.outflow
        row[2] += 1
    return [
        DailyFlow(day=day, asset=asset, inflow=i, outflow=o, transfers=n)
        for (day, asset), (i, o, n) in sorted(totals.items(), key=_order)
    ]


def _order(item: tuple[tuple[date, Asset], list[int]]) -> tuple[date, bool, str, str]:
    (day, asset), _ = item
    return day, not asset.native, asset.contract or "", asset.symbol or ""
