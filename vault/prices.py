"""SQL for the price table (m0008). Plain values in and out; the rules (what a valid
price is, when it is fresh) live in app.prices."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from vault.connection import Connection


@dataclass(frozen=True, slots=True)
class PriceRow:
    """One stored price; price and as_of exactly as stored (decimal text, ISO UTC)."""

    asset: str
    currency: str
    price: str
    as_of: str
    source: str
    imported_at: str


_COLUMNS = "asset, currency, price, as_of, source, imported_at"


def _row(r: tuple[Any, ...]) -> PriceRow:
    return PriceRow(str(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]))


def add(conn: Connection, rows: Iterable[PriceRow]) -> tuple[int, int, int]:
    """Write prices inside the caller's transaction: (added, changed, unchanged). A row
    with the same asset, currency, as_of and source replaces the stored price."""
    added = changed = unchanged = 0
    for row in rows:
        old = conn.execute(
            "SELECT price FROM prices WHERE asset = ? AND currency = ? AND as_of = ? "
            "AND source = ?",
            (row.asset, row.currency, row.as_of, row.source),
        ).fetchone()
        if old is None:
            conn.execute(
                # constant column names; values are ? params
                f"INSERT INTO prices ({_COLUMNS}) VALUES (?,?,?,?,?,?)",  # nosec B608
                (row.asset, row.currency, row.price, row.as_of, row.source, row.imported_at),
            )
            added += 1
        elif old[0] != row.price:
            conn.execute(
                "UPDATE prices SET price = ?, imported_at = ? WHERE asset = ? AND currency = ? "
                "AND as_of = ? AND source = ?",
                (row.price, row.imported_at, row.asset, row.currency, row.as_of, row.source),
            )
            changed += 1
        else:
            unchanged += 1
    return added, changed, unchanged


def newest(
    conn: Connection,
    *,
    currency: str | None = None,
    assets: Collection[str] | None = None,
    until: str | None = None,
) -> list[PriceRow]:
    """The price in force per (asset, currency): the newest as_of, then the latest
    import, then the highest id. Optionally only one currency, some assets, or prices
    as of `until` (ISO UTC) at the latest."""
    where: list[str] = []
    params: list[Any] = []
    if until is not None:
        where.append("as_of <= ?")
        params.append(until)
    if currency is not None:
        where.append("currency = ?")
        params.append(currency)
    if assets is not None:
        where.append("asset IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(assets)))
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = conn.execute(
        # clauses are fixed SQL from code; values are ? params
        f"SELECT {_COLUMNS} FROM (SELECT {_COLUMNS}, row_number() OVER (PARTITION BY asset, "
        "currency ORDER BY as_of DESC, imported_at DESC, id DESC) AS n FROM prices "  # nosec B608
        f"{clause}) WHERE n = 1 ORDER BY asset, currency",
        tuple(params),
    )
    return [_row(r) for r in rows]


def history(conn: Connection) -> list[PriceRow]:
    """Every stored price, by asset, currency and time (newest first)."""
    rows = conn.execute(
        # constant column names; values are ? params
        f"SELECT {_COLUMNS} FROM prices "  # nosec B608
        "ORDER BY asset, currency, as_of DESC, imported_at DESC"
    )
    return [_row(r) for r in rows]
