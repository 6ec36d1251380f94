"""Schema 6: role revocations, signed like the grants they take back."""

from __future__ import annotations

SQL = """
-- A role taken back from a member (EIP-712 RoleRevoke), signed by an admin (an
-- admin role: by the root). The newest per member and role is kept; it cancels
-- the grant when it is at least as new (app.approvals.roles). valid caches the
-- signature check (NULL: not checked yet).
CREATE TABLE approval_revocations (
    id         INTEGER PRIMARY KEY,
    member_id  TEXT NOT NULL REFERENCES approval_members (id),
    role       TEXT NOT NULL,
    revoked_at TEXT NOT NULL,
    revoked_by TEXT NOT NULL,             -- the signing address of the admin
    signature  BLOB NOT NULL,
    valid      INTEGER CHECK (valid IN (0, 1)),
    UNIQUE (member_id, role)
) STRICT;
"""
