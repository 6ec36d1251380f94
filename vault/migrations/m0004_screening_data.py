"""Schema 4: what explorers said about an address (summary and daily flows, for the
dashboards), and the API keys of providers on machines without an OS keychain."""

from __future__ import annotations

SQL = """
-- The newest summary of an address from one explorer (integrations.explorers
-- AddressSummary), replaced on each refresh: the dashboards read balances,
-- activity and how old the figure is from here. Amounts are integers in the
-- smallest unit, kept as decimal text because they outgrow SQLite's 64 bits.
CREATE TABLE explorer_summaries (
    chain       TEXT NOT NULL,
    address     TEXT NOT NULL,
    source      TEXT NOT NULL,            -- who answered, as shown: 'Etherscan (chain 1)'
    -- [{symbol, contract (null: native), decimals, amount, pending}], native first;
    -- amount and pending are decimal strings in the smallest unit
    balances    TEXT NOT NULL CHECK (json_valid(balances)),
    tx_count    INTEGER,
    nonce       INTEGER,
    first_seen  TEXT,                     -- ISO UTC, NULL when the source did not say
    last_seen   TEXT,
    fetched_at  TEXT NOT NULL,
    raw         BLOB,                     -- evidence: the normalised answer and transfers (JSON)
    PRIMARY KEY (chain, address, source)
) STRICT, WITHOUT ROWID;

-- Daily inflow/outflow of one asset at one address (integrations.explorers.daily_flows).
-- A refresh sees only the most recent transfers, so it rewrites the days it saw in
-- full and leaves older days alone. complete = 0 marks the oldest day of a window
-- that was cut short (it may miss transfers); a complete day is never overwritten
-- by an incomplete one.
CREATE TABLE explorer_flows (
    chain      TEXT NOT NULL,
    address    TEXT NOT NULL,
    day        TEXT NOT NULL,             -- UTC date, ISO
    asset      TEXT NOT NULL,             -- '' for the native coin, else the token contract
    symbol     TEXT,
    decimals   INTEGER,                   -- NULL when unknown: amounts stay raw
    inflow     TEXT NOT NULL,             -- decimal text, smallest unit
    outflow    TEXT NOT NULL,
    transfers  INTEGER NOT NULL,
    complete   INTEGER NOT NULL DEFAULT 1 CHECK (complete IN (0, 1)),
    source     TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (chain, address, day, asset)
) STRICT, WITHOUT ROWID;

-- Provider API keys when the OS keychain is not there (DESIGN: "in the keychain or
-- the vault, never in a plain file"). The database is encrypted already; values are
-- sealed once more (AES-256-GCM, provider and field as associated data) under
-- api_key_seal's key so no query, dump or export of a row shows them in clear. Never
-- in an event, never exported, never synced.
CREATE TABLE api_keys (
    provider   TEXT NOT NULL,
    field      TEXT NOT NULL CHECK (field IN ('key', 'secret')),
    nonce      BLOB NOT NULL,
    sealed     BLOB NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (provider, field)
) STRICT, WITHOUT ROWID;

-- The sealing key of api_keys: 32 random bytes, one row, made on first use.
CREATE TABLE api_key_seal (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    key BLOB NOT NULL CHECK (length(key) = 32)
) STRICT;
"""
