"""SQL for cases and what they gather (tables of m0018). Titles, notes and closing
reasons are stored sealed; the caller opens them with the customer's key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vault.connection import Connection


@dataclass(frozen=True)
class CaseRow:
    id: int
    uid: str
    customer_id: int
    customer_uid: str
    external_id: str | None
    customer_name: str
    title: str  # sealed
    owner: str
    status: str
    disposition: str | None
    disposition_reason: str | None  # sealed
    close_request: str | None
    close_status: str | None  # the closing request's status, when there is one
    opened_at: str
    opened_by: str
    updated_at: str
    closed_at: str | None
    items: int


@dataclass(frozen=True)
class ItemRow:
    id: int
    uid: str
    kind: str
    ref: str
    body: str | None  # sealed
    added_by: str
    added_at: str


_CASE = (
    "SELECT k.id, k.uid, k.customer_id, c.uid, c.external_id, c.display_name, k.title, "
    "k.owner, k.status, k.disposition, k.disposition_reason, k.close_request, r.status, "
    "k.opened_at, k.opened_by, k.updated_at, k.closed_at, "
    "(SELECT count(*) FROM case_items i WHERE i.case_id = k.id) "
    "FROM cases k JOIN customers c ON c.id = k.customer_id "
    "LEFT JOIN approval_requests r ON r.id = k.close_request"
)
#: the sort keys `cases()` understands -> their column
SORTS = {
    "updated": "k.updated_at",
    "opened": "k.opened_at",
    "status": "k.status",
    "customer": "c.display_name COLLATE NOCASE",
    "owner": "k.owner COLLATE NOCASE",
}


def _case(row: Sequence[Any]) -> CaseRow:
    return CaseRow(*row)


def insert_case(conn: Connection, values: Mapping[str, Any]) -> int:
    cur = conn.execute(
        "INSERT INTO cases (uid, customer_id, title, owner, status, opened_at, opened_by, "
        "updated_at) VALUES (:uid, :customer_id, :title, :owner, 'open', :opened_at, "
        ":opened_by, :opened_at)",
        dict(values),
    )
    return int(cur.lastrowid or 0)


def case(conn: Connection, key: str) -> CaseRow | None:
    """A case by its uid or, typed by a person, its number on this vault."""
    if key.isdigit():
        row = conn.execute(f"{_CASE} WHERE k.id = ?", (int(key),)).fetchone()  # nosec B608
    else:
        row = conn.execute(f"{_CASE} WHERE k.uid = ?", (key,)).fetchone()  # nosec B608
    return None if row is None else _case(row)


def cases(
    conn: Connection,
    *,
    statuses: Sequence[str] = (),
    customer_id: int | None = None,
    sort: str = "updated",
    descending: bool = True,
) -> list[CaseRow]:
    where: list[str] = []
    params: list[Any] = []
    if statuses:
        where.append(f"k.status IN ({', '.join('?' for _ in statuses)})")
        params.extend(statuses)
    if customer_id is not None:
        where.append("k.customer_id = ?")
        params.append(customer_id)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    order = f"{SORTS[sort]} {'DESC' if descending else 'ASC'}, k.id"
    # constant SQL (SORTS' columns); values are ? params
    query = f"{_CASE}{clause} ORDER BY {order}"  # nosec B608
    return [_case(r) for r in conn.execute(query, params)]


def touch(conn: Connection, case_id: int, now: str, **changes: Any) -> None:
    """Set `changes` (column: value, columns named by the caller's code) and updated_at."""
    sets = "".join(f"{column} = :{column}, " for column in changes)
    conn.execute(
        f"UPDATE cases SET {sets}updated_at = :now WHERE id = :id",  # nosec B608
        {**changes, "now": now, "id": case_id},
    )


def insert_item(conn: Connection, values: Mapping[str, Any]) -> int | None:
    """None: the case holds this thing already."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO case_items (uid, case_id, kind, ref, body, added_by, added_at) "
        "VALUES (:uid, :case_id, :kind, :ref, :body, :added_by, :added_at)",
        dict(values),
    )
    return int(cur.lastrowid or 0) if cur.rowcount else None


def items(conn: Connection, case_id: int) -> list[ItemRow]:
    return [
        ItemRow(*r)
        for r in conn.execute(
            "SELECT id, uid, kind, ref, body, added_by, added_at FROM case_items "
            "WHERE case_id = ? ORDER BY added_at, id",
            (case_id,),
        )
    ]


def screenings_of(
    conn: Connection, chain: str, address: str, *, limit: int = 50
) -> list[dict[str, Any]]:
    """The address's newest screening answers (every provider), newest first."""
    cur = conn.execute(
        "SELECT provider, level, score, sanctioned, categories, source, sanctioned_party, "
        "list_date, status, fetched_at FROM screenings WHERE chain = ? AND address = ? "
        "ORDER BY fetched_at DESC, id DESC LIMIT ?",
        (chain, address, limit),
    )
    return _dicts(cur)


def flows_of(
    conn: Connection, chain: str, address: str, *, limit: int = 2000
) -> list[dict[str, Any]]:
    """The address's daily explorer flows, oldest first."""
    cur = conn.execute(
        "SELECT day, asset, symbol, decimals, inflow, outflow, transfers, complete, source, "
        "fetched_at FROM explorer_flows WHERE chain = ? AND address = ? ORDER BY day, asset "
        "LIMIT ?",
        (chain, address, limit),
    )
    return _dicts(cur)


def customer_record(conn: Connection, customer_id: int) -> dict[str, Any]:
    cur = conn.execute(
        "SELECT uid, external_id, kind, legal_name, display_name, country, kyc_status, "
        "kyc_expires_at, risk_rating, risk_reason, created_at FROM customers WHERE id = ?",
        (customer_id,),
    )
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    return dict(zip(names, row, strict=True)) if row else {}


def _dicts(cur: Any) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur]
