"""`sync status`: where this device's sync stands, from the vault alone (no network)."""

from __future__ import annotations

from typing import Any

from app.sync.appliers import audit_only
from app.sync.changes import two_device_changes
from app.sync.desk import require_desk
from app.sync.state import state_digest
from vault.store import Vault
from vault.sync import cursors, event_rows, reports
from vault.sync import desk as desk_rows


def sync_status(vault: Vault) -> dict[str, Any]:
    """The status as `sync status` prints it.

    `unshared`: this device's events that change tables and are on no target
    yet; `awaiting_projection`: received events not yet replayed into the
    tables they change (`appliers`); `changed_on_two_devices`: fields of customers
    two devices changed at once, with both values (`changes`)."""
    row = require_desk(vault)
    conn = vault.conn
    shared = cursors.last_shared_event(conn)
    counts = event_rows.type_counts(conn, device=vault.device, after=shared)
    last = reports.last_log(conn, ok=True)
    targets = []
    for target, endpoint in desk_rows.targets(conn):
        ok = reports.last_log(conn, target=target, ok=True)
        tried = reports.last_log(conn, target=target)
        targets.append(
            {
                "target": target,
                "endpoint": endpoint,
                "last_sync": ok.finished_at if ok is not None else None,
                "last_outcome": tried.outcome if tried is not None else None,
                "last_message": tried.detail.get("message") if tried is not None else None,
                "segments_on_target": len(cursors.pushed(conn, target)),
            }
        )
    return {
        "state": state_digest(conn),
        "last_sync": last.finished_at if last is not None else None,
        "unshared": sum(n for t, n in counts.items() if not audit_only(t)),
        "quarantined": [
            {
                "target": q.target,
                "name": q.name,
                "reason": q.reason,
                "detail": q.detail,
                "retried": q.hold,
                "first_seen": q.first_seen,
                "last_seen": q.last_seen,
            }
            for q in reports.quarantined(conn)
        ],
        "targets": targets,
        "awaiting_projection": event_rows.count_waiting(conn),
        "changed_on_two_devices": two_device_changes(vault),
        "desk": row.desk,
        "device": row.device,
    }
