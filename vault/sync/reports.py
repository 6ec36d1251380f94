"""What sync found wrong, and what it did (sync_quarantine, sync_log)."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from vault.connection import Connection


class Quarantined(NamedTuple):
    target: str
    name: str
    reason: str
    detail: str
    hold: bool
    first_seen: str
    last_seen: str


def quarantine(
    conn: Connection,
    *,
    target: str,
    name: str,
    reason: str,
    detail: str,
    hold: bool,
    digest: str | None,
    now: str,
) -> None:
    conn.execute(
        "INSERT INTO sync_quarantine "
        "(target, name, reason, detail, hold, digest, first_seen, last_seen) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (target, name) DO UPDATE SET "
        "reason = excluded.reason, detail = excluded.detail, hold = excluded.hold, "
        "digest = excluded.digest, last_seen = excluded.last_seen",
        (target, name, reason, detail, int(hold), digest, now, now),
    )


def release(conn: Connection, *, target: str, name: str) -> None:
    """A file that verifies now leaves the quarantine."""
    conn.execute("DELETE FROM sync_quarantine WHERE target = ? AND name = ?", (target, name))


def quarantined(conn: Connection) -> list[Quarantined]:
    rows = conn.execute(
        "SELECT target, name, reason, detail, hold, first_seen, last_seen FROM sync_quarantine "
        "ORDER BY target, name"
    )
    return [Quarantined(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6]) for r in rows]


class LogRow(NamedTuple):
    kind: str
    target: str | None
    started_at: str
    finished_at: str
    pushed: int
    pulled: int
    applied: int
    quarantined: int
    outcome: str
    detail: dict[str, Any]


def add_log(conn: Connection, row: LogRow) -> None:
    conn.execute(
        "INSERT INTO sync_log (kind, target, started_at, finished_at, pushed, pulled, applied, "
        "quarantined, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*row[:-1], json.dumps(row.detail, sort_keys=True)),
    )


def last_log(conn: Connection, *, target: str | None = None, ok: bool = False) -> LogRow | None:
    """The newest run (for `target`, and only a successful one with `ok`)."""
    where, params = [], []
    if target is not None:
        where.append("target = ?")
        params.append(target)
    if ok:
        where.append("outcome = 'ok'")
    sql = (
        # clauses are fixed SQL from code; values are ? params
        "SELECT kind, target, started_at, finished_at, pushed, pulled, applied, quarantined, "
        "outcome, detail FROM sync_log"  # nosec B608
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + " ORDER BY id DESC LIMIT 1"
    )
    r = conn.execute(sql, params).fetchone()
    if r is None:
        return None
    return LogRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], json.loads(r[9]))
