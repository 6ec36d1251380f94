"""Writing one approvals fact: its row and its event, in the caller's transaction.

These are the only writers of members, grants, revocations, policies, requests and
decisions. A fact made here and one that arrives from another device (the sync
merge) go through the same function, so both leave the same row and the same
event. No rule is checked here: whoever calls has decided the fact stands.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from vault.approvals import store
from vault.approvals.store import DecisionRow
from vault.store import Transaction


def member(
    tx: Transaction,
    *,
    member_id: str,
    name: str,
    address: str,
    private_key: bytes,
    is_root: bool,
    now: str,
) -> None:
    """A desk member whose key is sealed in this vault."""
    store.insert_member(
        tx.conn,
        member_id=member_id,
        name=name,
        address=address,
        private_key=private_key,
        is_root=is_root,
        now=now,
    )
    tx.event(
        "approvals.member_added",
        {"member": member_id, "name": name, "address": address, "root": is_root},
    )


def grant(
    tx: Transaction,
    *,
    member_id: str,
    address: str,
    role: str,
    granted_at: str,
    granted_by: str,
    signature: bytes,
) -> None:
    """A role grant (EIP-712 RoleGrant) signed by `granted_by`."""
    store.insert_grant(
        tx.conn,
        member_id=member_id,
        role=role,
        granted_at=granted_at,
        granted_by=granted_by,
        signature=signature,
    )
    tx.event(
        "approvals.role_granted",
        {
            "member": member_id,
            "address": address,
            "role": role,
            "granted_at": granted_at,
            "granted_by": granted_by,
            "signature": "0x" + signature.hex(),
        },
    )


def revocation(
    tx: Transaction,
    *,
    member_id: str,
    address: str,
    role: str,
    revoked_at: str,
    revoked_by: str,
    signature: bytes,
) -> None:
    """A role taken back (EIP-712 RoleRevoke) signed by `revoked_by`."""
    store.insert_revocation(
        tx.conn,
        member_id=member_id,
        role=role,
        revoked_at=revoked_at,
        revoked_by=revoked_by,
        signature=signature,
    )
    tx.event(
        "approvals.role_revoked",
        {
            "member": member_id,
            "address": address,
            "role": role,
            "revoked_at": revoked_at,
            "revoked_by": revoked_by,
            "signature": "0x" + signature.hex(),
        },
    )


def policy(tx: Transaction, *, text: str, set_by: str, now: str) -> None:
    """A new policy version (already parsed by the caller)."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    version = store.insert_policy(tx.conn, text=text, sha256=digest, set_by=set_by, now=now)
    tx.event("approvals.policy_set", {"version": version, "sha256": digest, "text": text})


def request(
    tx: Transaction,
    values: dict[str, Any],
    *,
    customer_uid: str,
    content: Mapping[str, str],
) -> None:
    """A request: its row (`store.REQUEST_COLUMNS`) and the content its decisions sign,
    and the valuation it was made with (when it carries an amount)."""
    store.insert_request(tx.conn, values)
    payload: dict[str, Any] = {
        "request": values["id"],
        "customer": customer_uid,
        "content": dict(content),
    }
    if values.get("valued_at"):
        payload["valuation"] = {c: values.get(c) for c in store.VALUATION_COLUMNS}
    tx.event("approvals.requested", payload)


def decision(tx: Transaction, row: DecisionRow, *, customer_uid: str) -> None:
    """A signed decision. Its signature is checked again from the stored content by
    whoever recomputes the status, so a forged one stores but never counts."""
    store.insert_decision(tx.conn, row)
    tx.event(
        "approvals.decided",
        {
            "decision": row.id,
            "request": row.request_id,
            "customer": customer_uid,
            "verdict": row.verdict,
            "reason": row.reason,
            "decided_at": row.created_at,
            "signer": row.signer,
            "typed_hash": "0x" + row.typed_hash.hex(),
            "signature": "0x" + row.signature.hex(),
            # The valuation it signed (typed data version 2): needed to check it anywhere.
            **({} if row.valuation is None else {"valuation": json.loads(row.valuation)}),
        },
    )
