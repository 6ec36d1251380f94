"""Schema 12: KYC documents (passport scans, proofs of address, ...) kept in the vault.

A document's bytes are split into chunks, each sealed (AES-256-GCM) under the
customer's own key from `customer_keys`, so erasing the customer destroys
them with every other personal value; the rows are deleted as well, and
`secure_delete` wipes their pages. The file name is sealed the same way.
Type, dates and size stay clear: the review list needs them in SQL.
Written without reference to schemas 11 to 15 (other branches' tables).
"""

from __future__ import annotations

SQL = """
CREATE TABLE documents (
    id          INTEGER PRIMARY KEY,
    uid         TEXT NOT NULL UNIQUE,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    type        TEXT NOT NULL CHECK (type IN ('passport', 'id_card', 'proof_of_address',
                'source_of_funds', 'company_registry_extract', 'other')),
    file_name   TEXT NOT NULL,   -- sealed under the customer's key (enc:v1:...)
    media_type  TEXT NOT NULL CHECK (media_type IN
                ('application/pdf', 'image/png', 'image/jpeg')),
    size        INTEGER NOT NULL CHECK (size > 0),
    chunks      INTEGER NOT NULL CHECK (chunks > 0),
    digest      TEXT NOT NULL,   -- SHA-256 of the sealed chunks, as the event names it
    issued_on   TEXT,
    expires_on  TEXT,
    added_by    TEXT NOT NULL,
    added_at    TEXT NOT NULL
) STRICT;
CREATE INDEX documents_by_customer ON documents (customer_id, id);
-- The expiring and expired documents of the whole book, for the review list.
CREATE INDEX documents_by_expiry ON documents (expires_on) WHERE expires_on IS NOT NULL;

-- Each chunk: a 12-byte nonce then the AES-GCM ciphertext and tag. Its associated
-- data binds it to its document, its place and whether it is the last one, so
-- chunks cannot be swapped, reordered or cut off unnoticed.
CREATE TABLE document_chunks (
    document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    n           INTEGER NOT NULL,
    body        BLOB NOT NULL,
    PRIMARY KEY (document_id, n)
) STRICT;
"""
