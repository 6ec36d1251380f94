"""What the window shows of sync, read from the vault alone (no network, no digest):
the status bar's `brief`, the Sync page's `overview` and `recent_runs`, and the
"changed on two devices" marks of one customer (`changes_of`, `mark_seen`).

Database worker.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.sync.appliers import audit_only
from app.sync.changes import two_device_changes
from app.sync.desk import DeskInfo, desk_info, devices
from app.sync.job import KEY
from vault.screening import outbox as store
from vault.store import Vault
from vault.sync import cursors, event_rows, reports
from vault.sync import desk as desk_rows


@dataclass(frozen=True)
class Brief:
    """The status bar's line: no desk, or the last sync, what waits, what is held."""

    desk: bool
    last_sync: str | None = None
    unshared: int = 0
    quarantined: int = 0
    #: when the job waits for the network: its next try (ISO UTC) and why
    waiting_until: str | None = None
    last_error: str | None = None


def brief(vault: Vault) -> Brief:
    """Cheap (no state digest): the status bar reads it after every run and change."""
    info = desk_info(vault)
    if info is None:
        return Brief(desk=False)
    conn = vault.conn
    counts = event_rows.type_counts(
        conn, device=vault.device, after=cursors.last_shared_event(conn)
    )
    last = reports.last_log(conn, ok=True)
    item = store.get(conn, KEY)
    waiting = item is not None and item.done_at is None and item.attempts > 0
    return Brief(
        desk=True,
        last_sync=last.finished_at if last is not None else None,
        unshared=sum(n for t, n in counts.items() if not audit_only(t)),
        quarantined=len(reports.quarantined(conn)),
        waiting_until=item.next_attempt_at if waiting and item is not None else None,
        last_error=item.last_error if waiting and item is not None else None,
    )


def recent_runs(vault: Vault, *, limit: int = 50) -> list[reports.LogRow]:
    """The newest runs of the sync log, newest first."""
    rows = vault.conn.execute(
        "SELECT kind, target, started_at, finished_at, pushed, pulled, applied, quarantined, "
        "outcome, detail FROM sync_log ORDER BY id DESC LIMIT ?",
        (limit,),
    ).fetchall()
    return [
        reports.LogRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], json.loads(r[9]))
        for r in rows
    ]


def _with_devices(vault: Vault, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each change's writers as people read them: "this device", or the other device's
    id and member (`kept_from`/`other_from` are event-log ids nobody knows)."""
    me = vault.device
    known = {row.log_device: row for row in desk_rows.devices(vault.conn)}

    def who(log_device: str) -> str:
        if log_device == me:
            return "this device"
        row = known.get(log_device)
        if row is None:
            return log_device
        return f"{row.device} ({row.member_name})" if row.member_name else row.device

    return [
        {**c, "kept_by": who(c["kept_from"]), "other_by": who(c["other_from"])} for c in changes
    ]


def changes_of(vault: Vault, customer_id: int) -> list[dict[str, Any]]:
    """The unseen "changed on two devices" marks of one customer, with both values."""
    row = vault.conn.execute(
        "SELECT uid, external_id FROM customers WHERE id = ?", (customer_id,)
    ).fetchone()
    if row is None:
        return []
    names = {str(row[0])} | ({str(row[1])} if row[1] else set())
    marked = vault.conn.execute(
        "SELECT 1 FROM customer_changes WHERE customer_id = ? AND seen_at IS NULL LIMIT 1",
        (customer_id,),
    ).fetchone()
    if marked is None:  # the common case: no need to open every mark of the book
        return []
    return _with_devices(vault, [c for c in two_device_changes(vault) if c["customer"] in names])


def mark_seen(vault: Vault, customer_id: int, *, now: datetime) -> int:
    """Someone here has looked at the customer's two-device changes: they stop showing
    on this device. The losing values stay in the history (their events). Returns how
    many marks."""
    with vault.transaction() as tx:
        cur = tx.execute(
            "UPDATE customer_changes SET seen_at = ? WHERE customer_id = ? AND seen_at IS NULL",
            (now.isoformat(), customer_id),
        )
    # No event: looking is this device's business (an event would travel to the
    # desk, and no device's projection knows what to do with it).
    return int(cur.rowcount)


@dataclass(frozen=True)
class TargetLine:
    target: str
    endpoint: str | None
    last_sync: str | None
    last_outcome: str | None
    last_message: str


@dataclass(frozen=True)
class Overview:
    """The Sync page: the desk, its devices (with when a segment of each last came in),
    its targets, the quarantine, the recent runs and the two-device changes."""

    info: DeskInfo | None
    member: str = ""
    devices: tuple[dict[str, Any], ...] = ()
    targets: tuple[TargetLine, ...] = ()
    quarantine: tuple[reports.Quarantined, ...] = ()
    runs: tuple[reports.LogRow, ...] = ()
    changes: tuple[dict[str, Any], ...] = ()


def overview(vault: Vault) -> Overview:
    info = desk_info(vault)
    if info is None:
        return Overview(info=None)
    conn = vault.conn
    taken_at = dict(conn.execute("SELECT device, taken_at FROM sync_taken").fetchall())
    rows = []
    member = ""
    for row in devices(vault):
        # this device's last sync is its own last good run; another's, its last segment
        if row["this_device"]:
            member = row["member"] or ""
            last = reports.last_log(conn, ok=True)
            row["last_sync"] = last.finished_at if last is not None else None
        else:
            row["last_sync"] = taken_at.get(row["device"])
        rows.append(row)
    targets = []
    for target, endpoint in desk_rows.targets(conn):
        ok = reports.last_log(conn, target=target, ok=True)
        tried = reports.last_log(conn, target=target)
        targets.append(
            TargetLine(
                target=target,
                endpoint=endpoint,
                last_sync=ok.finished_at if ok is not None else None,
                last_outcome=tried.outcome if tried is not None else None,
                last_message=str(tried.detail.get("message") or "") if tried else "",
            )
        )
    return Overview(
        info=info,
        member=member,
        devices=tuple(rows),
        targets=tuple(targets),
        quarantine=tuple(reports.quarantined(conn)),
        runs=tuple(recent_runs(vault)),
        changes=tuple(_with_devices(vault, two_device_changes(vault))),
    )
