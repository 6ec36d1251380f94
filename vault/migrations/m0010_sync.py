"""Schema 10: desk sync. The desk and this device's keys, the desk's devices, the
targets, what was taken from each device and pushed to each target, the sealed
segments this device wrote, quarantined files, receipts of foreign events, and
a log of sync runs.

Nothing here is synced as a table: devices exchange events (DESIGN.md, "Sync").
Key material sits in clear columns because the whole database is SQLCipher;
target credentials are never here (keychain, else `api_keys`, sealed).
Written without reference to schemas 8 to 11 (other branches' tables).
"""

from __future__ import annotations

SQL = """
-- The desk this vault belongs to (at most one), and this device's sync identity:
-- its id (a digest of its Ed25519 key), its two private keys (64 bytes) and the
-- sealed announcement it wrote, kept so that it can be put on a new target.
CREATE TABLE sync_desk (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    desk         TEXT NOT NULL,
    name         TEXT NOT NULL,
    device       TEXT NOT NULL,
    device_keys  BLOB NOT NULL CHECK (length(device_keys) = 64),
    announcement BLOB NOT NULL,
    created_at   TEXT NOT NULL
) STRICT;

-- Every desk key held, by key id; the newest not retired seals what is written.
CREATE TABLE sync_keys (
    key_id     TEXT PRIMARY KEY,
    key        BLOB NOT NULL CHECK (length(key) = 32),
    added_at   TEXT NOT NULL,
    retired_at TEXT
) STRICT;

-- The desk's devices, from verified announcements (and this device itself).
-- log_device: the device id its events carry in the event log. trust: 'self',
-- 'desk_key' (it holds the desk key; its proof is not judged yet) or 'granted'
-- (its proof checked by the approvals rules). removed_after: the last segment
-- that counts once the device is removed.
CREATE TABLE sync_devices (
    device        TEXT PRIMARY KEY,
    signing       BLOB NOT NULL CHECK (length(signing) = 32),
    agreement     BLOB NOT NULL CHECK (length(agreement) = 32),
    member        TEXT NOT NULL,
    member_name   TEXT NOT NULL,
    log_device    TEXT NOT NULL UNIQUE,
    removed_after INTEGER,
    proof         TEXT NOT NULL CHECK (json_valid(proof)),
    trust         TEXT NOT NULL CHECK (trust IN ('self', 'desk_key', 'granted')),
    announcement  BLOB,
    announced_at  TEXT NOT NULL,
    first_seen    TEXT NOT NULL
) STRICT;

-- Targets as the user wrote them (folder:DIR, webdav:URL, s3:BUCKET[/PREFIX]) and
-- an S3 endpoint; credentials live in the keychain or api_keys, never here.
CREATE TABLE sync_targets (
    target   TEXT PRIMARY KEY,
    endpoint TEXT,
    added_at TEXT NOT NULL
) STRICT;

-- The last segment taken from each other device (whichever target it came from).
CREATE TABLE sync_taken (
    device   TEXT PRIMARY KEY,
    seq      INTEGER NOT NULL CHECK (seq >= 1),
    digest   TEXT NOT NULL,
    taken_at TEXT NOT NULL
) STRICT;

-- The highest segment number ever listed per target and device (to tell files
-- that vanished from a target).
CREATE TABLE sync_seen (
    target  TEXT NOT NULL,
    device  TEXT NOT NULL,
    highest INTEGER NOT NULL,
    PRIMARY KEY (target, device)
) STRICT, WITHOUT ROWID;

-- This device's segments, sealed and signed, kept byte for byte so that a file
-- lost on a target is put back identical. first/last_event: the own events'
-- seq range it carries.
CREATE TABLE sync_outgoing (
    seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
    digest      TEXT NOT NULL,
    data        BLOB NOT NULL,
    first_event INTEGER NOT NULL,
    last_event  INTEGER NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

-- Which own segments each target confirmed holding.
CREATE TABLE sync_pushed (
    target TEXT NOT NULL,
    seq    INTEGER NOT NULL REFERENCES sync_outgoing (seq),
    at     TEXT NOT NULL,
    PRIMARY KEY (target, seq)
) STRICT, WITHOUT ROWID;

-- Files on a target (or in a bundle) that failed their checks, with the reason.
-- hold: may verify later (tried again on every sync); the row goes when it does.
CREATE TABLE sync_quarantine (
    target     TEXT NOT NULL,
    name       TEXT NOT NULL,
    reason     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    hold       INTEGER NOT NULL CHECK (hold IN (0, 1)),
    digest     TEXT,
    first_seen TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    PRIMARY KEY (target, name)
) STRICT, WITHOUT ROWID;

-- When and from which segment a foreign event arrived (the signer's own time is
-- in the event). projection: 'waiting' for a replay into the tables it changes,
-- 'applied', or 'none' (an event that changes no table: an unlock, a backup).
CREATE TABLE event_receipts (
    event_id    TEXT PRIMARY KEY REFERENCES events (id),
    received_at TEXT NOT NULL,
    segment     TEXT NOT NULL,
    projection  TEXT NOT NULL CHECK (projection IN ('waiting', 'applied', 'none'))
) STRICT;
CREATE INDEX event_receipts_waiting ON event_receipts (event_id) WHERE projection = 'waiting';

-- One row per sync run, export or import: counts, the outcome and what was
-- reported (JSON: gaps, vanished files, ...); never a secret.
CREATE TABLE sync_log (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('run', 'export', 'import')),
    target      TEXT,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    pushed      INTEGER NOT NULL,
    pulled      INTEGER NOT NULL,
    applied     INTEGER NOT NULL,
    quarantined INTEGER NOT NULL,
    outcome     TEXT NOT NULL,
    detail      TEXT NOT NULL CHECK (json_valid(detail))
) STRICT;
"""
