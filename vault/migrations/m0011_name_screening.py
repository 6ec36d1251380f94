"""Schema 11: name screening. The parties of a sanctions list that names them (OFAC's
sdn.csv, with alt.csv's aliases), other files imported with a list, the hits of
screening customers' names against them, and the officers' signed dispositions.

A hit is remembered per customer, list entry, screened name and entry content
(`name_digest`, `entry_digest`): screening again finds the same row and raises
nothing new, unless the customer's name or the entry changed.
Written without reference to schemas 11 to 13 (other branches' tables).
"""

from __future__ import annotations

SQL = """
-- One row per listed party. kind: individual, entity, vessel or aircraft. aliases:
-- [[quality, name], ...] (aka, fka, nka). birth_dates and nationalities as the list
-- writes them. digest: of what screening compares (kind, names, dates, nationalities).
CREATE TABLE sanctions_entries (
    source        TEXT NOT NULL REFERENCES sanctions_lists (source) ON DELETE CASCADE,
    entry_id      TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('individual', 'entity', 'vessel', 'aircraft')),
    name          TEXT NOT NULL,
    aliases       TEXT NOT NULL CHECK (json_valid(aliases)),
    programs      TEXT NOT NULL CHECK (json_valid(programs)),
    birth_dates   TEXT NOT NULL CHECK (json_valid(birth_dates)),
    nationalities TEXT NOT NULL CHECK (json_valid(nationalities)),
    digest        TEXT NOT NULL,
    PRIMARY KEY (source, entry_id)
) STRICT, WITHOUT ROWID;

-- Files imported together with a list's main file (role 'aliases': OFAC's alt.csv),
-- so that every hit can name all the files it rests on.
CREATE TABLE sanctions_list_files (
    source    TEXT NOT NULL REFERENCES sanctions_lists (source) ON DELETE CASCADE,
    role      TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    PRIMARY KEY (source, role)
) STRICT, WITHOUT ROWID;

-- A customer's name found on a list. field: which of the customer's names matched
-- (legal_name or display_name); name_digest: SHA-256 of that name as screened (the
-- name itself stays in customers, so erasing the customer erases it). why: JSON
-- (listed name or alias, matched tokens, date of birth and nationality effects).
-- status: open until an officer disposes of it (name_dispositions).
CREATE TABLE name_hits (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    field        TEXT NOT NULL CHECK (field IN ('legal_name', 'display_name')),
    name_digest  TEXT NOT NULL,
    source       TEXT NOT NULL,
    entry_id     TEXT NOT NULL,
    entry_digest TEXT NOT NULL,
    listed_name  TEXT NOT NULL,
    program      TEXT NOT NULL,
    score        INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    why          TEXT NOT NULL CHECK (json_valid(why)),
    raised_at    TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open'
                 CHECK (status IN ('open', 'true-match', 'false-positive')),
    UNIQUE (customer_id, entry_id, name_digest, entry_digest)
) STRICT;
CREATE INDEX name_hits_open ON name_hits (status, id);

-- An officer's decision on a hit, signed with their key (EIP-712 typed data,
-- app.names.signing), like an approval decision.
CREATE TABLE name_dispositions (
    hit_id     INTEGER PRIMARY KEY REFERENCES name_hits (id) ON DELETE CASCADE,
    verdict    TEXT NOT NULL CHECK (verdict IN ('true-match', 'false-positive')),
    reason     TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    signer     TEXT NOT NULL,
    typed_hash BLOB NOT NULL,
    signature  BLOB NOT NULL
) STRICT;
"""
