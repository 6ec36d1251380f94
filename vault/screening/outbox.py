"""SQL for the outbox (table of m0003): work that waits for the network.

An item is due when `done_at IS NULL` and `next_attempt_at <= now`. Running one
takes three steps so that nothing runs twice and nothing is lost:

1. `claim` (its own short transaction): bump `attempts` and push
   `next_attempt_at` past a lease, but only if the item is still due. Whoever
   claims an item runs it; a second drain sees it as not due. If the process
   dies while the work runs, the lease runs out and the item is due again.
2. the work itself (no transaction open: it runs on the network pool);
3. `finish` or `retry_at`, in the transaction that also stores the result.
   `finish` only marks an item that is not done yet and says whether it did,
   so the caller stores the result only when it was the one that finished it.

Times are ISO-8601 UTC strings (they sort as text). Plain values in and out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vault.connection import Connection


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    kind: str
    key: str
    payload: dict[str, Any]
    attempts: int
    next_attempt_at: str
    last_error: str | None
    created_at: str
    done_at: str | None


_COLUMNS = "id, kind, key, payload, attempts, next_attempt_at, last_error, created_at, done_at"


def _item(row: tuple[Any, ...]) -> Item:
    return Item(
        id=int(row[0]),
        kind=row[1],
        key=row[2],
        payload=json.loads(row[3]),
        attempts=int(row[4]),
        next_attempt_at=row[5],
        last_error=row[6],
        created_at=row[7],
        done_at=row[8],
    )


def enqueue(
    conn: Connection,
    *,
    kind: str,
    key: str,
    payload: Mapping[str, Any],
    now: str,
    next_attempt_at: str,
    attempts: int = 0,
    last_error: str | None = None,
) -> bool:
    """Queue work under its idempotency key; True when this call queued it.

    Work already waiting under `key` stays as it is (queued once, not twice).
    Work under `key` that was done before is queued again: a new look-up of
    the same address is new work, and the row is reused, so the table holds
    one row per key. Call inside the caller's transaction.
    """
    cur = conn.execute(
        "INSERT INTO outbox (kind, key, payload, attempts, next_attempt_at, last_error, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, payload = excluded.payload, "
        "attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at, "
        "last_error = excluded.last_error, created_at = excluded.created_at, done_at = NULL "
        "WHERE outbox.done_at IS NOT NULL",
        (kind, key, json.dumps(dict(payload), sort_keys=True), attempts, next_attempt_at,
         last_error, now),
    )  # fmt: skip
    return cur.rowcount == 1


def get(conn: Connection, key: str) -> Item | None:
    # constant column names; values are ? params
    sql = f"SELECT {_COLUMNS} FROM outbox WHERE key = ?"  # nosec B608
    row = conn.execute(sql, (key,)).fetchone()
    return None if row is None else _item(row)


def due(
    conn: Connection, *, now: str, limit: int, key_prefixes: Iterable[str] | None = None
) -> list[Item]:
    """Items whose time has come, the longest waiting first (uses the outbox_due index).

    `key_prefixes` keeps to work the caller can run now (e.g. "screening:trm:" only
    when a TRM key is set), so items nobody can run do not crowd out the others.
    """
    # constant column names; values are ? params
    sql = (
        f"SELECT {_COLUMNS} FROM outbox "  # nosec B608
        "WHERE done_at IS NULL AND next_attempt_at <= ?"
    )
    params: list[Any] = [now]
    if key_prefixes is not None:
        prefixes = list(key_prefixes)
        if not prefixes:
            return []
        sql += " AND (" + " OR ".join("substr(key, 1, ?) = ?" for _ in prefixes) + ")"
        for prefix in prefixes:
            params += [len(prefix), prefix]
    sql += " ORDER BY next_attempt_at, id LIMIT ?"
    return [_item(r) for r in conn.execute(sql, (*params, limit))]


def claim(conn: Connection, item_id: int, *, now: str, lease_until: str) -> bool:
    """Take a due item for running: True if this caller got it (see the module text)."""
    cur = conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ? "
        "WHERE id = ? AND done_at IS NULL AND next_attempt_at <= ?",
        (lease_until, item_id, now),
    )
    return cur.rowcount == 1


def release(conn: Connection, item: Item, *, lease_until: str) -> bool:
    """Undo a `claim` whose work never reported (a drain stopped by a lock): due again
    as before, the attempt not counted; False if it was finished or claimed again."""
    cur = conn.execute(
        "UPDATE outbox SET attempts = attempts - 1, next_attempt_at = ? "
        "WHERE id = ? AND done_at IS NULL AND next_attempt_at = ?",
        (item.next_attempt_at, item.id, lease_until),
    )
    return cur.rowcount == 1


def finish(conn: Connection, item_id: int, *, now: str, error: str | None = None) -> bool:
    """Mark done (with `error` when given up on); False if it was done already."""
    cur = conn.execute(
        "UPDATE outbox SET done_at = ?, last_error = coalesce(?, last_error) "
        "WHERE id = ? AND done_at IS NULL",
        (now, error, item_id),
    )
    return cur.rowcount == 1


def retry_at(conn: Connection, item_id: int, *, when: str, error: str) -> bool:
    """Run again at `when` (backoff), remembering why it failed."""
    cur = conn.execute(
        "UPDATE outbox SET next_attempt_at = ?, last_error = ? WHERE id = ? AND done_at IS NULL",
        (when, error, item_id),
    )
    return cur.rowcount == 1


def make_due(conn: Connection, *, kind: str, key_prefix: str, now: str) -> int:
    """Let waiting items whose key starts with `key_prefix` run now (a new API key was
    entered, the user pressed "retry"); returns how many."""
    cur = conn.execute(
        "UPDATE outbox SET next_attempt_at = ? WHERE done_at IS NULL AND kind = ? "
        "AND substr(key, 1, ?) = ? AND next_attempt_at > ?",
        (now, kind, len(key_prefix), key_prefix, now),
    )
    return int(cur.rowcount)


def waiting(conn: Connection, *, kinds: Iterable[str] | None = None) -> int:
    """How many items are not done, due or not (the count the window shows)."""
    sql = "SELECT count(*) FROM outbox WHERE done_at IS NULL"
    params: list[str] = []
    if kinds is not None:
        params = list(kinds)
        sql += f" AND kind IN ({', '.join('?' * len(params))})"
    return int(conn.execute(sql, params).fetchone()[0])


def waiting_by(conn: Connection, *, kind: str, field: str) -> dict[str, int]:
    """Items not done, counted by one payload field (e.g. provider)."""
    rows = conn.execute(
        "SELECT json_extract(payload, ?), count(*) FROM outbox WHERE done_at IS NULL "
        "AND kind = ? GROUP BY 1 ORDER BY 1",
        (f"$.{field}", kind),
    )
    return {str(value): int(n) for value, n in rows}


def pending(conn: Connection, *, kind: str | None = None, limit: int = 1000) -> list[Item]:
    """Items not done yet, soonest first: the visible queue."""
    # constant column names; values are ? params
    sql = f"SELECT {_COLUMNS} FROM outbox WHERE done_at IS NULL"  # nosec B608
    params: list[Any] = []
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    sql += " ORDER BY next_attempt_at, id LIMIT ?"
    return [_item(r) for r in conn.execute(sql, (*params, limit))]
