"""Making desk members: a fresh key pair each, and role grants signed by an admin.

The desk's first member (the root admin, whose self-signed admin grant is the root
of trust) and the default policy are made on the first approvals write, not with
the vault: a vault that never uses approvals has no approvals events.
"""

from __future__ import annotations

from app.approvals import record, signing
from app.approvals.policy import default_text
from app.approvals.times import Clock, iso
from vault.approvals import store
from vault.approvals.store import MemberRow
from vault.events import time_ordered_id
from vault.store import Transaction, Vault


def ensure_root(vault: Vault, clock: Clock) -> bool:
    """Make the root admin (named after the OS user) and the default policy unless
    the vault has them; True when it made them."""
    if store.root(vault.conn) is not None:
        return False
    now = iso(clock())
    with vault.transaction() as tx:
        name = (vault.log.author or "admin")[:80]
        member_id, address, key = new_member(tx, name, is_root=True, now=now, added_by=None)
        root = MemberRow(member_id, name, address, is_root=True, has_key=True)
        signed_grant(
            tx,
            member_id=member_id,
            address=address,
            name=name,
            role="admin",
            admin=root,
            admin_key=key,
            now=now,
        )
        if store.current_policy(tx.conn) is None:
            record.policy(tx, text=default_text(), set_by=root, now=now)
    return True


def new_member(
    tx: Transaction, name: str, *, is_root: bool, now: str, added_by: MemberRow | None
) -> tuple[str, str, bytes]:
    """A member with a fresh key pair sealed in the vault: (id, address, private key).
    `added_by`: the admin adding them (None for the root, who adds themselves)."""
    key = signing.new_private_key()
    address = signing.address_of(key)
    member_id = time_ordered_id()
    record.member(
        tx,
        member_id=member_id,
        name=name,
        address=address,
        private_key=key,
        is_root=is_root,
        now=now,
        added_by=added_by,
    )
    return member_id, address, key


def signed_grant(
    tx: Transaction,
    *,
    member_id: str,
    address: str,
    name: str,
    role: str,
    admin: MemberRow,
    admin_key: bytes,
    now: str,
) -> None:
    """Sign a role grant with the admin's key and record it."""
    message = signing.grant_message(address, name, role, now)
    signature = signing.sign(admin_key, "RoleGrant", message)
    record.grant(
        tx,
        member_id=member_id,
        address=address,
        role=role,
        granted_at=now,
        granted_by=admin,
        signature=signature,
    )
