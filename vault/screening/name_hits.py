"""SQL for name screening hits and their dispositions (tables of m0011)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from vault.connection import Connection


@dataclass(frozen=True, slots=True)
class ScreenedCustomer:
    id: int
    uid: str
    external_id: str | None
    kind: str
    legal_name: str
    display_name: str
    country: str | None


@dataclass(frozen=True, slots=True)
class HitRow:
    id: int
    customer_id: int
    customer_uid: str
    external_id: str | None
    name: str  # the customer's name that matched, as it is now
    field: str
    name_digest: str
    source: str
    entry_id: str
    entry_digest: str
    listed_name: str
    program: str
    score: int
    why: dict[str, Any]
    raised_at: str
    status: str
    reason: str | None
    decided_at: str | None
    signer: str | None


_CUSTOMER = (
    "SELECT id, uid, external_id, kind, legal_name, display_name, country FROM customers "
    "WHERE erased_at IS NULL AND merged_into IS NULL"
)


def customers(conn: Connection, customer_id: int | None = None) -> Iterator[ScreenedCustomer]:
    """The customers to screen (all that are neither erased nor merged, or one)."""
    if customer_id is None:
        rows = conn.execute(_CUSTOMER + " ORDER BY id")
    else:
        rows = conn.execute(_CUSTOMER + " AND id = ?", (customer_id,))
    for row in rows:
        yield ScreenedCustomer(*row)


def known(
    conn: Connection, *, customer_id: int, entry_id: str, name_digest: str, entry_digest: str
) -> tuple[int, str] | None:
    """(id, status) of the hit already raised for this name and entry content."""
    row = conn.execute(
        "SELECT id, status FROM name_hits WHERE customer_id = ? AND entry_id = ? "
        "AND name_digest = ? AND entry_digest = ?",
        (customer_id, entry_id, name_digest, entry_digest),
    ).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


_HIT_COLUMNS = (
    "customer_id",
    "field",
    "name_digest",
    "source",
    "entry_id",
    "entry_digest",
    "listed_name",
    "program",
    "score",
    "why",
    "raised_at",
)


def insert(conn: Connection, values: Mapping[str, Any]) -> int:
    row = tuple(json.dumps(values[c]) if c == "why" else values[c] for c in _HIT_COLUMNS)
    cur = conn.execute(
        # constant column names; values are ? params
        f"INSERT INTO name_hits ({', '.join(_HIT_COLUMNS)}) "  # nosec B608
        f"VALUES ({', '.join('?' * len(_HIT_COLUMNS))})",
        row,
    )
    return int(cur.lastrowid or 0)


_SELECT = """
SELECT h.id, h.customer_id, c.uid, c.external_id,
       CASE h.field WHEN 'legal_name' THEN c.legal_name ELSE c.display_name END,
       h.field, h.name_digest, h.source, h.entry_id, h.entry_digest, h.listed_name,
       h.program, h.score, h.why, h.raised_at, h.status, d.reason, d.decided_at, d.signer
  FROM name_hits h
  JOIN customers c ON c.id = h.customer_id
  LEFT JOIN name_dispositions d ON d.hit_id = h.id
"""


def _hit(row: tuple[Any, ...]) -> HitRow:
    values = list(row)
    values[13] = json.loads(values[13])
    return HitRow(*values)


def hit(conn: Connection, hit_id: int) -> HitRow | None:
    row = conn.execute(_SELECT + " WHERE h.id = ?", (hit_id,)).fetchone()
    return None if row is None else _hit(row)


def hits(
    conn: Connection, *, open_only: bool = False, ids: list[int] | None = None
) -> list[HitRow]:
    """Hits, oldest first: every one, the open ones, or those of `ids`."""
    where = ["c.erased_at IS NULL"]
    params: list[Any] = []
    if open_only:
        where.append("h.status = 'open'")
    if ids is not None:
        where.append(f"h.id IN ({', '.join('?' * len(ids))})")
        params.extend(ids)
    rows = conn.execute(_SELECT + " WHERE " + " AND ".join(where) + " ORDER BY h.id", params)
    return [_hit(r) for r in rows]


def dispose(conn: Connection, hit_id: int, values: Mapping[str, Any]) -> None:
    """Record a disposition and close the hit; call inside the caller's transaction."""
    conn.execute(
        "INSERT INTO name_dispositions "
        "(hit_id, verdict, reason, decided_at, signer, typed_hash, signature) "
        "VALUES (?,?,?,?,?,?,?)",
        (
            hit_id,
            values["verdict"],
            values["reason"],
            values["decided_at"],
            values["signer"],
            values["typed_hash"],
            values["signature"],
        ),
    )
    conn.execute("UPDATE name_hits SET status = ? WHERE id = ?", (values["verdict"], hit_id))


def disposition(conn: Connection, hit_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT verdict, reason, decided_at, signer, typed_hash, signature, signed_hit "
        "FROM name_dispositions WHERE hit_id = ?",
        (hit_id,),
    ).fetchone()
    keys = ("verdict", "reason", "decided_at", "signer", "typed_hash", "signature", "signed_hit")
    return None if row is None else dict(zip(keys, row, strict=True))
