"""The alerts table (schema 16): the live alert of each rule and subject, and the
inbox's reads. Database worker; writes run inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vault.connection import Connection

#: the statuses the inbox and the command line filter by
STATUSES = ("open", "snoozed", "acknowledged", "cleared")

_COLUMNS = (
    "a.id, a.uid, a.rule, a.subject, a.severity, a.customer_id, a.request_id, a.chain, "
    "a.address, a.why, a.facts, a.raised_at, a.cleared_at, a.acknowledged_at, "
    "a.acknowledged_by, a.ack_reason, a.snoozed_until, a.task_id, c.external_id, "
    "c.display_name, c.uid"
)


@dataclass(frozen=True)
class AlertRow:
    id: int
    uid: str
    rule: str
    subject: str
    severity: str
    customer_id: int | None
    request_id: str | None
    chain: str | None
    address: str | None
    why: str
    facts: dict[str, Any]
    raised_at: str
    cleared_at: str | None
    acknowledged_at: str | None
    acknowledged_by: str | None
    ack_reason: str | None
    snoozed_until: str | None
    task_id: int | None
    external_id: str | None
    customer_name: str | None
    customer_uid: str | None

    def status(self, now: str) -> str:
        if self.cleared_at is not None:
            return "cleared"
        if self.acknowledged_at is not None:
            return "acknowledged"
        if self.snoozed_until is not None and self.snoozed_until > now:
            return "snoozed"
        return "open"


def _row(row: tuple[Any, ...]) -> AlertRow:
    values = list(row)
    values[10] = json.loads(values[10])
    return AlertRow(*values)


def live_keys(conn: Connection) -> dict[tuple[str, str], int]:
    """(rule, subject) -> id of every live (not cleared) alert."""
    rows = conn.execute("SELECT rule, subject, id FROM alerts WHERE cleared_at IS NULL")
    return {(str(r), str(s)): int(i) for r, s, i in rows}


@dataclass(frozen=True)
class NewAlert:
    uid: str
    rule: str
    subject: str
    severity: str
    customer_id: int | None
    request_id: str | None
    chain: str | None
    address: str | None
    why: str
    facts: Mapping[str, Any]


def insert(conn: Connection, alerts: Iterable[NewAlert], *, now: str) -> None:
    conn.executemany(
        "INSERT INTO alerts (uid, rule, subject, severity, customer_id, request_id, chain, "
        "address, why, facts, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (a.uid, a.rule, a.subject, a.severity, a.customer_id, a.request_id, a.chain,
             a.address, a.why, json.dumps(dict(a.facts), sort_keys=True), now)
            for a in alerts
        ),
    )  # fmt: skip


def clear(conn: Connection, ids: Iterable[int], *, now: str) -> None:
    conn.executemany(
        "UPDATE alerts SET cleared_at = ? WHERE id = ? AND cleared_at IS NULL",
        ((now, i) for i in ids),
    )


def _where(status: str | None, now: str) -> tuple[str, list[object]]:
    if status == "open":
        return (
            "a.cleared_at IS NULL AND a.acknowledged_at IS NULL "
            "AND (a.snoozed_until IS NULL OR a.snoozed_until <= ?)",
            [now],
        )
    if status == "snoozed":
        return (
            "a.cleared_at IS NULL AND a.acknowledged_at IS NULL AND a.snoozed_until > ?",
            [now],
        )
    if status == "acknowledged":
        return "a.cleared_at IS NULL AND a.acknowledged_at IS NOT NULL", []
    if status == "cleared":
        return "a.cleared_at IS NOT NULL", []
    return "a.cleared_at IS NULL", []


#: the inbox's order: critical first, then warnings, then the rest
_SEVERITY_FIRST = "CASE a.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END"


def listed(
    conn: Connection, *, status: str | None, now: str, limit: int = 1000, offset: int = 0
) -> list[AlertRow]:
    """Alerts in `status` (None: every live one), critical first, then newest first."""
    where, params = _where(status, now)
    rows = conn.execute(
        # the WHERE clause is fixed SQL from _where; values are ? params
        f"SELECT {_COLUMNS} FROM alerts a LEFT JOIN customers c ON c.id = a.customer_id "  # nosec B608
        f"WHERE {where} ORDER BY {_SEVERITY_FIRST}, a.raised_at DESC, a.id DESC LIMIT ? OFFSET ?",
        (*params, limit, offset),
    ).fetchall()
    return [_row(r) for r in rows]


def count(conn: Connection, *, status: str | None, now: str) -> int:
    where, params = _where(status, now)
    # the WHERE clause is fixed SQL from _where; values are ? params
    row = conn.execute(f"SELECT count(*) FROM alerts a WHERE {where}", params).fetchone()  # nosec B608
    return int(row[0])


def by_uid(conn: Connection, uid: str) -> AlertRow | None:
    row = conn.execute(
        # constant columns; the value is a ? param
        f"SELECT {_COLUMNS} FROM alerts a LEFT JOIN customers c ON c.id = a.customer_id "  # nosec B608
        "WHERE a.uid = ?",
        (uid,),
    ).fetchone()
    return None if row is None else _row(row)


def open_by_severity(conn: Connection, *, now: str) -> dict[str, int]:
    where, params = _where("open", now)
    rows = conn.execute(
        # the WHERE clause is fixed SQL from _where; values are ? params
        f"SELECT a.severity, count(*) FROM alerts a WHERE {where} GROUP BY a.severity",  # nosec B608
        params,
    ).fetchall()
    return {str(s): int(n) for s, n in rows}


def newest_raise(conn: Connection) -> str | None:
    row = conn.execute("SELECT max(raised_at) FROM alerts").fetchone()
    return None if row[0] is None else str(row[0])
