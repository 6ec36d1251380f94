"""Writing one approvals fact: its row and its event, in the caller's transaction.

These are the only writers of members, grants, revocations, policies, requests and
decisions. A fact made here and one that arrives from another device (the sync
merge) go through the same function, so both leave the same row and the same
event. No rule is checked here: whoever calls has decided the fact stands.

Each event names, in `by`, the member who made the fact (id and name; for a
signed one, the member whose key signed it). The event's own `device` and
`author` say which device and OS user recorded it, which for a fact from
another device is not the member who made it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from vault.approvals import store
from vault.approvals.store import DecisionRow, MemberRow
from vault.store import Transaction


def by(member: MemberRow) -> dict[str, str]:
    """Who made a fact, as its event names them."""
    return {"member": member.id, "name": member.name}


def member(
    tx: Transaction,
    *,
    added_by: MemberRow | None,
    member_id: str,
    name: str,
    address: str,
    private_key: bytes,
    is_root: bool,
    now: str,
) -> None:
    """A desk member whose key is sealed in this vault; `added_by` None for the root,
    who adds themselves."""
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
        {
            "member": member_id,
            "name": name,
            "address": address,
            "root": is_root,
            "by": {"member": member_id, "name": name} if added_by is None else by(added_by),
        },
    )


def grant(
    tx: Transaction,
    *,
    member_id: str,
    address: str,
    role: str,
    granted_at: str,
    granted_by: MemberRow,
    signature: bytes,
) -> None:
    """A role grant (EIP-712 RoleGrant) signed by the admin `granted_by`."""
    store.insert_grant(
        tx.conn,
        member_id=member_id,
        role=role,
        granted_at=granted_at,
        granted_by=granted_by.address,
        signature=signature,
    )
    tx.event(
        "approvals.role_granted",
        {
            "member": member_id,
            "address": address,
            "role": role,
            "granted_at": granted_at,
            "granted_by": granted_by.address,
            "signature": "0x" + signature.hex(),
            "by": by(granted_by),
        },
    )


def revocation(
    tx: Transaction,
    *,
    member_id: str,
    address: str,
    role: str,
    revoked_at: str,
    revoked_by: MemberRow,
    signature: bytes,
) -> None:
    """A role taken back (EIP-712 RoleRevoke) signed by the admin `revoked_by`."""
    store.insert_revocation(
        tx.conn,
        member_id=member_id,
        role=role,
        revoked_at=revoked_at,
        revoked_by=revoked_by.address,
        signature=signature,
    )
    tx.event(
        "approvals.role_revoked",
        {
            "member": member_id,
            "address": address,
            "role": role,
            "revoked_at": revoked_at,
            "revoked_by": revoked_by.address,
            "signature": "0x" + signature.hex(),
            "by": by(revoked_by),
        },
    )


def policy(tx: Transaction, *, text: str, set_by: MemberRow, now: str) -> None:
    """A new policy version (already parsed by the caller), set by an admin."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    version = store.insert_policy(tx.conn, text=text, sha256=digest, set_by=set_by.id, now=now)
    tx.event(
        "approvals.policy_set",
        {"version": version, "sha256": digest, "text": text, "by": by(set_by)},
    )


def request(
    tx: Transaction,
    values: dict[str, Any],
    *,
    customer_uid: str,
    content: Mapping[str, str],
    requested_by: MemberRow,
) -> None:
    """A request: its row (`store.REQUEST_COLUMNS`) and the content its decisions sign,
    and the valuation it was made with (when it carries an amount)."""
    store.insert_request(tx.conn, values)
    payload: dict[str, Any] = {
        "request": values["id"],
        "customer": customer_uid,
        "content": dict(content),
        "by": by(requested_by),
    }
    if values.get("valued_at"):
        payload["valuation"] = {c: values.get(c) for c in store.VALUATION_COLUMNS}
    tx.event("approvals.requested", payload)


def decision(
    tx: Transaction,
    row: DecisionRow,
    *,
    customer_uid: str,
    signer: MemberRow,
    received: bool = False,
) -> None:
    """A signed decision; `signer` is the member whose key signed it (`row.signer`
    is their address). Its signature is checked again from the stored content by
    whoever recomputes the status, so a forged one stores but never counts.
    `received`: it came in another device's event (the sync merge), so the row
    is stored and no event is written (its event is in the log already)."""
    if signer.address != row.signer:
        raise ValueError("a decision is recorded with the member whose key signed it")
    store.insert_decision(tx.conn, row)
    if received:
        return
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
            "by": by(signer),
            # The valuation it signed (typed data version 2): needed to check it anywhere.
            **({} if row.valuation is None else {"valuation": json.loads(row.valuation)}),
        },
    )
