"""Events as segments carry them, and foreign events taken into the log.

A segment's body is a list of event rows exactly as the `events` table holds
them (bytes as base64 or hex), so the receiver stores the very rows the
writer hashed and `strongroom verify` checks them like its own:

    {"id", "device", "seq", "lamport", "type", "payload" (base64), "author",
     "created_at", "signature" (base64 or null), "prev_hash" (hex), "hash" (hex)}

`take_foreign` inserts one segment's events inside the caller's transaction,
and only if they continue the device's chain as this vault holds it: each
event names the expected device, the next number, the hash of the one before,
and hashes to what it says. An event held already (the same id and hash at
the same place) is skipped, so a segment taken twice adds nothing. Any other
mismatch raises `ForeignEventsError` and the caller rolls the whole segment back.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from vault import bounded_json
from vault.connection import Connection

# The log's own column list, insert and row reader: a received row is stored as
# `EventLog` stores its own.
from vault.events import _COLUMNS, _INSERT, GENESIS, Event, _row_to_event, event_hash


class ForeignEventsError(ValueError):
    """A segment's events do not continue their device's chain; the message says how."""


class Taken(NamedTuple):
    event_id: str
    type: str
    lamport: int
    seq: int


def own_events(conn: Connection, *, device: str, after: int, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` events of `device` after number `after`, as segment rows."""
    rows = conn.execute(
        # constant column names; values are ? params
        f"SELECT {_COLUMNS} FROM events WHERE device = ? AND seq > ? "  # nosec B608
        "ORDER BY seq LIMIT ?",
        (device, after, limit),
    )
    return [_to_row(r) for r in rows]


def type_counts(conn: Connection, *, device: str, after: int) -> dict[str, int]:
    """How many events of each type `device` wrote after number `after`."""
    rows = conn.execute(
        "SELECT type, count(*) FROM events WHERE device = ? AND seq > ? GROUP BY type",
        (device, after),
    )
    return {str(t): int(n) for t, n in rows}


def _to_row(r: Sequence[Any]) -> dict[str, Any]:
    return {
        "id": r[0],
        "device": r[1],
        "seq": r[2],
        "lamport": r[3],
        "type": r[4],
        "payload": base64.b64encode(bytes(r[5])).decode("ascii"),
        "author": r[6],
        "created_at": r[7],
        "signature": None if r[8] is None else base64.b64encode(bytes(r[8])).decode("ascii"),
        "prev_hash": bytes(r[9]).hex(),
        "hash": bytes(r[10]).hex(),
    }


def _from_row(row: Mapping[str, Any], n: int) -> tuple[Any, ...]:
    """A segment row as the events table's column values (`_COLUMNS`), type-checked."""
    try:
        event_id, device, type_, author, created_at = (
            row["id"],
            row["device"],
            row["type"],
            row["author"],
            row["created_at"],
        )
        seq, lamport, signature = row["seq"], row["lamport"], row["signature"]
        if (
            type(event_id) is not str
            or type(device) is not str
            or type(type_) is not str
            or type(author) is not str
            or type(created_at) is not str
            or type(seq) is not int
            or type(lamport) is not int
        ):
            raise TypeError
        return (
            event_id,
            device,
            seq,
            lamport,
            type_,
            base64.b64decode(row["payload"], validate=True),
            author,
            created_at,
            None if signature is None else base64.b64decode(signature, validate=True),
            bytes.fromhex(row["prev_hash"]),
            bytes.fromhex(row["hash"]),
        )
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise ForeignEventsError(f"event {n + 1} of the segment is not a whole event") from None


def _subject(payload: bytes) -> Any:
    """What `EventLog` files an event under: its payload's customer, if any."""
    try:
        value = json.loads(payload.decode())
    except ValueError:  # UnicodeDecodeError too
        return None
    return value.get("customer") if isinstance(value, dict) else None


