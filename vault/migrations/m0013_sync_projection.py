"""Schema 13: what projecting other devices' events needs.

- `sync_customer_keys`: the per-customer keys other devices sealed personal
  values with, as their segments carry them (by the device's log id and the
  customer's uid, with the customer's id on that device, which the sealing
  binds). Erasing the customer deletes them with the local key.
- `sync_ids`: local rows made from another device's event, by that device's
  own number for them (a task made on A and done on B is the same task).
- `customer_changes`: "changed on two devices": a field of a customer set
  concurrently on two devices; the winner (last writer in merge order) is in
  the record, the loser's event is kept here (and in the history) until
  someone looks (`seen_at`).
"""

from __future__ import annotations

SQL = """
CREATE TABLE sync_customer_keys (
    log_device TEXT NOT NULL,
    uid        TEXT NOT NULL,
    origin     INTEGER NOT NULL,
    key        BLOB NOT NULL CHECK (length(key) = 32),
    PRIMARY KEY (log_device, uid)
) STRICT, WITHOUT ROWID;
CREATE INDEX sync_customer_keys_uid ON sync_customer_keys (uid);

CREATE TABLE sync_ids (
    kind       TEXT NOT NULL CHECK (kind IN ('task', 'note')),
    log_device TEXT NOT NULL,
    origin     INTEGER NOT NULL,
    local      INTEGER NOT NULL,
    PRIMARY KEY (kind, log_device, origin)
) STRICT, WITHOUT ROWID;
CREATE INDEX sync_ids_local ON sync_ids (kind, local);

CREATE TABLE customer_changes (
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    field       TEXT NOT NULL,
    winner      TEXT NOT NULL,   -- events.id of the value kept
    loser       TEXT NOT NULL,   -- events.id of the value overwritten
    seen_at     TEXT,
    PRIMARY KEY (customer_id, field, loser)
) STRICT, WITHOUT ROWID;
"""
