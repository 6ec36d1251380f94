"""Schema 2: the customer book (customers, contacts, addresses, conflicts, notes,
tasks, custom fields, per-customer data keys) and its search index."""

from __future__ import annotations

SQL = """
CREATE TABLE customers (
    id            INTEGER PRIMARY KEY,
    uid           TEXT NOT NULL UNIQUE,
    external_id   TEXT UNIQUE,
    kind          TEXT NOT NULL CHECK (kind IN ('individual', 'entity')),
    legal_name    TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    country       TEXT,
    owner         TEXT,
    kyc_status    TEXT NOT NULL DEFAULT 'not_started' CHECK (kyc_status IN
                  ('not_started', 'pending', 'approved', 'rejected', 'expired')),
    kyc_updated_at TEXT,
    kyc_expires_at TEXT,
    risk_rating   TEXT CHECK (risk_rating IN ('low', 'medium', 'high', 'prohibited')),
    risk_reason   TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    erased_at     TEXT,
    merged_into   INTEGER REFERENCES customers (id)
) STRICT;
-- One index per sortable column of the Customers view, so a page of a
-- 200k-row book sorted any way is read in order instead of sorted each time.
CREATE INDEX customers_by_name ON customers (display_name COLLATE NOCASE, id);
CREATE INDEX customers_by_updated ON customers (updated_at, id);
CREATE INDEX customers_by_country ON customers (country, id);
CREATE INDEX customers_by_kyc ON customers (kyc_status, id);
CREATE INDEX customers_by_risk ON customers (risk_rating, id);
CREATE INDEX customers_by_kind ON customers (kind, id);

CREATE TABLE customer_tags (
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (customer_id, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX tags_by_tag ON customer_tags (tag);

CREATE TABLE contacts (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    value       TEXT NOT NULL,
    label       TEXT,
    UNIQUE (customer_id, kind, value)
) STRICT;
CREATE INDEX contacts_by_value ON contacts (kind, value);

CREATE TABLE addresses (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    chain       TEXT NOT NULL,
    address     TEXT NOT NULL,
    address_key TEXT NOT NULL,
    label       TEXT,
    evidence    TEXT,
    first_seen  TEXT,
    last_seen   TEXT,
    created_at  TEXT NOT NULL,
    -- Also the look-up index for "who holds this address" (conflicts).
    UNIQUE (chain, address, customer_id)
) STRICT;
CREATE INDEX addresses_by_customer ON addresses (customer_id);
CREATE INDEX addresses_by_key ON addresses (address_key);

CREATE TABLE conflicts (
    id          INTEGER PRIMARY KEY,
    chain       TEXT NOT NULL,
    address     TEXT NOT NULL,
    customer_a  INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    customer_b  INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    detected_at TEXT NOT NULL,
    resolved_at TEXT,
    resolution  TEXT,
    UNIQUE (chain, address, customer_a, customer_b),
    CHECK (customer_a < customer_b)
) STRICT;
CREATE INDEX conflicts_open ON conflicts (resolved_at, id);

CREATE TABLE notes (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL DEFAULT 'note'
                CHECK (kind IN ('note', 'call', 'meeting', 'email', 'document')),
    body        TEXT NOT NULL,
    at          TEXT NOT NULL,
    author      TEXT NOT NULL
) STRICT;
CREATE INDEX notes_by_customer ON notes (customer_id, at);

CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    due_at      TEXT,
    remind_at   TEXT,
    done_at     TEXT,
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX tasks_due ON tasks (done_at, due_at);

CREATE TABLE custom_fields (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,
    label     TEXT NOT NULL,
    type      TEXT NOT NULL CHECK (type IN ('text', 'number', 'date', 'choice', 'bool', 'address')),
    choices   TEXT,
    position  INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE custom_values (
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    field_id    INTEGER NOT NULL REFERENCES custom_fields (id) ON DELETE CASCADE,
    value       TEXT NOT NULL,
    PRIMARY KEY (customer_id, field_id)
) STRICT, WITHOUT ROWID;

-- The key that encrypts this customer's personal values inside events.
-- Erasing the customer deletes the row (secure_delete overwrites it), so
-- those values become unreadable in the history while the chain verifies.
CREATE TABLE customer_keys (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
    key         BLOB NOT NULL
) STRICT;

-- Which customer an event is about (its payload's "customer"), for the
-- customer's history; derived from the payload, so not part of the hash.
ALTER TABLE events ADD COLUMN subject TEXT;
CREATE INDEX events_by_subject ON events (subject, rowid_) WHERE subject IS NOT NULL;

CREATE VIRTUAL TABLE search USING fts5 (
    kind UNINDEXED,
    customer_id UNINDEXED,
    ref UNINDEXED,
    text,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
"""
