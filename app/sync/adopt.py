"""A device that joined by invitation, learnt from its announcement: its member and grants.

A joining device's announcement carries, as its proof, the admin's grants
passed on to the new member (`app.approvals.invited`). The first device to see
the announcement writes that member (without a key: it stays on its device)
and the grants, so the member's decisions count at once, before anyone acts
again. Whether a grant counts is the approvals rules' call (`standing`: the
signatures, an admin granter, an invitation used for one member only); this
writes the facts and says whether they verify ('granted') or not ('desk_key').

The member's own `approvals.member_added` and `approvals.role_granted` events
carry the same facts under the same member id, so projecting them later finds
them written already.

Inside the caller's transaction (the pull that learns the device).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eth_utils.address import to_checksum_address

from app.approvals.invited import invited_grant_ok
from app.approvals.model import ROLES
from app.sync.announce import Announcement
from vault.approvals import known, store
from vault.connection import Connection

MAX_ROLES = len(ROLES)


def adopt(conn: Connection, found: Announcement, *, now: str) -> str:
    """Write the member and grants `found` proves; the device's trust: 'granted' when
    every grant verifies, else 'desk_key' (nothing written)."""
    facts = _facts(found.proof, found)
    if facts is None:
        return "desk_key"
    member_id, name, address, at, by, signatures = facts
    if not all(invited_grant_ok(address, name, r, at, s, by) for r, s in signatures.items()):
        return "desk_key"
    if known.name_taken(conn, name, other_than=member_id):
        return "desk_key"
    here = known.member_id_of(conn, address)
    if here is not None and here != member_id:
        return "desk_key"
    known.add_member(conn, member_id=member_id, name=name, address=address, is_root=False, now=now)
    for role, signature in signatures.items():
        store.insert_grant(
            conn,
            member_id=member_id,
            role=role,
            granted_at=at,
            granted_by=by,
            signature=signature,
        )
    return "granted"


def _facts(
    proof: Mapping[str, Any], found: Announcement
) -> tuple[str, str, str, str, str, dict[str, bytes]] | None:
    try:
        member_id, name, at = str(proof["member_id"]), str(proof["name"]), str(proof["at"])
        address = to_checksum_address(str(proof["member"]))
        by = to_checksum_address(str(proof["by"]["address"]))
        raw = proof["signatures"]
        if not isinstance(raw, dict) or not 0 < len(raw) <= MAX_ROLES:
            return None
        signatures = {
            str(r): bytes.fromhex(str(s).removeprefix("0x")[:400]) for r, s in raw.items()
        }
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    if any(r not in ROLES for r in signatures) or address != found.member:
        return None
    if not 0 < len(member_id) <= 80 or not 0 < len(name) <= 80 or len(at) > 64:
        return None
    return member_id, name, address, at, by, signatures
