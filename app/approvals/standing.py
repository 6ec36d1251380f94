"""Who holds which role, from the stored grants and revocations and their signatures.

The rule itself is the pure `roles.trust`; this reads its facts from the vault
and checks each signature (caching the result in the rows inside a transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.approvals.checks import grant_ok, revoke_ok
from app.approvals.invited import claimed_once
from app.approvals.roles import GrantFact, RevokeFact, Trust, trust
from app.approvals.times import when
from vault.approvals import store
from vault.approvals.store import GrantRow
from vault.connection import Connection
from vault.sync import desk as desk_rows


@dataclass(frozen=True)
class Standing:
    """The trust, the revocations, and whether each grant and revocation verifies."""

    trust: Trust
    revocations: list[GrantRow]
    grant_ok: list[bool]
    revoke_ok: list[bool]


def trust_mark(conn: Connection) -> tuple[object, ...]:
    """Changes whenever a grant or revocation is added or replaced, or a desk device
    is learnt (its invitation may void grants): a cache key."""
    return tuple(
        conn.execute(
            "SELECT count(*), max(id), max(granted_at), (SELECT count(*) || max(id) || "
            "max(revoked_at) FROM approval_revocations), "
            "(SELECT count(*) FROM sync_devices) FROM approval_grants"
        ).fetchone()
    )


def standing(conn: Connection, grants: Sequence[GrantRow]) -> Standing:
    """The trust `grants` and the stored revocations give; each signature checked
    (the check cached in the rows when a transaction is open)."""
    revocations = store.revocations(conn)
    void = desk_rows.void_invitations(conn)
    grants_ok = claimed_once(grants, [grant_ok(g) for g in grants], void=void)
    revokes_ok = [revoke_ok(r) for r in revocations]
    if conn.in_transaction:
        store.set_grant_validity(
            conn,
            [(ok, g.id) for g, ok in zip(grants, grants_ok, strict=True) if ok != g.valid],
        )
        store.set_revocation_validity(
            conn,
            [(ok, r.id) for r, ok in zip(revocations, revokes_ok, strict=True) if ok != r.valid],
        )
    root = store.root(conn)
    if root is None:
        return Standing(Trust({}, {}, (), ()), revocations, grants_ok, revokes_ok)
    result = trust(
        root.address,
        [
            GrantFact(g.member_address, g.role, when(g.granted_at), g.granted_by, ok)
            for g, ok in zip(grants, grants_ok, strict=True)
        ],
        [
            RevokeFact(r.member_address, r.role, when(r.granted_at), r.granted_by, ok)
            for r, ok in zip(revocations, revokes_ok, strict=True)
        ],
    )
    return Standing(result, revocations, grants_ok, revokes_ok)