def take_foreign(
    conn: Connection,
    rows: Sequence[Mapping[str, Any]],
    *,
    log_device: str,
    segment: str,
    now: str,
    projection: Callable[[str], str],
) -> list[Taken]:
    """Insert the events of one verified segment of `log_device`'s device; returns those
    newly added (receipts recorded, `projection(type)` naming each one's state)."""
    head = conn.execute(
        "SELECT last_seq, last_hash FROM devices WHERE device = ?", (log_device,)
    ).fetchone()
    seq, prev = (int(head[0]), bytes(head[1])) if head else (0, GENESIS)
    added: list[Taken] = []
    inserts: list[tuple[Any, ...]] = []
    lamport = 0
    for n, raw in enumerate(rows):
        values = _from_row(raw, n)
        e = Event(*values)
        # Every reader of a payload parses it later (json.loads, which the eth libraries'
        # recursion limit lets overflow the C stack): refuse deep nesting at the door.
        if bounded_json.depth(e.payload) > bounded_json.MAX_DEPTH:
            raise ForeignEventsError(f"event {e.seq} nests deeper than any event does")
        if e.device != log_device:
            raise ForeignEventsError(
                f"event {e.seq} belongs to another device's log than the one announced"
            )
        digest = event_hash(
            prev_hash=e.prev_hash,
            event_id=e.id,
            device=e.device,
            seq=e.seq,
            lamport=e.lamport,
            type_=e.type,
            payload=e.payload,
            author=e.author,
            created_at=e.created_at,
        )
        if digest != e.hash:
            raise ForeignEventsError(f"event {e.seq} does not hash to what it says")
        if e.seq <= seq:
            held = conn.execute(
                "SELECT id, hash FROM events WHERE device = ? AND seq = ?", (e.device, e.seq)
            ).fetchone()
            if held is None or (held[0], bytes(held[1])) != (e.id, e.hash):
                raise ForeignEventsError(f"event {e.seq} differs from the one already held")
            continue
        if e.seq != seq + 1:
            raise ForeignEventsError(f"events {seq + 1} to {e.seq - 1} of the device are missing")
        if e.prev_hash != prev:
            raise ForeignEventsError(f"event {e.seq} does not link to the event before it")
        inserts.append((*values, _subject(e.payload)))
        added.append(Taken(e.id, e.type, e.lamport, e.seq))
        seq, prev, lamport = e.seq, e.hash, max(lamport, e.lamport)
    taken_ids = _held_ids(conn, [t.event_id for t in added])
    if taken_ids:
        raise ForeignEventsError(f"event id {sorted(taken_ids)[0]} is another event's")
    conn.executemany(_INSERT, inserts)
    conn.executemany(
        "INSERT INTO event_receipts (event_id, received_at, segment, projection) "
        "VALUES (?, ?, ?, ?)",
        [(t.event_id, now, segment, projection(t.type)) for t in added],
    )
    if added:
        conn.execute(
            "INSERT INTO devices (device, last_seq, last_hash) VALUES (?, ?, ?) "
            "ON CONFLICT (device) DO UPDATE SET last_seq = excluded.last_seq, "
            "last_hash = excluded.last_hash",
            (log_device, seq, prev),
        )
        # Own events written after these order after them (DESIGN: lamport order).
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('lamport', ?) ON CONFLICT (key) DO UPDATE "
            "SET value = CAST(max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) "
            "AS TEXT)",
            (str(lamport),),
        )
    return added


def _held_ids(conn: Connection, ids: Sequence[str]) -> set[str]:
    """Which of `ids` the events table holds already."""
    found: set[str] = set()
    for at in range(0, len(ids), 500):
        part = ids[at : at + 500]
        marks = ",".join("?" * len(part))
        # only ? placeholders are joined in
        rows = conn.execute(f"SELECT id FROM events WHERE id IN ({marks})", part)  # nosec B608
        found.update(str(r[0]) for r in rows)
    return found


def waiting(conn: Connection, types: Sequence[str]) -> list[Event]:
    """Received events of `types` waiting for a projection, in merge order
    (lamport, device, seq)."""
    columns = ", ".join(f"e.{c.strip()}" for c in _COLUMNS.split(","))
    marks = ",".join("?" * len(types)) or "NULL"
    rows = conn.execute(
        # only ? placeholders are joined in
        f"SELECT {columns} FROM event_receipts r JOIN events e ON e.id = r.event_id "  # nosec B608
        f"WHERE r.projection = 'waiting' AND e.type IN ({marks}) "
        "ORDER BY e.lamport, e.device, e.seq",
        tuple(types),
    )
    return [_row_to_event(r) for r in rows]


def waiting_customers(conn: Connection) -> tuple[set[str], dict[str, tuple[int, bool]]]:
    """The subjects (customer uids) of the received events waiting for a projection,
    and of those, the customers this vault holds: uid -> (id, erased)."""
    subjects = {
        str(r[0])
        for r in conn.execute(
            "SELECT DISTINCT e.subject FROM event_receipts r JOIN events e ON e.id = r.event_id "
            "WHERE r.projection = 'waiting' AND e.subject IS NOT NULL"
        )
    }
    held = {
        str(uid): (int(i), bool(erased))
        for uid, i, erased in conn.execute(
            "SELECT uid, id, erased_at IS NOT NULL FROM customers WHERE uid IN "
            "(SELECT value FROM json_each(?))",
            (json.dumps(sorted(subjects)),),
        )
    }
    return subjects, held


def count_waiting(conn: Connection) -> int:
    row = conn.execute(
        "SELECT count(*) FROM event_receipts WHERE projection = 'waiting'"
    ).fetchone()
    return int(row[0])


def set_applied(conn: Connection, event_ids: Sequence[str]) -> None:
    conn.executemany(
        "UPDATE event_receipts SET projection = 'applied' WHERE event_id = ?",
        [(i,) for i in event_ids],
    )


def newest_counting(
    conn: Connection, *, skip_prefix: str, skip_types: Sequence[str]
) -> list[tuple[str, int, bytes]]:
    """Per device of the log, its newest event whose type neither starts with
    `skip_prefix` nor is in `skip_types`: (device, seq, hash), by device. Read
    backwards along the (device, seq) index, so it costs a few rows per device."""
    marks = ",".join("?" * len(skip_types)) or "NULL"
    found: list[tuple[str, int, bytes]] = []
    for (device,) in conn.execute("SELECT device FROM devices ORDER BY device").fetchall():
        row = conn.execute(
            # only ? placeholders are joined in
            "SELECT seq, hash FROM events WHERE device = ? AND substr(type, 1, ?) != ? "
            f"AND type NOT IN ({marks}) ORDER BY seq DESC LIMIT 1",  # nosec B608
            (device, len(skip_prefix), skip_prefix, *skip_types),
        ).fetchone()
        if row is not None:
            found.append((str(device), int(row[0]), bytes(row[1])))
    return found
