"""Where sync stands: segments taken from other devices, numbers listed per target,
this device's sealed segments and which target holds which (sync_taken,
sync_seen, sync_outgoing, sync_pushed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from vault.connection import Connection


class Outgoing(NamedTuple):
    seq: int
    digest: str
    first_event: int
    last_event: int


def taken(conn: Connection) -> dict[str, tuple[int, str]]:
    """device -> (seq, digest) of the last segment taken from it."""
    rows = conn.execute("SELECT device, seq, digest FROM sync_taken")
    return {str(d): (int(s), str(g)) for d, s, g in rows}


def set_taken(conn: Connection, *, device: str, seq: int, digest: str, now: str) -> None:
    conn.execute(
        "INSERT INTO sync_taken (device, seq, digest, taken_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (device) DO UPDATE SET seq = excluded.seq, digest = excluded.digest, "
        "taken_at = excluded.taken_at",
        (device, seq, digest, now),
    )


def seen(conn: Connection, target: str) -> dict[str, int]:
    """device -> the highest segment number ever listed on `target`."""
    rows = conn.execute("SELECT device, highest FROM sync_seen WHERE target = ?", (target,))
    return {str(d): int(h) for d, h in rows}


def remember_seen(conn: Connection, target: str, highest: Mapping[str, int]) -> None:
    conn.executemany(
        "INSERT INTO sync_seen (target, device, highest) VALUES (?, ?, ?) "
        "ON CONFLICT (target, device) DO UPDATE SET highest = max(highest, excluded.highest)",
        [(target, device, top) for device, top in highest.items()],
    )


def last_outgoing(conn: Connection) -> Outgoing | None:
    row = conn.execute(
        "SELECT seq, digest, first_event, last_event FROM sync_outgoing ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    return None if row is None else Outgoing(int(row[0]), str(row[1]), int(row[2]), int(row[3]))


def add_outgoing(conn: Connection, *, out: Outgoing, data: bytes, now: str) -> None:
    conn.execute(
        "INSERT INTO sync_outgoing (seq, digest, data, first_event, last_event, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (out.seq, out.digest, data, out.first_event, out.last_event, now),
    )


def outgoing(conn: Connection) -> list[Outgoing]:
    rows = conn.execute(
        "SELECT seq, digest, first_event, last_event FROM sync_outgoing ORDER BY seq"
    )
    return [Outgoing(int(r[0]), str(r[1]), int(r[2]), int(r[3])) for r in rows]


def outgoing_data(conn: Connection, seq: int) -> bytes:
    row = conn.execute("SELECT data FROM sync_outgoing WHERE seq = ?", (seq,)).fetchone()
    if row is None:
        raise KeyError(seq)
    return bytes(row[0])


def pushed(conn: Connection, target: str) -> set[int]:
    rows = conn.execute("SELECT seq FROM sync_pushed WHERE target = ?", (target,))
    return {int(r[0]) for r in rows}


def mark_pushed(conn: Connection, *, target: str, seq: int, now: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO sync_pushed (target, seq, at) VALUES (?, ?, ?)", (target, seq, now)
    )


def last_shared_event(conn: Connection) -> int:
    """The last own event seq inside a segment that some target confirmed holding."""
    row = conn.execute(
        "SELECT max(o.last_event) FROM sync_outgoing o "
        "WHERE EXISTS (SELECT 1 FROM sync_pushed p WHERE p.seq = o.seq)"
    ).fetchone()
    return int(row[0] or 0)
