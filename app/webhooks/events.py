"""The events endpoints can take, what a delivery's body holds, and queueing from Python.

screening.hit, approvals.finalized and customer.risk_changed are queued by the
triggers of migration 15, in the transaction of the change itself. Other
services queue theirs with `enqueue` inside their own transaction, e.g. the
alerts service once an alert is raised::

    from app.webhooks.events import ALERT_RAISED, enqueue
    enqueue(tx.conn, event_type=ALERT_RAISED, key=f"{alert_id}",
            data={"alert": alert_id, "rule": rule, "severity": severity, ...}, now=now)

`key` names the event: the same key is delivered once per endpoint, however
often it is queued. `data` holds ids and facts, never personal data (no names,
emails, documents): receivers look the rest up where they are allowed to.
Database worker (inside the caller's transaction).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from vault.connection import Connection
from vault.webhooks import KIND, subscribed

APPROVALS_FINALIZED = "approvals.finalized"
ALERT_RAISED = "alert.raised"
SCREENING_HIT = "screening.hit"
CUSTOMER_RISK_CHANGED = "customer.risk_changed"
#: the types an endpoint may take, in the order Settings lists them
EVENT_TYPES = (APPROVALS_FINALIZED, ALERT_RAISED, SCREENING_HIT, CUSTOMER_RISK_CHANGED)
#: sent by "test" to one endpoint only; no endpoint subscribes to it
TEST = "webhook.test"


def outbox_key(endpoint_id: str, event_type: str, key: str) -> str:
    return f"{KIND}:{endpoint_id}:{event_type}:{key}"


def enqueue(
    conn: Connection,
    *,
    event_type: str,
    key: str,
    data: Mapping[str, Any],
    now: datetime,
) -> int:
    """Queue an event for every live endpoint that takes `event_type`; returns how many
    endpoints it was newly queued for (0 when none takes it or it was queued before)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"{event_type!r} is not a webhook event type")
    return sum(
        queue_one(conn, endpoint_id=e, event_type=event_type, key=key, data=data, now=now)
        for e in subscribed(conn, event_type)
    )


def queue_one(
    conn: Connection,
    *,
    endpoint_id: str,
    event_type: str,
    key: str,
    data: Mapping[str, Any],
    now: datetime,
) -> bool:
    """Queue one event for one endpoint, due now; False when that key was queued before
    (delivered or not: an event goes to an endpoint once)."""
    at = now.isoformat()
    payload = {"endpoint": endpoint_id, "type": event_type, "occurred_at": at, "data": dict(data)}
    cur = conn.execute(
        "INSERT OR IGNORE INTO outbox (kind, key, payload, attempts, next_attempt_at, "
        "created_at) VALUES (?, ?, ?, 0, ?, ?)",
        (KIND, outbox_key(endpoint_id, event_type, key), json.dumps(payload), at, at),
    )
    return cur.rowcount == 1


def body(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes sent for a queued event (the same on every retry):
    {"type", "timestamp", "data"} as the Standard Webhooks convention has it."""
    message = {
        "type": payload["type"],
        "timestamp": payload["occurred_at"],
        "data": payload["data"],
    }
    return json.dumps(message, sort_keys=True, separators=(",", ":")).encode()
