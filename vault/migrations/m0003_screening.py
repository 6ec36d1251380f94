"""Schema 3: screening. The offline sanctions lists, cached screening results, and the
outbox of work that waits for the network."""

from __future__ import annotations

SQL = """
-- One row per imported list. A list is identified by its source ('ofac-sdn' for
-- the advanced XML, 'ofac-plain-ETH' for a plain per-asset list): importing a
-- source again replaces its rows in one transaction (event 'sanctions.imported').
CREATE TABLE sanctions_lists (
    source      TEXT PRIMARY KEY,
    label       TEXT NOT NULL,            -- shown with hits: 'OFAC SDN'
    list_date   TEXT,                     -- publication date (ISO), when the file gives it
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,            -- of the imported file
    imported_at TEXT NOT NULL,
    counts      TEXT NOT NULL CHECK (json_valid(counts))  -- {family or asset: n, ...}
) STRICT;

-- One row per distinct address of a list. family is 'evm' (one row serves every
-- EVM chain), 'bitcoin', 'tron', or 'raw' (other assets, and addresses that are
-- not valid for their chain, kept as given). key is what a look-up compares:
-- lower-case 0x hex for evm, the canonical address for bitcoin (bech32 lower
-- case) and tron (Base58), the text as given for raw.
CREATE TABLE sanctions_addresses (
    id       INTEGER PRIMARY KEY,
    source   TEXT NOT NULL REFERENCES sanctions_lists (source) ON DELETE CASCADE,
    family   TEXT NOT NULL CHECK (family IN ('evm', 'bitcoin', 'tron', 'raw')),
    key      TEXT NOT NULL,
    address  TEXT NOT NULL,               -- display form: EIP-55, canonical, or as given
    assets   TEXT NOT NULL CHECK (json_valid(assets)),  -- ["ETH", "USDT"]: as listed
    valid    INTEGER CHECK (valid IN (0, 1)),  -- NULL: no validator for the asset
    -- Also the look-up index (family, key).
    UNIQUE (family, key, source)
) STRICT;
CREATE INDEX sanctions_addresses_by_source ON sanctions_addresses (source);

-- Who an address belongs to: one row per party listing it ('' / NULL name for
-- plain lists, which name nobody).
CREATE TABLE sanctions_parties (
    address_id INTEGER NOT NULL REFERENCES sanctions_addresses (id) ON DELETE CASCADE,
    entry_id   TEXT NOT NULL,             -- SDN DistinctParty FixedRef, '' if none
    name       TEXT,
    PRIMARY KEY (address_id, entry_id)
) STRICT, WITHOUT ROWID;

-- Screening results, normalised (app.screening.risk.RiskResult.to_record()), kept
-- as history: the newest row per (chain, address, provider) is the cached answer,
-- its fetched_at tells how old it is. raw is the provider's body, as evidence.
CREATE TABLE screenings (
    id          INTEGER PRIMARY KEY,
    address     TEXT NOT NULL,
    chain       TEXT NOT NULL,
    provider    TEXT NOT NULL,
    level       TEXT NOT NULL
                CHECK (level IN ('none', 'low', 'medium', 'high', 'severe', 'unknown')),
    score       INTEGER CHECK (score BETWEEN 0 AND 100),  -- NULL when status is not ok
    sanctioned  INTEGER NOT NULL DEFAULT 0 CHECK (sanctioned IN (0, 1)),
    categories  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(categories)),
    exposures   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(exposures)),  -- {direct, indirect}
    raw         BLOB,
    fetched_at  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'ok',  -- ok, or the error kind (risk.Status)
    source      TEXT,                     -- who answered, for people: 'OFAC SDN'
    sanctioned_party TEXT,
    list_date   TEXT,
    error       TEXT
) STRICT;
CREATE INDEX screenings_latest ON screenings (chain, address, provider, fetched_at);

-- Work that needs the network (KYT look-ups, sync, webhooks) waits here and runs
-- when the machine is online. key is the idempotency key: the same work is queued
-- once. A row is due when done_at IS NULL and next_attempt_at has passed; each
-- failure bumps attempts, sets last_error and pushes next_attempt_at (backoff).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,        -- 'screening', 'sync', 'webhook', ...
    key             TEXT NOT NULL UNIQUE,
    payload         TEXT NOT NULL CHECK (json_valid(payload)),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    done_at         TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE done_at IS NULL;
"""
