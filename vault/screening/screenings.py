"""Stored screening results: the cache (with a time to live) and each address's history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from vault.connection import Connection

_COLUMNS = (
    "address",
    "chain",
    "provider",
    "level",
    "score",
    "sanctioned",
    "categories",
    "exposures",
    "raw",
    "fetched_at",
    "status",
    "source",
    "sanctioned_party",
    "list_date",
    "error",
)


_INSERT = (
    # constant column names; values are ? params
    f"INSERT INTO screenings ({', '.join(_COLUMNS)}) "  # nosec B608
    f"VALUES ({', '.join('?' for _ in _COLUMNS)})"
)


def record(conn: Connection, row: Mapping[str, Any]) -> int:
    cur = conn.execute(_INSERT, tuple(row[c] for c in _COLUMNS))
    return int(cur.lastrowid or 0)


def record_many(conn: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
    """`record` for many answers at once (the demo's history)."""
    conn.executemany(_INSERT, (tuple(row[c] for c in _COLUMNS) for row in rows))


def latest(conn: Connection, chain: str, address: str, provider: str) -> dict[str, Any] | None:
    """The newest stored answer of `provider` for this address."""
    found = conn.execute(
        # constant column names; values are ? params
        f"SELECT {', '.join(_COLUMNS)} FROM screenings WHERE chain = ? AND address = ? "
        "AND provider = ? ORDER BY fetched_at DESC LIMIT 1",  # nosec B608
        (chain, address, provider),
    ).fetchone()
    return None if found is None else dict(zip(_COLUMNS, found, strict=True))


def history(
    conn: Connection, chain: str, address: str, *, limit: int = 100
) -> list[dict[str, Any]]:
    return [
        dict(zip(_COLUMNS, r, strict=True))
        for r in conn.execute(
            # constant column names; values are ? params
            f"SELECT {', '.join(_COLUMNS)} FROM screenings WHERE chain = ? AND address = ? "
            "ORDER BY fetched_at DESC LIMIT ?",  # nosec B608
            (chain, address, limit),
        )
    ]
