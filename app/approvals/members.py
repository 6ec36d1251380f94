"""Desk members and their roles: who is on the desk, adding one, granting and
revoking roles (each signed by an admin's key). Statuses follow at once."""

from __future__ import annotations

from collections.abc import Sequence

from app.approvals import record, signing
from app.approvals.desk import Actor, Desk
from app.approvals.enrol import new_member, signed_grant
from app.approvals.model import ROLES, ApprovalError, GrantView, Member, MemberDetail
from app.approvals.refresh import refresh_all
from app.approvals.standing import standing
from app.approvals.times import iso, when
from vault.approvals import store
from vault.approvals.store import MemberRow


def view(desk: Desk, row: MemberRow, me_id: str) -> Member:
    roles = desk.roles().get(row.address, frozenset())
    return Member(row.id, row.name, row.address, tuple(sorted(roles)), row.id == me_id)


def me(desk: Desk) -> Member:
    actor = desk.actor()
    return view(desk, actor.member, actor.member.id)


def members(desk: Desk) -> list[Member]:
    me_id = desk.actor().member.id
    return [view(desk, row, me_id) for row in store.members(desk.conn)]


def roster(desk: Desk) -> list[MemberDetail]:
    """Every member with each grant: who signed it, whether it verifies, counts, or
    was revoked by whom. Makes the vault's own member on first use, like any
    approvals change."""
    me_id = desk.actor().member.id
    grants = store.grants(desk.conn)
    found = standing(desk.conn, grants)
    rows = store.members(desk.conn)
    names = {m.address: m.name for m in rows}
    revokers = {(r.member_id, r.role): r for r in found.revocations}
    by_member: dict[str, list[GrantView]] = {}
    reasons = found.trust.grant_standing or ("",) * len(grants)
    for g, ok, why in zip(grants, found.grant_ok, reasons, strict=True):
        revocation = revokers.get((g.member_id, g.role))
        if why.startswith("revoked") and revocation is not None:
            who = names.get(revocation.granted_by, revocation.granted_by)
            why = f"revoked by {who}, {when(revocation.granted_at):%Y-%m-%d %H:%M} UTC"
        by_member.setdefault(g.member_id, []).append(
            GrantView(
                g.role,
                when(g.granted_at),
                g.granted_by,
                names.get(g.granted_by, ""),
                ok,
                ok and not why,
                why,
            )
        )
    return [
        MemberDetail(
            view(desk, row, me_id),
            row.is_root,
            row.has_key,
            tuple(sorted(by_member.get(row.id, []), key=lambda v: (v.role, v.granted_at))),
        )
        for row in rows
    ]


def require_admin(desk: Desk) -> Actor:
    actor = desk.actor()
    if "admin" not in desk.roles().get(actor.member.address, frozenset()):
        raise ApprovalError(f"{actor.member.name} is not an admin: only admins grant roles")
    return actor


def add_member(desk: Desk, name: str, roles: Sequence[str]) -> Member:
    """A new desk member with a key kept in this vault, granted `roles` by an admin."""
    clean = " ".join(name.split())
    if not clean or len(clean) > 80:
        raise ApprovalError("a member's name is 1 to 80 characters")
    for role in roles:
        check_role(role)
    actor = require_admin(desk)
    if store.member_by_name(desk.conn, clean) is not None:
        raise ApprovalError(f"there is already a member called '{clean}'")
    now = iso(desk.clock())
    with desk.vault.transaction() as tx:
        member_id, address, _ = new_member(tx, clean, is_root=False, now=now, added_by=actor.member)
        for role in dict.fromkeys(roles):
            signed_grant(
                tx,
                member_id=member_id,
                address=address,
                name=clean,
                role=role,
                admin=actor.member,
                admin_key=actor.key,
                now=now,
            )
        desk.forget_trust()
        refresh_all(desk, tx)
    row = store.member_by_name(desk.conn, clean)
    assert row is not None
    return view(desk, row, actor.member.id)


def _member_named(desk: Desk, member: str) -> MemberRow:
    row = store.member_by_name(desk.conn, member)
    if row is None:
        raise ApprovalError(f"no desk member called '{member[:40]}'")
    return row


def grant_role(desk: Desk, member: str, role: str) -> None:
    """Signed by the acting member's key, which must hold a valid admin grant."""
    check_role(role)
    actor = require_admin(desk)
    row = _member_named(desk, member)
    now = iso(desk.clock())
    with desk.vault.transaction() as tx:
        signed_grant(
            tx,
            member_id=row.id,
            address=row.address,
            name=row.name,
            role=role,
            admin=actor.member,
            admin_key=actor.key,
            now=now,
        )
        desk.forget_trust()
        refresh_all(desk, tx)


def revoke_role(desk: Desk, member: str, role: str) -> None:
    """Take a role back, signed (EIP-712 RoleRevoke) by the acting admin; an admin
    role only by the root. Decisions signed before keep counting; statuses follow."""
    check_role(role)
    actor = require_admin(desk)
    row = _member_named(desk, member)
    if role == "admin" and row.is_root:
        raise ApprovalError(
            f"{row.name} is the root admin, the desk's root of trust: that role stays"
        )
    if role == "admin" and not actor.member.is_root:
        root = store.root(desk.conn)
        who = root.name if root is not None else "the root admin"
        raise ApprovalError(f"only the root admin ({who}) revokes an admin role")
    if role not in desk.roles().get(row.address, frozenset()):
        raise ApprovalError(f"{row.name} does not hold the {role.replace('_', ' ')} role")
    now = iso(desk.clock())
    message = signing.revoke_message(row.address, row.name, role, now)
    signature = signing.sign(actor.key, "RoleRevoke", message)
    with desk.vault.transaction() as tx:
        record.revocation(
            tx,
            member_id=row.id,
            address=row.address,
            role=role,
            revoked_at=now,
            revoked_by=actor.member,
            signature=signature,
        )
        desk.forget_trust()
        refresh_all(desk, tx)


def check_role(role: str) -> None:
    if role not in ROLES:
        raise ApprovalError(f"'{role[:20]}' is not a role; roles are {', '.join(ROLES)}")
