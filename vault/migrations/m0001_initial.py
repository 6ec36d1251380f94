"""Schema 1: vault metadata, devices and the hash-chained event log."""

from __future__ import annotations

SQL = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- One row per device that has written events into this vault: the head of
-- its chain, so that deleting the newest events is detected too.
CREATE TABLE devices (
    device    TEXT PRIMARY KEY,
    last_seq  INTEGER NOT NULL,
    last_hash BLOB NOT NULL
) STRICT;

CREATE TABLE events (
    rowid_    INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    device    TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    lamport   INTEGER NOT NULL,
    type      TEXT NOT NULL,
    payload   BLOB NOT NULL,
    author    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    signature BLOB,
    prev_hash BLOB NOT NULL,
    hash      BLOB NOT NULL,
    UNIQUE (device, seq)
) STRICT;

CREATE INDEX events_by_type ON events (type, rowid_);
"""
