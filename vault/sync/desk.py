"""The desk, its keys, targets and devices (sync_desk, sync_keys, sync_targets, sync_devices)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from vault.connection import Connection


@dataclass(frozen=True, repr=False)
class DeskRow:
    desk: str
    name: str
    device: str  # this device's sync id
    device_keys: bytes  # its two private keys; never printed
    announcement: bytes
    created_at: str

    def __repr__(self) -> str:
        return f"DeskRow({self.desk!r}, {self.name!r}, device={self.device!r})"


@dataclass(frozen=True)
class DeviceRow:
    device: str
    signing: bytes
    agreement: bytes
    member: str
    member_name: str
    log_device: str
    removed_after: int | None
    proof: dict[str, Any]
    trust: str  # 'self', 'desk_key' or 'granted'
    announcement: bytes | None
    announced_at: str
    first_seen: str


def desk(conn: Connection) -> DeskRow | None:
    row = conn.execute(
        "SELECT desk, name, device, device_keys, announcement, created_at FROM sync_desk"
    ).fetchone()
    if row is None:
        return None
    return DeskRow(row[0], row[1], row[2], bytes(row[3]), bytes(row[4]), row[5])


def insert_desk(conn: Connection, row: DeskRow) -> None:
    conn.execute(
        "INSERT INTO sync_desk (id, desk, name, device, device_keys, announcement, created_at) "
        "VALUES (1, ?, ?, ?, ?, ?, ?)",
        (row.desk, row.name, row.device, row.device_keys, row.announcement, row.created_at),
    )


def keys(conn: Connection) -> dict[str, bytes]:
    """Every desk key held, by key id."""
    return {kid: bytes(k) for kid, k in conn.execute("SELECT key_id, key FROM sync_keys")}


def current_key(conn: Connection) -> bytes | None:
    """The newest desk key not retired: the one that seals what this device writes."""
    row = conn.execute(
        "SELECT key FROM sync_keys WHERE retired_at IS NULL ORDER BY added_at DESC, rowid DESC "
        "LIMIT 1"
    ).fetchone()
    return None if row is None else bytes(row[0])


def add_key(conn: Connection, *, key_id: str, key: bytes, now: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO sync_keys (key_id, key, added_at) VALUES (?, ?, ?)",
        (key_id, key, now),
    )


def targets(conn: Connection) -> list[tuple[str, str | None]]:
    """(target, S3 endpoint) in the order they were added."""
    return [
        (str(t), e)
        for t, e in conn.execute("SELECT target, endpoint FROM sync_targets ORDER BY rowid")
    ]


def add_target(conn: Connection, *, target: str, endpoint: str | None, now: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO sync_targets (target, endpoint, added_at) VALUES (?, ?, ?)",
        (target, endpoint, now),
    )


_DEVICE_COLUMNS = (
    "device, signing, agreement, member, member_name, log_device, removed_after, proof, "
    "trust, announcement, announced_at, first_seen"
)


def devices(conn: Connection) -> list[DeviceRow]:
    # constant column names; values are ? params
    rows = conn.execute(
        f"SELECT {_DEVICE_COLUMNS} FROM sync_devices ORDER BY first_seen, device"  # nosec B608
    )
    return [
        DeviceRow(
            r[0],
            bytes(r[1]),
            bytes(r[2]),
            r[3],
            r[4],
            r[5],
            r[6],
            json.loads(r[7]),
            r[8],
            None if r[9] is None else bytes(r[9]),
            r[10],
            r[11],
        )
        for r in rows
    ]


def add_device(conn: Connection, row: DeviceRow) -> None:
    conn.execute(
        # constant column names; values are ? params
        f"INSERT INTO sync_devices ({_DEVICE_COLUMNS}) "  # nosec B608
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            row.device,
            row.signing,
            row.agreement,
            row.member,
            row.member_name,
            row.log_device,
            row.removed_after,
            json.dumps(row.proof, sort_keys=True),
            row.trust,
            row.announcement,
            row.announced_at,
            row.first_seen,
        ),
    )


def device_by_log(conn: Connection, log_device: str) -> str | None:
    """The sync device whose announcement claims `log_device`, if any."""
    row = conn.execute(
        "SELECT device FROM sync_devices WHERE log_device = ?", (log_device,)
    ).fetchone()
    return None if row is None else str(row[0])


#: `retired_at` of a desk key made by a removal whose segment is not sealed yet: it
#: opens files but seals none until `activate_keys` (app.sync.removal)
PENDING = "pending"


def add_pending_key(conn: Connection, *, key_id: str, key: bytes, now: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO sync_keys (key_id, key, added_at, retired_at) VALUES (?, ?, ?, ?)",
        (key_id, key, now, PENDING),
    )


def has_pending_key(conn: Connection) -> bool:
    found = conn.execute("SELECT 1 FROM sync_keys WHERE retired_at = ?", (PENDING,)).fetchone()
    return found is not None


def activate_keys(conn: Connection, *, now: str) -> None:
    """Pending keys become the current one (and each older key stays for reading)."""
    conn.execute(
        "UPDATE sync_keys SET retired_at = NULL, added_at = ? WHERE retired_at = ?", (now, PENDING)
    )


def set_removed_after(conn: Connection, *, device: str, seq: int) -> None:
    """The last segment of `device` that counts; a later removal never raises it."""
    conn.execute(
        "UPDATE sync_devices SET removed_after = min(coalesce(removed_after, ?), ?) "
        "WHERE device = ?",
        (seq, seq, device),
    )


def self_member(conn: Connection) -> str | None:
    """The member (signing address) this device acts for, if it names one."""
    row = conn.execute("SELECT member FROM sync_devices WHERE trust = 'self'").fetchone()
    return str(row[0]) if row is not None and row[0] else None


def set_trust(conn: Connection, *, device: str, trust: str) -> None:
    conn.execute("UPDATE sync_devices SET trust = ? WHERE device = ?", (trust, device))


def void_invitations(conn: Connection) -> set[str]:
    """Invitation keys that devices' announcements claim for more than one member."""
    rows = conn.execute(
        "SELECT json_extract(proof, '$.invitation') AS inv FROM sync_devices "
        "WHERE inv IS NOT NULL GROUP BY inv "
        "HAVING count(DISTINCT json_extract(proof, '$.member')) > 1"
    )
    return {str(r[0]) for r in rows}
