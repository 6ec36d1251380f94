"""Wallet addresses linked to customers, and the conflicts between customers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from vault.connection import Connection
from vault.dashboards.levels import refresh_links_sql

#: the trigger that keeps a new link's risk level (migration 0014)
LINK_TRIGGER = "screening_newest_on_link"
#: from this many rows on, `insert_new` works the kept levels out once for all of them
#: rather than through the trigger row by row (the DROP and CREATE cost about as much
#: as a few hundred rows through the trigger, and readers re-read the schema)
BULK_LINKS = 1_000


def link(
    conn: Connection, customer_id: int, chain: str, address: str
) -> tuple[int, str | None, str | None]:
    """The existing link's (row id, label, evidence)."""
    row = conn.execute(
        "SELECT id, label, evidence FROM addresses WHERE chain = ? AND address = ? "
        "AND customer_id = ?",
        (chain, address, customer_id),
    ).fetchone()
    return int(row[0]), row[1], row[2]


def insert(
    conn: Connection,
    *,
    customer_id: int,
    chain: str,
    address: str,
    label: str | None,
    evidence: str | None,
    now: str,
) -> int | None:
    """The new row's id, or None when this customer already holds this address."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO addresses (customer_id, chain, address, address_key, label, "
        "evidence, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (customer_id, chain, address, address.lower(), label, evidence, now),
    )
    return cur.lastrowid if cur.rowcount else None


def insert_new(
    conn: Connection,
    rows: Sequence[tuple[int, str, str, str | None, str | None]],
    *,
    now: str,
    order: Sequence[int] | None = None,
) -> set[tuple[int, str, str]] | None:
    """Links (customer_id, chain, address, label, evidence) with one executemany,
    skipping those that exist (or repeat an earlier row): None when every row was
    added (an import's usual batch, which then needs nothing read back), else the
    (customer_id, chain, address) of the ones added. Row ids only grow, so those are
    the rows from the first free id on. `order`: the rows' positions in (chain,
    address) order when the caller knows them (a stable sort: equal rows in their
    order)."""
    first = next_row(conn)
    # In (chain, address) order, as the unique index is: each index page is then
    # filled once rather than split at random (a quarter less work). Stable, so of
    # two equal rows the first in the file is the one added.
    if order is None:
        order = sorted(range(len(rows)), key=lambda n: (rows[n][1], rows[n][2]))
    params = [(*rows[n], now) for n in order]
    with _link_trigger_held(conn, first) if len(rows) >= BULK_LINKS else nullcontext():
        added = conn.executemany(
            "INSERT OR IGNORE INTO addresses (customer_id, chain, address, address_key, "
            "label, evidence, created_at) VALUES (?1, ?2, ?3, lower(?3), ?4, ?5, ?6)",
            params,
        ).rowcount
    # (rowcount counts the rows this statement inserted, none a trigger wrote)
    if added == len(rows):
        return None
    found = conn.execute(
        "SELECT customer_id, chain, address FROM addresses WHERE id >= ?", (first,)
    )
    return set(found)


@contextmanager
def _link_trigger_held(conn: Connection, first: int) -> Iterator[None]:
    """Links inserted inside this block skip the per-row link trigger (migration 0014),
    and then get what it would have written, with one UPDATE for all of them.

    A row trigger costs SQLite a sub-program per row whatever its WHEN clause says: a
    sixth of a 100k import, for rows that are almost never answered already. The
    trigger is dropped and created again from its own stored text in the caller's
    transaction, so no other writer (there is one writing connection) and no reader
    ever sees the schema without it, and a failure rolls both back. Only new links
    of addresses with an answer (the trigger's condition for rows inserted with the
    kept columns at their defaults) are worked out."""
    found = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (LINK_TRIGGER,)
    ).fetchone()
    if found is not None:
        conn.execute(f"DROP TRIGGER {LINK_TRIGGER}")
    yield
    conn.execute(
        refresh_links_sql(
            "id >= ? AND EXISTS (SELECT 1 FROM screening_newest n "
            "WHERE n.chain = addresses.chain AND n.address = addresses.address)"
        ),
        (first,),
    )
    if found is not None:
        conn.execute(str(found[0]))


def shared_since(conn: Connection, since_row: int) -> list[tuple[str, str, int, int]]:
    """(chain, address, customer, other customer) for links from `since_row` on that
    another customer holds too. Row ids only grow, so this is "the links just added"."""
    return conn.execute(
        "SELECT a.chain, a.address, a.customer_id, o.customer_id FROM addresses a "
        "JOIN addresses o ON o.chain = a.chain AND o.address = a.address "
        "AND o.customer_id != a.customer_id WHERE a.id >= ?",
        (since_row,),
    ).fetchall()


def shared_by(conn: Connection, customer_id: int) -> list[tuple[str, str, int, int]]:
    """(chain, address, customer, other customer) for this customer's shared addresses."""
    return conn.execute(
        "SELECT a.chain, a.address, a.customer_id, o.customer_id FROM addresses a "
        "JOIN addresses o ON o.chain = a.chain AND o.address = a.address "
        "AND o.customer_id != a.customer_id WHERE a.customer_id = ?",
        (customer_id,),
    ).fetchall()


def next_row(conn: Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM addresses").fetchone()[0])


def update_label(
    conn: Connection, address_id: int, *, label: str | None, evidence: str | None
) -> None:
    conn.execute(
        "UPDATE addresses SET label = ?, evidence = ? WHERE id = ?", (label, evidence, address_id)
    )


def record_conflict(
    conn: Connection, *, chain: str, address: str, first: int, second: int, now: str
) -> int | None:
    """Insert an open conflict between two customers; None if it was already recorded."""
    a, b = sorted((first, second))
    cur = conn.execute(
        "INSERT OR IGNORE INTO conflicts (chain, address, customer_a, customer_b, detected_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (chain, address, a, b, now),
    )
    return cur.lastrowid if cur.rowcount else None


def scan_conflicts(conn: Connection) -> list[tuple[str, str, list[int]]]:
    """Every address held by more than one customer, from the addresses themselves."""
    # One ordered pass over the (chain, address, customer_id) unique index; it is unique,
    # so count(*) counts distinct customers (count(DISTINCT ...) costs a third more).
    rows = conn.execute(
        "SELECT chain, address, group_concat(customer_id) FROM addresses "
        "GROUP BY chain, address HAVING count(*) > 1"
    )
    return [(chain, address, [int(x) for x in ids.split(",")]) for chain, address, ids in rows]


def resolve_conflict(conn: Connection, conflict_id: int, *, resolution: str, now: str) -> bool:
    cur = conn.execute(
        "UPDATE conflicts SET resolved_at = ?, resolution = ? WHERE id = ? AND resolved_at IS NULL",
        (now, resolution, conflict_id),
    )
    return cur.rowcount == 1


def open_conflicts(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT k.id, k.chain, k.address, k.customer_a, a.display_name, k.customer_b, "
        "b.display_name, k.detected_at FROM conflicts k "
        "JOIN customers a ON a.id = k.customer_a JOIN customers b ON b.id = k.customer_b "
        "WHERE k.resolved_at IS NULL ORDER BY k.id"
    )
    keys = ("id", "chain", "address", "customer_a", "name_a", "customer_b", "name_b", "detected_at")
    return [dict(zip(keys, r, strict=True)) for r in rows]
