"""Schema 5: approvals. Desk members and their signing keys, signed role grants,
requests with their signed content, signed decisions, and the policy's versions."""

from __future__ import annotations

SQL = """
-- Desk members. address is the member's secp256k1 signing address (EIP-55). A
-- member whose key lives in this vault has it here, sealed (AES-256-GCM, the
-- member id as associated data) under approval_key_seal's key; members known
-- only from others' signatures (after sync) have none. Never in an event.
CREATE TABLE approval_members (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    address    TEXT NOT NULL UNIQUE,
    key_nonce  BLOB,
    key_sealed BLOB,
    is_root    INTEGER NOT NULL DEFAULT 0 CHECK (is_root IN (0, 1)),
    created_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX approval_members_one_root ON approval_members (is_root) WHERE is_root = 1;

-- The sealing key of the members' private keys: 32 random bytes, made on first use.
CREATE TABLE approval_key_seal (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    key BLOB NOT NULL CHECK (length(key) = 32)
) STRICT;

-- A role held by a member, signed (EIP-712 RoleGrant) by an admin; the root
-- member's admin grant is signed by its own key, the desk's root of trust.
-- valid caches the check of signature and granter (NULL: not checked yet).
CREATE TABLE approval_grants (
    id         INTEGER PRIMARY KEY,
    member_id  TEXT NOT NULL REFERENCES approval_members (id),
    role       TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    granted_by TEXT NOT NULL,             -- the signing address of the admin
    signature  BLOB NOT NULL,
    valid      INTEGER CHECK (valid IN (0, 1)),
    UNIQUE (member_id, role)
) STRICT;

-- Requests. content is the full signed content (app.approvals.signing.REQUEST_FIELDS)
-- as canonical JSON; the columns beside it are copies for filtering and sorting.
-- status, approvals, needed and the risk columns are caches, refreshed when
-- decisions, the policy or screenings change (app.approvals.service).
CREATE TABLE approval_requests (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL
                    CHECK (kind IN ('whitelist', 'withdrawal', 'onboarding', 'risk_override')),
    customer_id     INTEGER NOT NULL REFERENCES customers (id),
    content         TEXT NOT NULL CHECK (json_valid(content)),
    amount          REAL,                 -- withdrawal amount or whitelist limit, for sorting
    amount_exact    TEXT,                 -- the same as decimal text, for the policy's tiers
    asset           TEXT,
    chain           TEXT,
    address         TEXT,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL REFERENCES approval_members (id),
    status          TEXT NOT NULL DEFAULT 'pending',
    approvals       INTEGER NOT NULL DEFAULT 0,
    needed          TEXT NOT NULL DEFAULT '',
    risk_level      TEXT,
    sanctioned      INTEGER NOT NULL DEFAULT 0,
    risk_fetched_at TEXT,
    local_only      INTEGER NOT NULL DEFAULT 0 CHECK (local_only IN (0, 1)),
    -- What the status function reads of the decisions, kept in step with
    -- approval_decisions (vault.approvals.store.sync_facts): one JSON array of
    -- [id, signer, verdict, created_at, verified] per request, so recomputing 100k
    -- statuses reads 100k rows rather than half a million.
    facts           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(facts))
) STRICT;
CREATE INDEX approval_requests_created ON approval_requests (created_at);
CREATE INDEX approval_requests_status ON approval_requests (status, created_at);
CREATE INDEX approval_requests_kind ON approval_requests (kind, created_at);
CREATE INDEX approval_requests_customer ON approval_requests (customer_id, created_at);
CREATE INDEX approval_requests_risk ON approval_requests (risk_level, created_at);
CREATE INDEX approval_requests_amount ON approval_requests (amount);
CREATE INDEX approval_requests_target ON approval_requests (chain, address);

-- Signed decisions (EIP-712 Decision over the request's content, verdict, reason
-- and time). typed_hash is the digest signed; verified caches the signature check
-- against the request's current content (NULL: not checked yet). local_only: not
-- yet shared through sync (the sync issue drains them and sets shared_at).
CREATE TABLE approval_decisions (
    id         TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES approval_requests (id),
    signer     TEXT NOT NULL,             -- the signing address (EIP-55)
    verdict    TEXT NOT NULL CHECK (verdict IN ('approve', 'reject', 'comment')),
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    typed_hash BLOB NOT NULL,
    signature  BLOB NOT NULL,
    verified   INTEGER CHECK (verified IN (0, 1)),
    local_only INTEGER NOT NULL DEFAULT 1 CHECK (local_only IN (0, 1)),
    shared_at  TEXT
) STRICT;
CREATE INDEX approval_decisions_request ON approval_decisions (request_id, created_at);
CREATE INDEX approval_decisions_local ON approval_decisions (created_at) WHERE local_only = 1;
CREATE INDEX approval_decisions_unchecked ON approval_decisions (request_id) WHERE verified IS NULL;

-- Every version of the policy text; the highest version is in force.
CREATE TABLE approval_policies (
    version    INTEGER PRIMARY KEY,
    text       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    set_by     TEXT NOT NULL,             -- member id
    created_at TEXT NOT NULL
) STRICT;
"""
