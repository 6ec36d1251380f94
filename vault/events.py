"""The hash-chained event log (DESIGN.md, "The event log").

Each event carries the hash of the one before it on the same device, so an
edited, inserted or deleted row breaks the chain at a place `verify` can
name. The `devices` table keeps each chain's head, so removing the newest
events is caught as well.

An event's hash covers every field but the signature, which signs the hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from vault.connection import Connection

GENESIS = bytes(32)

_COLUMNS = "id, device, seq, lamport, type, payload, author, created_at, signature, prev_hash, hash"
# constant column names; values are ? params
_INSERT = f"INSERT INTO events ({_COLUMNS}, subject) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"  # nosec B608
_ABOUT = "INSERT OR IGNORE INTO event_customers (customer_id, event) VALUES (?, ?)"


@dataclass(frozen=True)
class Event:
    id: str
    device: str
    seq: int
    lamport: int
    type: str
    payload: bytes
    #: the OS user who recorded the event on `device`. A desk member who made an
    #: approvals fact (whose key signed it) is named in the payload's `by` instead:
    #: members may share a machine, and with sync a fact is made on another device.
    author: str
    created_at: str
    signature: bytes | None
    prev_hash: bytes
    hash: bytes

    def payload_json(self) -> Any:
        # Payloads are UTF-8 (`canonical_payload`): decoding first skips json's
        # encoding detection, a fifth of the parse for the small payloads sync replays.
        return json.loads(self.payload.decode())


# One encoder for every payload: json.dumps with options builds a new one per call.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_payload(payload: Mapping[str, Any]) -> bytes:
    return _ENCODER.encode(payload).encode()


def event_hash(
    *,
    prev_hash: bytes,
    event_id: str,
    device: str,
    seq: int,
    lamport: int,
    type_: str,
    payload: bytes,
    author: str,
    created_at: str,
) -> bytes:
    """SHA-256 over length-prefixed fields: no two field lists hash alike.

    Built as one byte string and hashed in one call: verify runs this a
    million times, and one call is several times faster than a dozen updates.
    """
    eid, dev, typ, who, when = (
        event_id.encode(),
        device.encode(),
        type_.encode(),
        author.encode(),
        created_at.encode(),
    )
    return _sha256(
        b"".join(
            (
                _DOMAIN,
                prev_hash,
                _pack_len(len(eid)),
                eid,
                _pack_len(len(dev)),
                dev,
                _pack_seq(seq, lamport),
                _pack_len(len(typ)),
                typ,
                _pack_len(len(payload)),
                payload,
                _pack_len(len(who)),
                who,
                _pack_len(len(when)),
                when,
            )
        )
    ).digest()


_DOMAIN = b"strongroom-event-v1"
_sha256 = hashlib.sha256
_pack_len = struct.Struct(">I").pack
_pack_seq = struct.Struct(">qq").pack


def time_ordered_id(noise: bytes | None = None) -> str:
    """A UUIDv7-style id (48-bit milliseconds, then random): unique like uuid4, but new
    ids sort last, so the unique index on event ids grows at its end instead of
    splitting random pages (which made bulk imports several times slower).

    `noise`: 10 random bytes, for callers that draw them for many ids at once."""
    random = int.from_bytes(noise if noise is not None else os.urandom(10), "big")
    value = (time.time_ns() // 1_000_000) << 80 | random
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class EventLog:
    """Appends events for one device through the vault's writing connection.

    Not thread-safe: it belongs to the database worker that owns `conn`.
    The chain head is cached between appends and written by `flush()` just
    before COMMIT; `forget_cache()` must be called when a transaction rolls back.
    """

    def __init__(self, conn: Connection, *, device: str, author: str) -> None:
        self._conn = conn
        self.device = device
        self.author = author
        self._head: tuple[int, bytes] | None = None
        self._lamport: int | None = None
        self._dirty = False
        self._buffer: list[tuple[Any, ...]] | None = None
        self._stamp_ms = -1
        self._stamp = ""

    def _timestamp(self) -> str:
        """The ISO time to the millisecond, formatted once per millisecond (a bulk
        import appends many events within one)."""
        now_ms = time.time_ns() // 1_000_000
        if now_ms != self._stamp_ms:
            self._stamp_ms = now_ms
            self._stamp = datetime.fromtimestamp(now_ms / 1000, UTC).isoformat(
                timespec="milliseconds"
            )
        return self._stamp

    def forget_cache(self) -> None:
        """After a rollback (of a transaction or a savepoint): re-read the head."""
        self._head = None
        self._lamport = None
        self._buffer = None

    def start_buffer(self) -> None:
        """Collect rows and write them with one executemany (bulk imports).

        Only while nothing in the transaction reads the events table; the
        buffer is written by `write_buffer()`, at the latest by `flush()`.
        """
        self.write_buffer()
        self._buffer = []

    def write_buffer(self) -> None:
        rows, self._buffer = self._buffer, None
        if rows:
            self._conn.executemany(_INSERT, rows)

    def _load(self) -> tuple[tuple[int, bytes], int]:
        if self._head is None or self._lamport is None:
            # The newest own event, not the devices row: that row is written only at
            # COMMIT, while a savepoint rollback may drop events of this transaction.
            row = self._conn.execute(
                "SELECT seq, hash, lamport FROM events WHERE device = ? ORDER BY seq DESC LIMIT 1",
                (self.device,),
            ).fetchone()
            self._head = (int(row[0]), bytes(row[1])) if row else (0, GENESIS)
            own = int(row[2]) if row else 0
            meta = self._conn.execute("SELECT value FROM meta WHERE key = 'lamport'").fetchone()
            self._lamport = max(own, int(meta[0]) if meta else 0)
            self._dirty = True
        return self._head, self._lamport

    def append(
        self,
        type_: str,
        payload: Mapping[str, Any],
        *,
        author: str | None = None,
        about: Collection[int] = (),
    ) -> Event:
        """Append one event; the caller's open transaction makes it atomic with the change.

        `about`: the customers (ids) a batch event concerns, for their histories; an
        event about one customer names it as its payload's "customer" instead."""
        if not self._conn.in_transaction:
            raise RuntimeError("events are appended inside the transaction of their change")
        (last_seq, last_hash), lamport = self._load()
        event_id = time_ordered_id()
        seq, clock = last_seq + 1, lamport + 1
        body = canonical_payload(payload)
        who = author or self.author
        created_at = self._timestamp()
        digest = event_hash(
            prev_hash=last_hash,
            event_id=event_id,
            device=self.device,
            seq=seq,
            lamport=clock,
            type_=type_,
            payload=body,
            author=who,
            created_at=created_at,
        )
        row = (event_id, self.device, seq, clock, type_, body, who, created_at, None, last_hash)
        subject = payload.get("customer")
        if about:
            # The side index needs this event's rowid: write it (after any buffered
            # ones, so that rowids keep the order of the chain) rather than buffer it.
            if self._buffer:
                self._conn.executemany(_INSERT, self._buffer)
                self._buffer.clear()
            rowid = self._conn.execute(_INSERT, (*row, digest, subject)).lastrowid
            self._conn.executemany(_ABOUT, [(customer, rowid) for customer in about])
        elif self._buffer is not None:
            self._buffer.append((*row, digest, subject))
        else:
            self._conn.execute(_INSERT, (*row, digest, subject))
        self._head = (seq, digest)
        self._lamport = clock
        self._dirty = True
        return Event(*row, digest)

    def extend(self, type_: str, payloads: list[Mapping[str, Any]]) -> None:
        """Append one `type_` event per payload: what `append` does, minus a hundred
        thousand method calls and Event objects on a bulk import."""
        if not payloads:
            return
        if not self._conn.in_transaction:
            raise RuntimeError("events are appended inside the transaction of their change")
        (seq, prev), clock = self._load()
        device, who, typ = self.device, self.author, type_.encode()
        dev, author = device.encode(), who.encode()
        fixed_dev = _pack_len(len(dev)) + dev
        fixed_typ = _pack_len(len(typ)) + typ
        fixed_who = _pack_len(len(author)) + author
        encode, pack_len, pack_seq, sha256 = _ENCODER.encode, _pack_len, _pack_seq, _sha256
        rows: list[tuple[Any, ...]] = []
        noise = os.urandom(10 * len(payloads))
        for n, payload in enumerate(payloads):
            seq += 1
            clock += 1
            event_id = time_ordered_id(noise[10 * n : 10 * n + 10])
            body = encode(payload).encode()
            created_at = self._timestamp()
            eid, when = event_id.encode(), created_at.encode()
            digest = sha256(
                b"".join(
                    (
                        _DOMAIN,
                        prev,
                        pack_len(len(eid)),
                        eid,
                        fixed_dev,
                        pack_seq(seq, clock),
                        fixed_typ,
                        pack_len(len(body)),
                        body,
                        fixed_who,
                        pack_len(len(when)),
                        when,
                    )
                )
            ).digest()
            rows.append(
                (
                    event_id,
                    device,
                    seq,
                    clock,
                    type_,
                    body,
                    who,
                    created_at,
                    None,
                    prev,
                    digest,
                    payload.get("customer"),
                )
            )
            prev = digest
        if self._buffer is not None:
            self._buffer.extend(rows)
        else:
            self._conn.executemany(_INSERT, rows)
        self._head = (seq, prev)
        self._lamport = clock
        self._dirty = True

    def flush(self) -> None:
        """Write the chain head and Lamport clock; call inside the transaction, before COMMIT.

        Done once per transaction rather than per event: a bulk change of
        100k rows then pays for two extra statements, not 200k.
        """
        self.write_buffer()
        if not self._dirty or self._head is None or self._head[0] == 0:
            return
        seq, digest = self._head
        self._conn.execute(
            "INSERT INTO devices (device, last_seq, last_hash) VALUES (?, ?, ?) "
            "ON CONFLICT (device) DO UPDATE SET last_seq = excluded.last_seq, "
            "last_hash = excluded.last_hash",
            (self.device, seq, digest),
        )
        self._conn.execute(
            "INSERT INTO meta (key, value) VALUES ('lamport', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (str(self._lamport),),
        )
        self._dirty = False


