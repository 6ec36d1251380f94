"""Schema 9: which customers a batch event is about (history per customer).

An import writes one event per batch of rows instead of one per row; such
an event is about many customers, so the single `subject` column cannot
name them. This side index can, and keeps "a customer's history" a query.
Like `subject` it is derived from the payloads (each row names its
customer), so it is not covered by the chain's hashes.
"""

from __future__ import annotations

SQL = """
CREATE TABLE event_customers (
    customer_id INTEGER NOT NULL,
    event       INTEGER NOT NULL,   -- events.rowid_
    PRIMARY KEY (customer_id, event)
) STRICT, WITHOUT ROWID;
"""
