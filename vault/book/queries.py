"""Read queries for views, search and export: sorting and filtering happen in SQL.

Views page through ids with LIMIT/OFFSET-free keyset queries where they can,
so a book of 200k customers / 1M addresses never loads whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from vault.connection import Connection

CUSTOMER_SORTS = {
    "name": "c.display_name COLLATE NOCASE",
    "country": "c.country",
    "kyc": "c.kyc_status",
    "risk": "c.risk_rating",
    "updated": "c.updated_at",
    "external_id": "c.external_id",
    "kind": "c.kind",
}


def _fts_query(text: str) -> str:
    """Each word as a quoted prefix term: user text never becomes FTS syntax."""
    words = re.findall(r"\w+", text, flags=re.UNICODE)
    return " ".join(f'"{w}"*' for w in words[:8])


def search_customer_ids(conn: Connection, text: str, *, limit: int = 200) -> list[int]:
    """Customers matching `text` in names, contacts, tags, notes, or an address prefix."""
    text = text.strip()
    if not text:
        return []
    ids: dict[int, None] = {}
    if len(text) >= 3 and re.fullmatch(r"[0-9A-Za-z]+", text):
        key = text.lower()
        for (cid,) in conn.execute(
            "SELECT DISTINCT customer_id FROM addresses WHERE address_key >= ? AND address_key < ? "
            "LIMIT ?",
            (key, key + "\uffff", limit),
        ):
            ids[int(cid)] = None
    query = _fts_query(text)
    if query:
        for (cid,) in conn.execute(
            "SELECT DISTINCT customer_id FROM search WHERE search MATCH ? LIMIT ?",
            (query, limit),
        ):
            ids[int(cid)] = None
    return list(ids)[:limit]


def count_customers(
    conn: Connection,
    *,
    ids: list[int] | None = None,
    where: str = "",
    where_params: Sequence[Any] = (),
) -> int:
    """`where` (customers as `c`) narrows the list further, e.g. to a dashboard figure."""
    if ids is not None and not where:
        return len(ids)
    sql = "SELECT count(*) FROM customers c WHERE c.erased_at IS NULL AND c.merged_into IS NULL"
    params: list[Any] = []
    if ids is not None:
        sql += f" AND c.id IN ({','.join('?' for _ in ids)})" if ids else " AND 0"
        params += ids
    if where:
        sql += f" AND ({where})"
        params += list(where_params)
    return int(conn.execute(sql, params).fetchone()[0])


CUSTOMER_LIST_COLUMNS = (
    "id",
    "display_name",
    "kind",
    "country",
    "kyc_status",
    "risk_rating",
    "addresses",
    "updated_at",
)


def customer_page(
    conn: Connection,
    *,
    offset: int,
    limit: int,
    sort: str = "name",
    descending: bool = False,
    ids: list[int] | None = None,
    where: str = "",
    where_params: Sequence[Any] = (),
) -> list[tuple[Any, ...]]:
    """One page of the customer list, sorted in SQL (indexes on name and updated);
    `where` (customers as `c`) narrows it as in `count_customers`."""
    order = CUSTOMER_SORTS.get(sort, CUSTOMER_SORTS["name"])
    direction = "DESC" if descending else "ASC"
    condition = "c.erased_at IS NULL AND c.merged_into IS NULL"
    params: list[Any] = []
    if ids is not None:
        condition += f" AND c.id IN ({','.join('?' for _ in ids)})" if ids else " AND 0"
        params += ids
    if where:
        condition += f" AND ({where})"
        params += list(where_params)
    sql = (
        # clauses are fixed SQL from code; values are ? params
        "SELECT c.id, c.display_name, c.kind, c.country, c.kyc_status, c.risk_rating, "
        "(SELECT count(*) FROM addresses a WHERE a.customer_id = c.id), c.updated_at, "
        "c.external_id "  # nosec B608
        f"FROM customers c WHERE {condition} ORDER BY {order} {direction}, c.id {direction} "
        "LIMIT ? OFFSET ?"
    )
    return conn.execute(sql, (*params, limit, offset)).fetchall()


def count_addresses(conn: Connection, *, where: str = "", where_params: Sequence[Any] = ()) -> int:
    """`where` (addresses as `a`) narrows the count, e.g. to a dashboard figure."""
    condition = f" WHERE {where}" if where else ""
    # clauses are fixed SQL from code; values are ? params
    sql = f"SELECT count(*) FROM addresses a{condition}"  # nosec B608
    return int(conn.execute(sql, list(where_params)).fetchone()[0])


def address_page(
    conn: Connection,
    *,
    offset: int,
    limit: int,
    where: str = "",
    where_params: Sequence[Any] = (),
) -> list[tuple[Any, ...]]:
    """id, chain, address, label, customer id, customer name, conflict flag; `where`
    (addresses as `a`) as in `count_addresses`."""
    condition = f"WHERE {where} " if where else ""
    return conn.execute(
        # clauses are fixed SQL from code; values are ? params
        "SELECT a.id, a.chain, a.address, a.label, a.customer_id, c.display_name, "  # nosec B608
        "EXISTS (SELECT 1 FROM addresses o WHERE o.chain = a.chain AND o.address = a.address "
        "AND o.customer_id != a.customer_id) "
        f"FROM addresses a JOIN customers c ON c.id = a.customer_id {condition}"
        "ORDER BY a.id LIMIT ? OFFSET ?",
        (*where_params, limit, offset),
    ).fetchall()


def customer_ids(conn: Connection, *, text_filter: str = "") -> list[int]:
    """Every listed customer (or those matching `text_filter`), in list order."""
    ids = search_customer_ids(conn, text_filter, limit=30_000) if text_filter else None
    return [int(row[0]) for row in customer_page(conn, offset=0, limit=-1, ids=ids)]


def addresses_for_export(conn: Connection, *, text_filter: str = "") -> list[list[Any]]:
    ids = search_customer_ids(conn, text_filter, limit=30_000) if text_filter else None
    where = "c.erased_at IS NULL"
    params: list[Any] = []
    if ids is not None:
        where += f" AND c.id IN ({','.join('?' for _ in ids)})" if ids else " AND 0"
        params = list(ids)
    return [
        list(r)
        for r in conn.execute(
            # only ? placeholders are joined in
            "SELECT c.external_id, c.display_name, a.chain, a.address, a.label FROM addresses a "
            f"JOIN customers c ON c.id = a.customer_id WHERE {where} ORDER BY a.id",  # nosec B608
            params,
        )
    ]
