"""Whether a stored signed fact (a role grant, a revocation, a decision) verifies."""

from __future__ import annotations

import json
from collections.abc import Mapping

from app.approvals import signing
from app.approvals.invited import INVITED, invited_grant_ok
from vault.approvals.store import GrantRow


def grant_ok(g: GrantRow) -> bool:
    if len(g.signature) == INVITED:  # made by invitation (app.approvals.invited)
        return invited_grant_ok(
            g.member_address, g.member_name, g.role, g.granted_at, g.signature, g.granted_by
        )
    digest = signing.grant_digest(g.member_address, g.member_name, g.role, g.granted_at)
    return signing.verifies(digest, g.signature, g.granted_by)


def revoke_ok(r: GrantRow) -> bool:
    digest = signing.revoke_digest(r.member_address, r.member_name, r.role, r.granted_at)
    return signing.verifies(digest, r.signature, r.granted_by)


def decision_ok(
    content: Mapping[str, str],
    verdict: str,
    reason: str,
    at: str,
    sig: bytes,
    signer: str,
    valuation: str | None = None,
) -> bool:
    """`valuation`: the stored canonical JSON a version 2 decision signed; None for a
    version 1 decision, which signed none."""
    signed = None if valuation is None else json.loads(valuation)
    digest = signing.decision_digest(content, verdict, reason, at, signed)
    return signing.verifies(digest, sig, signer)