def _row_to_event(row: tuple[Any, ...]) -> Event:
    return Event(
        id=row[0],
        device=row[1],
        seq=row[2],
        lamport=row[3],
        type=row[4],
        payload=bytes(row[5]),
        author=row[6],
        created_at=row[7],
        signature=bytes(row[8]) if row[8] is not None else None,
        prev_hash=bytes(row[9]),
        hash=bytes(row[10]),
    )


def recent(conn: Connection, *, limit: int, before_rowid: int | None = None) -> list[Event]:
    """Newest first; page further with the rowid of the last one returned."""
    if before_rowid is None:
        rows = conn.execute(
            # constant column names; values are ? params
            f"SELECT {_COLUMNS} FROM events ORDER BY rowid_ DESC LIMIT ?",  # nosec B608
            (limit,),
        )
    else:
        rows = conn.execute(
            # constant column names; values are ? params
            f"SELECT {_COLUMNS} FROM events WHERE rowid_ < ? "  # nosec B608
            "ORDER BY rowid_ DESC LIMIT ?",
            (before_rowid, limit),
        )
    return [_row_to_event(r) for r in rows]


def count(conn: Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


def page(conn: Connection, *, offset: int, limit: int) -> list[Event]:
    """Events newest first, by position: for a table view that fetches in pages."""
    rows = conn.execute(
        # constant column names; values are ? params
        f"SELECT {_COLUMNS} FROM events ORDER BY rowid_ DESC LIMIT ? OFFSET ?",  # nosec B608
        (limit, offset),
    )
    return [_row_to_event(r) for r in rows]


@dataclass(frozen=True)
class ChainBreak:
    device: str
    seq: int
    event_id: str | None
    reason: str

    def describe(self) -> str:
        which = f"event {self.seq} of device {self.device}"
        if self.event_id:
            which += f" (id {self.event_id})"
        return f"{which}: {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    events_checked: int
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


class Cancelled(Exception):
    """Raised from a progress callback to stop a long check."""


def _iter_events(conn: Connection) -> Iterator[tuple[Any, ...]]:
    cursor = conn.execute(
        "SELECT id, device, seq, lamport, type, payload, author, created_at, prev_hash, hash "
        "FROM events ORDER BY device, seq"
    )
    while batch := cursor.fetchmany(5000):
        yield from batch


def verify_chain(
    conn: Connection, *, progress: Callable[[int, int], None] | None = None
) -> ChainReport:
    """Walk every device's chain; stop at the first broken link."""
    total = count(conn)
    heads = {
        device: (int(seq), bytes(h))
        for device, seq, h in conn.execute("SELECT device, last_seq, last_hash FROM devices")
    }
    checked = 0
    device: str | None = None
    expect_seq, prev = 1, GENESIS
    seen: set[str] = set()

    def head_break(dev: str, last_seq: int, last_hash: bytes) -> ChainBreak | None:
        head = heads.get(dev)
        if head is None:
            return ChainBreak(dev, last_seq, None, "the chain's head record is missing")
        if head[0] > last_seq:
            return ChainBreak(
                dev, last_seq + 1, None, f"events {last_seq + 1} to {head[0]} were deleted"
            )
        if head != (last_seq, last_hash):
            return ChainBreak(dev, last_seq, None, "the chain's head record was altered")
        return None

    for row in _iter_events(conn):
        event_id, dev, seq, lamport, type_, payload, author, created_at, prev_hash, stored = row
        if dev != device:
            if device is not None and (brk := head_break(device, expect_seq - 1, prev)):
                return ChainReport(checked, brk)
            device, expect_seq, prev = dev, 1, GENESIS
            seen.add(dev)
        if seq != expect_seq:
            reason = (
                f"events {expect_seq} to {seq - 1} before it were deleted"
                if seq > expect_seq
                else "its sequence number was altered"
            )
            return ChainReport(checked, ChainBreak(dev, seq, event_id, reason))
        if prev_hash != prev:
            return ChainReport(
                checked,
                ChainBreak(dev, seq, event_id, "it does not link to the event before it"),
            )
        digest = event_hash(
            prev_hash=prev,
            event_id=event_id,
            device=dev,
            seq=seq,
            lamport=lamport,
            type_=type_,
            payload=payload,
            author=author,
            created_at=created_at,
        )
        if digest != stored:
            return ChainReport(
                checked,
                ChainBreak(dev, seq, event_id, "it was edited after it was written"),
            )
        prev, expect_seq = digest, seq + 1
        checked += 1
        if progress is not None and checked % 20000 == 0:
            progress(checked, total)
    if device is not None and (brk := head_break(device, expect_seq - 1, prev)):
        return ChainReport(checked, brk)
    for dev, (last_seq, _) in sorted(heads.items()):
        if dev not in seen:
            return ChainReport(
                checked,
                ChainBreak(dev, 1, None, f"all {last_seq} events of this device were deleted"),
            )
    if progress is not None:
        progress(checked, total)
    return ChainReport(checked, None)
