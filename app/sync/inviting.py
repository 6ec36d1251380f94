"""`desk invite`: an admin's invitation for a new member (the file format is `invite`).

It holds a one-time invitation key, the admin's signed RoleGrant of each role to
it (`app.approvals.invited`), the desk's members and their grants and
revocations as this vault holds them (so the joining vault judges roles at
once), every desk key, the target and its credentials; all sealed under a
one-time code. `join` is the other end.

Calls touch the vault and the OS keychain: a worker thread, never the GUI thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.approvals import signing
from app.approvals.desk import Desk
from app.approvals.invited import admin_signatures
from app.approvals.members import check_role, require_admin
from app.approvals.model import ApprovalError
from app.approvals.times import iso
from app.sync.credentials import shared_credentials
from app.sync.desk import MAX_NAME, SyncError, require_desk
from app.sync.invite import new_invitation, seal_invitation
from app.sync.keys import DeskKey
from integrations.sync.targets import parse_target
from vault.approvals import store
from vault.approvals.store import MemberRow
from vault.atomic import write_atomic
from vault.store import Vault
from vault.sync import desk as desk_rows


@dataclass(frozen=True)
class Invited:
    file: Path
    code: str
    expires_at: datetime


def invite(
    vault: Vault,
    *,
    member: str,
    roles: tuple[str, ...],
    to: Path,
    now: datetime,
    env: Mapping[str, str] | None = None,
) -> Invited:
    """Write an invitation for `member` with `roles` to the new file `to`."""
    row = require_desk(vault)
    desk = Desk(vault)
    name = " ".join(member.split())
    if not name or len(name) > MAX_NAME:
        raise SyncError(f"A member's name has 1 to {MAX_NAME} characters.")
    try:
        for role in roles:
            check_role(role)
        actor = require_admin(desk)
    except ApprovalError as exc:
        raise SyncError(f"{exc}.") from None
    if store.member_by_name(vault.conn, name) is not None:
        raise SyncError(f"The desk already has a member called '{name}'; choose another name.")
    if to.exists():
        raise SyncError(f"{to} exists already; choose a new file for the invitation.")
    roles = tuple(dict.fromkeys(roles))
    secret = signing.new_private_key()
    at = iso(now)
    key_address = signing.address_of(secret)
    text, endpoint = desk_rows.targets(vault.conn)[0]
    target = parse_target(text, endpoint=endpoint)
    credentials = shared_credentials(vault, target, env=env)
    if endpoint is not None:
        credentials["endpoint"] = endpoint
    grant = {
        "key": secret.hex(),
        "at": at,
        "by": member_json(actor.member),
        "signatures": admin_signatures(
            actor.key, invitation_key=key_address, name=name, roles=roles, at=at
        ),
        **_desk_members(vault),
    }
    keys = tuple(DeskKey(k) for k in _keys_oldest_first(vault))
    invitation = new_invitation(
        desk=row.desk,
        desk_name=row.name,
        keys=keys,
        target=text,
        credentials=credentials,
        member=name,
        roles=roles,
        invited_by=actor.member.address,
        now=now,
        grant=grant,
    )
    data, code = seal_invitation(invitation)
    write_atomic(to, data)
    with vault.transaction() as tx:  # who was invited, never the code or the keys
        tx.event(
            "desk.invited",
            {"member": name, "roles": list(roles), "expires_at": iso(invitation.expires_at)},
        )
    return Invited(to, code, invitation.expires_at)


def _keys_oldest_first(vault: Vault) -> list[bytes]:
    current = desk_rows.current_key(vault.conn)
    held = [k for k in desk_rows.keys(vault.conn).values() if k != current]
    return held + ([current] if current is not None else [])


def member_json(m: MemberRow) -> dict[str, Any]:
    return {"id": m.id, "name": m.name, "address": m.address, "root": m.is_root}


def _desk_members(vault: Vault) -> dict[str, Any]:
    conn = vault.conn
    names = {m.id: m for m in store.members(conn)}
    return {
        "members": [member_json(m) for m in names.values()],
        "grants": [_grant_json(g) for g in store.grants(conn)],
        "revocations": [_grant_json(r) for r in store.revocations(conn)],
    }


def _grant_json(g: store.GrantRow) -> dict[str, str]:
    return {
        "member": g.member_id,
        "role": g.role,
        "at": g.granted_at,
        "by": g.granted_by,
        "signature": "0x" + g.signature.hex(),
    }
