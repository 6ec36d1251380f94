"""Reading the approval queue: filters and sort orders in SQL, so 100k requests page fast
(every filter and sort key has an index in m0005), and the risk copied from screenings."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from vault.connection import Connection

#: a queue row: id, kind, status, customer id, external id, name, asset, amount,
#: chain, address, created_at, requester's name, risk level, risk time, approvals,
#: needed, local_only, sanctioned, then the valuation (m0008): value, its currency,
#: price, price time, price source, valued at
ROW_SELECT = (
    "SELECT r.id, r.kind, r.status, r.customer_id, c.external_id, c.display_name, "
    "r.asset, r.amount_exact, r.chain, r.address, r.created_at, m.name, r.risk_level, "
    "r.risk_fetched_at, r.approvals, r.needed, r.local_only, r.sanctioned, "
    "r.value_exact, r.value_currency, r.price, r.price_as_of, r.price_source, r.valued_at "
    "FROM approval_requests r CROSS JOIN customers c ON c.id = r.customer_id "
    "CROSS JOIN approval_members m ON m.id = r.created_by"
)

SORT_COLUMNS = {
    "created_at": "r.created_at",
    "kind": "r.kind",
    "status": "r.status",
    "customer": "c.display_name COLLATE NOCASE",
    "amount": "r.amount",
    # By severity, not by name; a sanctions hit is worst of all, never screened least.
    "risk": "CASE WHEN r.sanctioned THEN 6 ELSE CASE r.risk_level WHEN 'severe' THEN 5 "
    "WHEN 'high' THEN 4 WHEN 'medium' THEN 3 WHEN 'low' THEN 2 WHEN 'none' THEN 1 "
    "WHEN 'unknown' THEN 0.5 ELSE 0 END END",
}


def _in(column: str, values: Collection[str], params: list[Any]) -> str:
    params += sorted(values)
    return f"{column} IN ({', '.join('?' for _ in values)})"


def where(
    *,
    kinds: Collection[str] = (),
    statuses: Collection[str] = (),
    risk_levels: Collection[str] = (),
    customer: str = "",
    created_from: str | None = None,
    created_to: str | None = None,
) -> tuple[str, list[Any]]:
    """The WHERE clause of a queue filter. Risk levels are screening levels plus
    "sanctioned" (a sanctions hit) and "unscreened" (an address never screened)."""
    clauses: list[str] = []
    params: list[Any] = []
    if kinds:
        clauses.append(_in("r.kind", kinds, params))
    if statuses:
        clauses.append(_in("r.status", statuses, params))
    if risk_levels:
        levels = set(risk_levels) - {"unscreened", "sanctioned"}
        parts = [_in("r.risk_level", levels, params)] if levels else []
        if "unscreened" in risk_levels:
            parts.append("(r.risk_level IS NULL AND r.chain IS NOT NULL)")
        if "sanctioned" in risk_levels:
            parts.append("r.sanctioned = 1")
        clauses.append("(" + " OR ".join(parts) + ")")
    if created_to is not None:
        clauses.append("r.created_at <= ?")
        params.append(created_to)
    if created_from is not None:
        clauses.append("r.created_at >= ?")
        params.append(created_from)
    text = customer.strip()
    if text:
        clauses.append(
            "r.customer_id IN (SELECT id FROM customers WHERE external_id = ? "
            "OR display_name LIKE ? ESCAPE '\\')"
        )
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params += [text, f"%{escaped}%"]
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def count(conn: Connection, clause: str, params: Sequence[Any]) -> int:
    return int(
        conn.execute(
            # clauses are fixed SQL from code; values are ? params
            f"SELECT count(*) FROM approval_requests r {clause}",  # nosec B608
            params,
        ).fetchone()[0]
    )


def page(
    conn: Connection,
    clause: str,
    params: Sequence[Any],
    *,
    sort: str,
    descending: bool,
    offset: int,
    limit: int,
) -> list[tuple[Any, ...]]:
    direction = "DESC" if descending else "ASC"
    # Ties by rowid, which every index on the table ends with: the default order
    # (oldest first) then walks approval_requests_created and stops at the page,
    # where r.id would need a sort of every matching request.
    keys = [SORT_COLUMNS[sort]] + (["r.created_at"] if sort != "created_at" else []) + ["r.rowid"]
    order = ", ".join(f"{key} {direction}" for key in keys)
    return [
        tuple(r)
        for r in conn.execute(
            f"{ROW_SELECT} {clause} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
    ]


def row(conn: Connection, request_id: str) -> tuple[Any, ...] | None:
    found = conn.execute(f"{ROW_SELECT} WHERE r.id = ?", (request_id,)).fetchone()
    return None if found is None else tuple(found)


def latest_screenings(
    conn: Connection, chain: str, address: str, statuses: Sequence[str]
) -> dict[str, tuple[str, bool, str]]:
    """Per provider, its newest answer about the address: (level, sanctioned, fetched_at)."""
    latest: dict[str, tuple[str, bool, str]] = {}
    for provider, level, sanctioned, fetched in conn.execute(
        # only ? placeholders are joined in
        "SELECT provider, level, sanctioned, fetched_at FROM screenings WHERE chain = ? "
        f"AND address = ? AND status IN ({', '.join('?' for _ in statuses)}) "  # nosec B608
        "ORDER BY fetched_at DESC LIMIT 200",
        (chain, address, *statuses),
    ):
        latest.setdefault(provider, (level, bool(sanctioned), fetched))
    return latest


def screened_since(conn: Connection) -> tuple[list[tuple[str, str]], int | None]:
    """Requested addresses with screenings newer than the last `mark_screenings_seen`,
    and the newest screening's id to mark next (None: nothing new)."""
    seen_row = conn.execute(
        "SELECT value FROM meta WHERE key = 'approvals.screenings_seen'"
    ).fetchone()
    seen = int(seen_row[0]) if seen_row else 0
    top = int(conn.execute("SELECT coalesce(max(id), 0) FROM screenings").fetchone()[0])
    if top <= seen:
        return [], None
    pairs = conn.execute(
        "SELECT DISTINCT s.chain, s.address FROM screenings s WHERE s.id > ? AND EXISTS "
        "(SELECT 1 FROM approval_requests r WHERE r.chain = s.chain AND r.address = s.address)",
        (seen,),
    ).fetchall()
    return [(str(c), str(a)) for c, a in pairs], top


def set_risk(
    conn: Connection,
    chain: str,
    address: str,
    risk: tuple[str | None, bool, str | None],
) -> list[str]:
    """Copy an address's risk into its requests; returns their ids."""
    level, sanctioned, fetched = risk
    conn.execute(
        "UPDATE approval_requests SET risk_level = ?, sanctioned = ?, risk_fetched_at = ? "
        "WHERE chain = ? AND address = ?",
        (level, int(sanctioned), fetched, chain, address),
    )
    return [
        str(r[0])
        for r in conn.execute(
            "SELECT id FROM approval_requests WHERE chain = ? AND address = ?", (chain, address)
        )
    ]


def mark_screenings_seen(conn: Connection, top: int) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('approvals.screenings_seen', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (str(top),),
    )
