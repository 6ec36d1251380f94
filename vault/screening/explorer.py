"""SQL for explorer data (tables of m0004): address summaries and daily flows.

Plain values in and out: amounts arrive and leave as Python ints and are
stored as decimal text (they outgrow SQLite's 64-bit integers).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vault.connection import Connection

_SUMMARY = (
    "chain",
    "address",
    "source",
    "balances",
    "tx_count",
    "nonce",
    "first_seen",
    "last_seen",
    "fetched_at",
    "raw",
)


def put_summary(conn: Connection, row: Mapping[str, Any]) -> None:
    """Store the newest summary of (chain, address, source), replacing the previous one.
    `row["balances"]` is a list of dicts whose `amount` and `pending` are ints."""
    values = dict(row)
    values["balances"] = json.dumps(
        [
            {**b, "amount": str(int(b["amount"])), "pending": str(int(b.get("pending", 0)))}
            for b in row["balances"]
        ],
        sort_keys=True,  # the same text on every device, whichever wrote it (sync)
    )
    conn.execute(
        f"INSERT OR REPLACE INTO explorer_summaries ({', '.join(_SUMMARY)}) "
        f"VALUES ({', '.join('?' * len(_SUMMARY))})",
        tuple(values[c] for c in _SUMMARY),
    )


def summaries(conn: Connection, chain: str, address: str) -> list[dict[str, Any]]:
    """Every source's newest summary of an address, newest first; amounts as ints."""
    rows = conn.execute(
        # constant column names; values are ? params
        f"SELECT {', '.join(_SUMMARY)} FROM explorer_summaries WHERE chain = ? AND address = ? "
        "ORDER BY fetched_at DESC",  # nosec B608
        (chain, address),
    )
    found = []
    for r in rows:
        info = dict(zip(_SUMMARY, r, strict=True))
        info["balances"] = [
            {**b, "amount": int(b["amount"]), "pending": int(b["pending"])}
            for b in json.loads(info["balances"])
        ]
        found.append(info)
    return found


@dataclass(frozen=True, slots=True)
class FlowRow:
    day: str  # ISO date, UTC
    asset: str  # '' for the native coin, else the contract
    symbol: str | None
    decimals: int | None
    inflow: int
    outflow: int
    transfers: int
    complete: bool


def put_flows(
    conn: Connection,
    *,
    chain: str,
    address: str,
    source: str,
    fetched_at: str,
    flows: Iterable[FlowRow],
) -> int:
    """Write the days of one refresh; a complete stored day is never replaced by an
    incomplete one. Returns how many rows were written."""
    rows = [
        (chain, address, f.day, f.asset, f.symbol, f.decimals, str(f.inflow), str(f.outflow),
         f.transfers, int(f.complete), source, fetched_at)
        for f in flows
    ]  # fmt: skip
    before = conn.total_changes
    conn.executemany(
        "INSERT INTO explorer_flows (chain, address, day, asset, symbol, decimals, inflow, "
        "outflow, transfers, complete, source, fetched_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT (chain, address, day, asset) DO UPDATE SET symbol = excluded.symbol, "
        "decimals = excluded.decimals, inflow = excluded.inflow, outflow = excluded.outflow, "
        "transfers = excluded.transfers, complete = excluded.complete, "
        "source = excluded.source, fetched_at = excluded.fetched_at "
        "WHERE excluded.complete = 1 OR explorer_flows.complete = 0",
        rows,
    )
    return conn.total_changes - before


def flows(
    conn: Connection,
    chain: str,
    address: str,
    *,
    since: str | None = None,
    assets: Sequence[str] | None = None,
) -> list[FlowRow]:
    """The stored daily series of an address, oldest day first (native before tokens)."""
    sql = (
        "SELECT day, asset, symbol, decimals, inflow, outflow, transfers, complete "
        "FROM explorer_flows WHERE chain = ? AND address = ?"
    )
    params: list[Any] = [chain, address]
    if since is not None:
        sql += " AND day >= ?"
        params.append(since)
    if assets is not None:
        sql += f" AND asset IN ({', '.join('?' * len(assets))})"
        params += list(assets)
    sql += " ORDER BY day, asset"
    return [
        FlowRow(day, asset, symbol, decimals, int(i), int(o), int(n), bool(c))
        for day, asset, symbol, decimals, i, o, n, c in conn.execute(sql, params)
    ]
