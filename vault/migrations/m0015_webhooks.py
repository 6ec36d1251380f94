"""Schema 15: webhook endpoints, their delivery log, and the triggers that queue events.

- `webhook_endpoints`: where events go (the URL, which may carry a user and
  password, lives only in this encrypted table and is shown redacted) and
  which event types each takes. The signing secret is not here: it is in the
  OS keychain or sealed in `api_keys` (app.webhooks.endpoints).
- `webhook_attempts`: one row per delivery attempt (HTTP status or why there
  was none, how long it took): the delivery log Settings › Webhooks shows.
- Deliveries themselves wait in the existing `outbox` (kind 'webhook'), one row
  per endpoint and event under the key `webhook:<endpoint>:<event key>`, and
  are run by app.webhooks.delivery with the outbox's claim, lease and backoff.

Triggers queue the events in the same transaction as the change, whoever
writes it (the app, sync's projection, imports), so none is lost and no
writer can forget; `INSERT OR IGNORE` on the unique key makes each event go
to each endpoint once, however often the change is written again:

- screening.hit: an answer (status ok) that is sanctioned or high/severe; once
  per provider, address, level and sanctioned flag;
- approvals.finalized: a request's status became approved or rejected; once
  per request and final status;
- customer.risk_changed: a customer's risk rating changed; once per change.

alert.raised is queued from Python (app.webhooks.events.enqueue). The triggers
do nothing while no endpoint exists, so a vault without webhooks pays one
indexed look-up per matching change.
"""

from __future__ import annotations

from vault.connection import Connection

#: the outbox's time format (datetime.isoformat() of an aware UTC time)
_NOW = "(strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000+00:00')"
_ANY = "EXISTS (SELECT 1 FROM webhook_endpoints WHERE removed_at IS NULL)"


def _queue(event_type: str, key: str, occurred: str, data: str) -> str:
    """The trigger body: one outbox row per live endpoint that takes `event_type`."""
    return (
        # SQL fragments are module constants
        "INSERT OR IGNORE INTO outbox (kind, key, payload, attempts, next_attempt_at, "  # nosec B608
        "created_at) SELECT 'webhook', "
        f"'webhook:' || e.id || ':{event_type}:' || {key}, "
        f"json_object('endpoint', e.id, 'type', '{event_type}', 'occurred_at', {occurred}, "
        f"'data', {data}), 0, {_NOW}, {_NOW} "
        "FROM webhook_endpoints e WHERE e.removed_at IS NULL "
        f"AND EXISTS (SELECT 1 FROM json_each(e.events) j WHERE j.value = '{event_type}');"
    )


_HIT = _queue(
    "screening.hit",
    "NEW.provider || ':' || NEW.chain || ':' || NEW.address || ':' || NEW.level || ':' "
    "|| NEW.sanctioned",
    "NEW.fetched_at",
    "json_object('screening', NEW.id, 'chain', NEW.chain, 'address', NEW.address, "
    "'provider', NEW.provider, 'level', NEW.level, 'score', NEW.score, "
    "'sanctioned', json(CASE NEW.sanctioned WHEN 1 THEN 'true' ELSE 'false' END), "
    "'source', NEW.source, 'list_date', NEW.list_date, 'fetched_at', NEW.fetched_at)",
)

_FINALIZED = _queue(
    "approvals.finalized",
    "NEW.id || ':' || NEW.status",
    _NOW,
    "json_object('request', NEW.id, 'kind', NEW.kind, 'status', NEW.status, "
    "'customer', (SELECT uid FROM customers WHERE id = NEW.customer_id), "
    "'chain', NEW.chain, 'address', NEW.address, 'asset', NEW.asset, "
    "'amount', NEW.amount_exact, 'approvals', NEW.approvals)",
)

_RISK = _queue(
    "customer.risk_changed",
    f"NEW.uid || ':' || {_NOW}",
    _NOW,
    "json_object('customer', NEW.uid, 'old', OLD.risk_rating, 'new', NEW.risk_rating)",
)

_TABLES = (
    """CREATE TABLE webhook_endpoints (
    id         TEXT PRIMARY KEY,            -- 'ep_' and 16 hex digits
    url        TEXT NOT NULL,
    events     TEXT NOT NULL CHECK (json_valid(events)),   -- JSON array of event types
    created_at TEXT NOT NULL,
    removed_at TEXT
) STRICT""",
    """CREATE TABLE webhook_attempts (
    id           INTEGER PRIMARY KEY,
    endpoint_id  TEXT NOT NULL,
    outbox_key   TEXT NOT NULL,
    event_type   TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    attempted_at TEXT NOT NULL,
    status       INTEGER,                   -- the HTTP status; NULL: no answer
    error        TEXT,                      -- why it failed, for a person; NULL: delivered
    ms           INTEGER NOT NULL
) STRICT""",
    "CREATE INDEX webhook_attempts_by_endpoint ON webhook_attempts (endpoint_id, id)",
)

# Trigger bodies hold semicolons, so each statement is run on its own (not split).
_TRIGGERS = (
    "CREATE TRIGGER webhook_screening_hit AFTER INSERT ON screenings "
    "WHEN NEW.status = 'ok' AND (NEW.sanctioned = 1 OR NEW.level IN ('high', 'severe')) "
    f"AND {_ANY} BEGIN {_HIT} END",
    "CREATE TRIGGER webhook_approvals_finalized AFTER UPDATE OF status ON approval_requests "
    "WHEN NEW.status IN ('approved', 'rejected') AND OLD.status IS NOT NEW.status "
    f"AND {_ANY} BEGIN {_FINALIZED} END",
    "CREATE TRIGGER webhook_customer_risk_changed AFTER UPDATE OF risk_rating ON customers "
    f"WHEN OLD.risk_rating IS NOT NEW.risk_rating AND {_ANY} BEGIN {_RISK} END",
)


def upgrade(conn: Connection) -> None:
    for statement in (*_TABLES, *_TRIGGERS):
        conn.execute(statement)
