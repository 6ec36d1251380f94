"""Schema 8: the price table that values requests in the desk's reference currency,
and the valuation a request and each decision were made with.

Independent of schema 7: it only adds a table and columns."""

from __future__ import annotations

SQL = """
-- Prices of assets, kept as history: the newest as_of per (asset, currency) is the
-- price in force; older rows stay as evidence of what a past valuation used. price is
-- exact decimal text. as_of is when the price held (ISO UTC): a price's age is
-- measured from it, whether it came from a CSV file or a price source. source says
-- where it came from ('csv:prices.csv'); one row per (asset, currency, as_of, source).
CREATE TABLE prices (
    id          INTEGER PRIMARY KEY,
    asset       TEXT NOT NULL,
    currency    TEXT NOT NULL,
    price       TEXT NOT NULL,
    as_of       TEXT NOT NULL,
    source      TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    UNIQUE (asset, currency, as_of, source)
) STRICT;
CREATE INDEX prices_newest ON prices (asset, currency, as_of);

-- The request's value in the reference currency, from the price it was valued with
-- (app.prices.valuation); refreshed while the request is open. value_exact NULL: no
-- fresh price, the top tier applies (or the asset's own tiers in the policy).
ALTER TABLE approval_requests ADD COLUMN value_exact TEXT;
ALTER TABLE approval_requests ADD COLUMN value_currency TEXT;
ALTER TABLE approval_requests ADD COLUMN price TEXT;
ALTER TABLE approval_requests ADD COLUMN price_as_of TEXT;
ALTER TABLE approval_requests ADD COLUMN price_source TEXT;
ALTER TABLE approval_requests ADD COLUMN valued_at TEXT;

-- The valuation a decision signed (EIP-712 typed data version 2), as canonical JSON;
-- NULL for a decision signed under version 1, which carried none.
ALTER TABLE approval_decisions ADD COLUMN valuation TEXT
    CHECK (valuation IS NULL OR json_valid(valuation));
"""
