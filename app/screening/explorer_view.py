"""Stored explorer figures in words: the line `strongroom explorer` prints for an
address, and a day of its inflow/outflow as the Screening panel shows it. No Qt.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.screening.overview import age_of, amount_text
from vault.screening.explorer import FlowRow


def balance_record(balance: dict[str, Any]) -> dict[str, Any]:
    """A stored balance with its amount as a decimal string and as the exact integer."""
    return {
        "symbol": balance["symbol"],
        "contract": balance.get("contract"),
        "amount": amount_text(balance["amount"], balance.get("decimals")).replace(",", ""),
        "raw": str(balance["amount"]),
        "decimals": balance.get("decimals"),
    }


def summary_line(
    chain: str,
    address: str,
    summary: dict[str, Any] | None,
    *,
    status: str,
    error: str | None = None,
    now: datetime | None = None,
) -> dict[str, object]:
    """One address as `strongroom explorer` prints it: the newest stored summary (or
    nulls when none is stored), its source and age, and what this run did."""
    line: dict[str, object] = {
        "chain": chain,
        "address": address,
        "source": None,
        "fetched_at": None,
        "age_seconds": None,
        "native_balance": None,
        "tokens": [],
        "tx_count": None,
        "first_seen": None,
        "last_seen": None,
        #: why the explorer's transfer history stopped early (older transfers missing)
        "history_cut_short": None,
        "status": status,
    }
    if summary is not None:
        native, *tokens = summary["balances"] or [None]
        line.update(
            source=summary["source"],
            fetched_at=summary["fetched_at"],
            age_seconds=max(0, round(age_of(summary["fetched_at"], now))),
            native_balance=None if native is None else balance_record(native),
            tokens=[balance_record(t) for t in tokens],
            tx_count=summary.get("tx_count"),
            first_seen=summary.get("first_seen"),
            last_seen=summary.get("last_seen"),
            history_cut_short=summary.get("cut_short"),
        )
    if error:
        line["error"] = error
    return line


def flow_text(row: FlowRow) -> tuple[str, str, str]:
    """(asset, inflow, outflow) of a day in words, amounts with their decimals."""
    asset = row.symbol or (row.asset[:10] + "…" if row.asset else "native")
    return asset, amount_text(row.inflow, row.decimals), amount_text(row.outflow, row.decimals)
