"""SQL for webhook endpoints and their delivery log (tables of m0015).

Deliveries wait in the `outbox` (kind 'webhook'); see vault.screening.outbox for
claiming and finishing them. Plain values in and out; times are ISO-8601 UTC.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vault.connection import Connection

KIND = "webhook"
#: why a delivery was not sent (outbox.last_error) once its endpoint is gone
REMOVED = "the endpoint was removed"


@dataclass(frozen=True, slots=True)
class EndpointRow:
    id: str
    url: str
    events: tuple[str, ...]
    created_at: str


@dataclass(frozen=True, slots=True)
class AttemptRow:
    id: int
    endpoint_id: str
    event_type: str
    message_id: str
    attempted_at: str
    status: int | None
    error: str | None
    ms: int


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    """One event for one endpoint as the outbox holds it: delivered, or waiting."""

    key: str
    endpoint_id: str
    event_type: str
    attempts: int
    next_attempt_at: str
    last_error: str | None
    created_at: str
    done_at: str | None


def add_endpoint(
    conn: Connection, *, endpoint_id: str, url: str, events: Sequence[str], now: str
) -> None:
    conn.execute(
        "INSERT INTO webhook_endpoints (id, url, events, created_at) VALUES (?, ?, ?, ?)",
        (endpoint_id, url, json.dumps(list(events)), now),
    )


def endpoint(conn: Connection, endpoint_id: str) -> EndpointRow | None:
    row = conn.execute(
        "SELECT id, url, events, created_at FROM webhook_endpoints "
        "WHERE id = ? AND removed_at IS NULL",
        (endpoint_id,),
    ).fetchone()
    return None if row is None else _endpoint(row)


def endpoints(conn: Connection) -> list[EndpointRow]:
    rows = conn.execute(
        "SELECT id, url, events, created_at FROM webhook_endpoints "
        "WHERE removed_at IS NULL ORDER BY created_at, id"
    )
    return [_endpoint(r) for r in rows]


def subscribed(conn: Connection, event_type: str) -> list[str]:
    """The live endpoints that take `event_type`."""
    rows = conn.execute(
        "SELECT e.id FROM webhook_endpoints e WHERE e.removed_at IS NULL AND EXISTS "
        "(SELECT 1 FROM json_each(e.events) j WHERE j.value = ?) ORDER BY e.id",
        (event_type,),
    )
    return [str(r[0]) for r in rows]


def remove_endpoint(conn: Connection, endpoint_id: str, *, now: str) -> bool:
    """Mark removed (its log stays) and drop what still waits for it; True if it was live."""
    cur = conn.execute(
        "UPDATE webhook_endpoints SET removed_at = ? WHERE id = ? AND removed_at IS NULL",
        (now, endpoint_id),
    )
    if cur.rowcount != 1:
        return False
    conn.execute(
        "UPDATE outbox SET done_at = ?, last_error = ? "
        "WHERE kind = ? AND done_at IS NULL AND substr(key, 1, ?) = ?",
        (now, REMOVED, KIND, *_prefix_args(endpoint_id)),
    )
    return True


def log_attempt(
    conn: Connection,
    *,
    endpoint_id: str,
    outbox_key: str,
    event_type: str,
    message_id: str,
    attempted_at: str,
    status: int | None,
    error: str | None,
    ms: int,
) -> None:
    conn.execute(
        "INSERT INTO webhook_attempts (endpoint_id, outbox_key, event_type, message_id, "
        "attempted_at, status, error, ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (endpoint_id, outbox_key, event_type, message_id, attempted_at, status, error, ms),
    )


def attempts(
    conn: Connection, *, endpoint_id: str | None = None, limit: int = 200
) -> list[AttemptRow]:
    """The delivery log, newest first."""
    sql = (
        "SELECT id, endpoint_id, event_type, message_id, attempted_at, status, error, ms "
        "FROM webhook_attempts"
    )
    params: list[Any] = []
    if endpoint_id is not None:
        sql += " WHERE endpoint_id = ?"
        params.append(endpoint_id)
    sql += " ORDER BY id DESC LIMIT ?"
    return [AttemptRow(*r) for r in conn.execute(sql, (*params, limit))]


def deliveries(
    conn: Connection, *, endpoint_id: str | None = None, limit: int = 200
) -> list[DeliveryRow]:
    """Events queued for endpoints, newest first: waiting ones and delivered ones."""
    sql = (
        "SELECT key, json_extract(payload, '$.endpoint'), json_extract(payload, '$.type'), "
        "attempts, next_attempt_at, last_error, created_at, done_at FROM outbox WHERE kind = ?"
    )
    params: list[Any] = [KIND]
    if endpoint_id is not None:
        sql += " AND substr(key, 1, ?) = ?"
        params += _prefix_args(endpoint_id)
    sql += " ORDER BY id DESC LIMIT ?"
    return [DeliveryRow(*r) for r in conn.execute(sql, (*params, limit))]


def key_prefix(endpoint_id: str) -> str:
    return f"{KIND}:{endpoint_id}:"


def _prefix_args(endpoint_id: str) -> list[Any]:
    prefix = key_prefix(endpoint_id)
    return [len(prefix), prefix]


def _endpoint(row: tuple[Any, ...]) -> EndpointRow:
    return EndpointRow(id=row[0], url=row[1], events=tuple(json.loads(row[2])), created_at=row[3])
