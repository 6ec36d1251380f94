"""Customers, their tags and contacts, and their rows in the search index."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from vault.connection import Connection

COLUMNS = (
    "external_id",
    "kind",
    "legal_name",
    "display_name",
    "country",
    "owner",
    "kyc_status",
    "risk_rating",
    "risk_reason",
)


def by_external_id(conn: Connection, external_id: str) -> int | None:
    row = conn.execute("SELECT id FROM customers WHERE external_id = ?", (external_id,)).fetchone()
    return None if row is None else int(row[0])


def insert(
    conn: Connection, values: Mapping[str, Any], *, now: str, uid: str | None = None
) -> tuple[int, str]:
    """`uid`: the customer's id on every device (a new one unless another device made it)."""
    uid = uid or str(uuid.uuid4())
    cur = conn.execute(
        # constant column names; values are ? params
        f"INSERT INTO customers (uid, {', '.join(COLUMNS)}, created_at, updated_at) "  # nosec B608
        f"VALUES (?, {', '.join('?' for _ in COLUMNS)}, ?, ?)",
        (uid, *(values.get(c) for c in COLUMNS), now, now),
    )
    customer_id = int(cur.lastrowid or 0)
    # A new customer has no tags or contacts to replace: only inserts (bulk imports, sync).
    if values.get("tags"):
        conn.executemany(
            "INSERT OR IGNORE INTO customer_tags (customer_id, tag) VALUES (?, ?)",
            [(customer_id, t) for t in values["tags"]],
        )
    for kind, name in (("email", "emails"), ("phone", "phones")):
        if values.get(name):
            conn.executemany(
                "INSERT OR IGNORE INTO contacts (customer_id, kind, value) VALUES (?, ?, ?)",
                [(customer_id, kind, v) for v in values[name]],
            )
    return customer_id, uid


def record(conn: Connection, customer_id: int) -> dict[str, Any] | None:
    """The stored values in the shape of `CustomerDraft.record()`, for comparison and diffs."""
    row = conn.execute(
        # constant column names; values are ? params
        f"SELECT {', '.join(COLUMNS)} FROM customers WHERE id = ?",  # nosec B608
        (customer_id,),
    ).fetchone()
    if row is None:
        return None
    values: dict[str, Any] = dict(zip(COLUMNS, row, strict=True))
    values["emails"] = contacts(conn, customer_id, "email")
    values["phones"] = contacts(conn, customer_id, "phone")
    values["tags"] = [
        r[0]
        for r in conn.execute(
            "SELECT tag FROM customer_tags WHERE customer_id = ? ORDER BY tag", (customer_id,)
        )
    ]
    return values


def contacts(conn: Connection, customer_id: int, kind: str) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT value FROM contacts WHERE customer_id = ? AND kind = ? ORDER BY id",
            (customer_id, kind),
        )
    ]


def update(conn: Connection, customer_id: int, changes: Mapping[str, Any], *, now: str) -> None:
    plain = {k: v for k, v in changes.items() if k in COLUMNS}
    if plain:
        assignments = ", ".join(f"{k} = ?" for k in plain)
        conn.execute(
            # keys are checked against COLUMNS
            f"UPDATE customers SET {assignments}, updated_at = ? WHERE id = ?",  # nosec B608
            (*plain.values(), now, customer_id),
        )
    else:
        conn.execute("UPDATE customers SET updated_at = ? WHERE id = ?", (now, customer_id))
    if "tags" in changes:
        set_tags(conn, customer_id, changes["tags"])
    if "emails" in changes:
        set_contacts(conn, customer_id, "email", changes["emails"])
    if "phones" in changes:
        set_contacts(conn, customer_id, "phone", changes["phones"])


def set_tags(conn: Connection, customer_id: int, tags: Iterable[str]) -> None:
    conn.execute("DELETE FROM customer_tags WHERE customer_id = ?", (customer_id,))
    conn.executemany(
        "INSERT OR IGNORE INTO customer_tags (customer_id, tag) VALUES (?, ?)",
        [(customer_id, t) for t in tags],
    )


def set_contacts(conn: Connection, customer_id: int, kind: str, values: Sequence[str]) -> None:
    conn.execute("DELETE FROM contacts WHERE customer_id = ? AND kind = ?", (customer_id, kind))
    conn.executemany(
        "INSERT OR IGNORE INTO contacts (customer_id, kind, value) VALUES (?, ?, ?)",
        [(customer_id, kind, v) for v in values],
    )


# Each customer's index rows live in its own rowid range, so removing them is a rowid
# range delete: a WHERE on the (unindexed) customer_id column would scan the whole
# index for every customer, which made big imports quadratic.
_ROWS_PER_CUSTOMER = 1 << 20


def search_rowids(customer_id: int) -> tuple[int, int]:
    first = customer_id * _ROWS_PER_CUSTOMER
    return first, first + _ROWS_PER_CUSTOMER - 1


def unindex(conn: Connection, customer_id: int) -> None:
    conn.execute("DELETE FROM search WHERE rowid BETWEEN ? AND ?", search_rowids(customer_id))


def reindex(
    conn: Connection,
    customer_id: int,
    *,
    new: bool = False,
    values: Mapping[str, Any] | None = None,
) -> None:
    """Rewrite this customer's rows in the search index from the records. `new` with
    `values` (what was just inserted): a customer with no rows of its own yet."""
    if not new:
        unindex(conn, customer_id)
    if new and values is not None:
        _index(conn, customer_id, _base_rows(customer_id, values))
        return
    values = record(conn, customer_id)
    if values is None:
        return
    rows = _base_rows(customer_id, values)
    rows += [
        ("custom", customer_id, field_id, value)
        for field_id, value in conn.execute(
            "SELECT field_id, value FROM custom_values WHERE customer_id = ?", (customer_id,)
        )
    ]
    rows += [
        ("note", customer_id, note_id, body)
        for note_id, body in conn.execute(
            "SELECT id, body FROM notes WHERE customer_id = ?", (customer_id,)
        )
    ]
    _index(conn, customer_id, rows)


def indexable(conn: Connection, customer_ids: Sequence[int]) -> list[int]:
    """Of `customer_ids`, those with rows in the search index (neither erased nor
    merged into another), in order."""
    if not customer_ids:
        return []
    rows = conn.execute(
        "SELECT id FROM customers WHERE erased_at IS NULL AND merged_into IS NULL "
        "AND id IN (SELECT value FROM json_each(?)) ORDER BY id",
        (json.dumps(list(customer_ids)),),
    )
    return [int(r[0]) for r in rows]


def _base_rows(customer_id: int, values: Mapping[str, Any]) -> list[tuple[str, int, int, str]]:
    """The index rows of a customer's own record: names and id, contacts, tags."""
    rows: list[tuple[str, int, int, str]] = []
    names = {values.get("display_name"), values.get("legal_name")}
    text = " ".join(n for n in names if n)
    if values.get("external_id"):
        text += f" {values['external_id']}"
    rows.append(("customer", customer_id, customer_id, text))
    rows += [("email", customer_id, customer_id, e) for e in values.get("emails") or ()]
    rows += [("phone", customer_id, customer_id, p) for p in values.get("phones") or ()]
    rows += [("tag", customer_id, customer_id, t) for t in values.get("tags") or ()]
    return rows


def _index(conn: Connection, customer_id: int, rows: list[tuple[str, int, int, str]]) -> None:
    first, last = search_rowids(customer_id)
    conn.executemany(
        "INSERT INTO search (rowid, kind, customer_id, ref, text) VALUES (?, ?, ?, ?, ?)",
        [(first + i, *row) for i, row in enumerate(rows[: last - first + 1])],
    )


#: what an erased customer's record keeps (AML record-keeping), besides its dates
KEPT_ON_ERASURE = frozenset({"kind", "country", "kyc_status", "risk_rating"})

#: rows that belong to one customer and go with an erasure or a merge
OWNED = ("contacts", "customer_tags", "notes", "tasks", "custom_values")


def erase(conn: Connection, customer_id: int, *, placeholder: str, now: str) -> None:
    """The tombstone of an erased customer: personal values gone from its rows and the
    index (the key that opens them in the history is the caller's to destroy)."""
    # Documents go too (their chunks by cascade); they never move with `fold`, which
    # seals them again under the kept customer's key instead.
    for table in (*OWNED, "documents"):
        # table/column names are constants
        conn.execute(f"DELETE FROM {table} WHERE customer_id = ?", (customer_id,))  # nosec B608
    conn.execute(
        "UPDATE addresses SET label = NULL, evidence = NULL WHERE customer_id = ?", (customer_id,)
    )
    conn.execute(
        "UPDATE customers SET legal_name = ?, display_name = ?, external_id = NULL, "
        "owner = NULL, risk_reason = NULL, erased_at = ?, updated_at = ? WHERE id = ?",
        (placeholder, placeholder, now, now, customer_id),
    )
    unindex(conn, customer_id)


def fold(conn: Connection, *, keep: int, other: int, now: str) -> dict[str, int]:
    """Merge customer `other` into `keep`: its rows move (those `keep` holds already go),
    its open conflicts close, it stays as a pointer. Returns the rows moved per table."""
    moved = {}
    for table in (*OWNED, "addresses"):
        cur = conn.execute(
            # table/column names are constants
            f"UPDATE OR IGNORE {table} SET customer_id = ? WHERE customer_id = ?",  # nosec B608
            (keep, other),
        )
        moved[table] = cur.rowcount
        # table/column names are constants
        conn.execute(f"DELETE FROM {table} WHERE customer_id = ?", (other,))  # nosec B608
    conn.execute(
        "UPDATE conflicts SET resolved_at = ?, resolution = ? WHERE resolved_at IS NULL "
        "AND (customer_a = ? OR customer_b = ?)",
        (now, f"customer #{other} merged into #{keep}", other, other),
    )
    conn.execute(
        "UPDATE customers SET merged_into = ?, updated_at = ? WHERE id = ?", (keep, now, other)
    )
    unindex(conn, other)
    reindex(conn, keep)
    return moved
