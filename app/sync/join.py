"""`desk join`: a device entering the desk with an admin's invitation (`inviting`).

On a new vault, or one with a book but no desk members of its own: the
code opens the invitation, every value in it is bounded before use, the
target's announcements are read to refuse an invitation already used, the
credentials are stored the way `strongroom keys set` stores them, and in one
transaction the desk's members are written, the new member is made with its
own key and the admin's grants passed on to it, and the vault becomes a
device of the desk whose announcement carries the grants as its proof. From
then on the vault acts as that member (`app.approvals.desk.Desk`).

Calls touch the vault and the target: a worker thread, never the GUI thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from eth_utils.address import to_checksum_address

from app.approvals import record, signing
from app.approvals.invited import claim
from app.approvals.model import ROLES
from app.approvals.times import iso
from app.screening.secrets import set_key
from app.sync.announce import Announcement, open_announcement
from app.sync.credentials import S3_KEY, WEBDAV_KEY
from app.sync.desk import MAX_NAME, SyncError, enter_desk
from app.sync.invite import (
    Invitation,
    InvitationError,
    open_invitation,
    used_message,
)
from app.sync.inviting import member_json
from app.sync.run import OpenTarget, announce
from integrations.http.errors import IntegrationError
from integrations.sync.targets import open_transport, parse_target
from vault.approvals import known, store
from vault.approvals.store import MemberRow
from vault.events import time_ordered_id
from vault.store import Transaction, Vault
from vault.sync import desk as desk_rows

#: an invitation file is a few kilobytes; one this large is not one
MAX_FILE = 1024 * 1024
MAX_KEYS = 1000
MAX_MEMBERS = 2000
MAX_GRANTS = 20000
MAX_TEXT = 2048


@dataclass(frozen=True)
class Joined:
    desk: str
    name: str
    member: str
    device: str
    announced: tuple[str, ...]
    notes: tuple[str, ...]


def join(
    vault: Vault,
    *,
    file: Path,
    code: str,
    now: datetime,
    open_target: OpenTarget = open_transport,
    env: Mapping[str, str] | None = None,
) -> Joined:
    """Make this vault a device of the desk `file` invites it to, as the member it names."""
    if desk_rows.desk(vault.conn) is not None:
        raise SyncError(
            f"The vault {vault.paths.db} is already a device of a desk; a vault belongs "
            "to one desk only."
        )
    if store.members(vault.conn):
        raise SyncError(
            f"The vault {vault.paths.db} has approval members of its own, which would "
            "stand beside the desk's; join the desk with a new vault."
        )
    invitation = _open(file, code, now)
    body = _checked(invitation)
    target = parse_target(invitation.target, endpoint=body.endpoint)
    notes = _refuse_used(invitation, body, open_target=open_target)
    if target.kind == "webdav" and "password" in invitation.credentials:
        set_key(vault, WEBDAV_KEY, invitation.credentials["password"])
    if target.kind == "s3" and "access_key" in invitation.credentials:
        set_key(
            vault,
            S3_KEY,
            invitation.credentials["access_key"],
            invitation.credentials.get("secret_key"),
        )
    own_key = signing.new_private_key()
    address = signing.address_of(own_key)
    member_id = time_ordered_id()
    at = str(body.grant["at"])
    claimed = {
        role: "0x"
        + claim(
            body.secret,
            member=address,
            name=invitation.member,
            role=role,
            at=at,
            admin_signature=_hex(body.grant["signatures"][role]),
        ).hex()
        for role in invitation.roles
    }
    admin = body.admin
    proof = {
        "invitation": signing.address_of(body.secret),
        "member_id": member_id,
        "member": address,
        "name": invitation.member,
        "at": at,
        "by": member_json(admin),
        "signatures": claimed,
    }

    def as_member(tx: Transaction) -> None:
        _write_desk_members(tx, body.grant, now=iso(now))
        record.member(
            tx,
            added_by=admin,
            member_id=member_id,
            name=invitation.member,
            address=address,
            private_key=own_key,
            is_root=False,
            now=iso(now),
        )
        for role, signature in claimed.items():
            record.grant(
                tx,
                member_id=member_id,
                address=address,
                role=role,
                granted_at=at,
                granted_by=admin,
                signature=_hex(signature),
            )

    info = enter_desk(
        vault,
        desk=invitation.desk,
        name=invitation.desk_name,
        keys=list(invitation.keys),
        target=invitation.target,
        endpoint=body.endpoint,
        proof=proof,
        acting=(address, invitation.member),
        also=as_member,
    )
    said = announce(vault, open_target=open_target, env=env)
    for text, outcome in said.items():
        if outcome != "ok":
            notes.append(f"{text}: the announcement waits for the next 'sync run': {outcome}")
    return Joined(
        info.desk,
        info.name,
        invitation.member,
        info.device,
        tuple(t for t, outcome in said.items() if outcome == "ok"),
        tuple(notes),
    )


def _open(file: Path, code: str, now: datetime) -> Invitation:
    try:
        size = file.stat().st_size
        if size > MAX_FILE:
            raise SyncError(
                f"{file} is {size // 1024} KiB; an invitation is a few KiB: this is not one."
            )
        data = file.read_bytes()
    except OSError as exc:
        raise SyncError(f"The invitation {file} cannot be read ({exc.strerror}).") from None
    try:
        return open_invitation(data, code, now=now)
    except InvitationError as exc:
        raise SyncError(str(exc)) from None


@dataclass(frozen=True)
class _Body:
    grant: Mapping[str, Any]
    secret: bytes
    admin: MemberRow
    endpoint: str | None


def _checked(inv: Invitation) -> _Body:
    """What the joining device uses of the invitation, each value bounded and typed;
    SyncError naming what is wrong otherwise (a changed or foreign file)."""

    def bad(what: str) -> SyncError:
        return SyncError(
            f"This invitation's {what} is out of bounds; it was not made by Strongroom or "
            "was changed: ask the admin for a new one."
        )

    g = inv.grant
    if not inv.member or len(inv.member) > MAX_NAME or inv.member != " ".join(inv.member.split()):
        raise bad("member name")
    if not inv.roles or len(inv.roles) > len(ROLES) or any(r not in ROLES for r in inv.roles):
        raise bad("list of roles")
    if len(inv.keys) > MAX_KEYS:
        raise bad("list of desk keys")
    if len(inv.desk_name) > MAX_NAME or len(inv.target) > MAX_TEXT:
        raise bad("desk name or target")
    if any(len(k) > 64 or len(v) > MAX_TEXT for k, v in inv.credentials.items()):
        raise bad("credentials")
    try:
        secret = _hex(g["key"])
        signing.address_of(secret)
        sigs = g["signatures"]
        if not isinstance(sigs, dict) or set(sigs) != set(inv.roles):
            raise bad("grant")
        for role in inv.roles:
            if len(_hex(sigs[role])) != 65:
                raise bad("grant")
        if not isinstance(g["at"], str) or len(g["at"]) > 64:
            raise bad("grant time")
        admin = _member_row(g["by"])
        if admin.address != inv.invited_by:
            raise bad("admin")
        members, grants, revocations = g["members"], g["grants"], g["revocations"]
        if not all(isinstance(x, list) for x in (members, grants, revocations)):
            raise bad("desk members")
        if len(members) > MAX_MEMBERS or len(grants) + len(revocations) > MAX_GRANTS:
            raise bad("desk members")
        rows = [_member_row(m) for m in members]
        ids = {m.id for m in rows}
        if admin.id not in ids or sum(m.is_root for m in rows) != 1:
            raise bad("desk members")
        if inv.member.casefold() in {m.name.casefold() for m in rows}:
            raise SyncError(
                f"The desk has a member called '{inv.member}' already; ask the admin for an "
                "invitation under another name."
            )
        for fact in [*grants, *revocations]:
            _fact(fact, ids)
    except SyncError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError):
        raise bad("grant") from None
    endpoint = inv.credentials.get("endpoint")
    try:
        parse_target(inv.target, endpoint=endpoint)
    except ValueError:
        raise bad("target") from None
    return _Body(g, secret, admin, endpoint)


def _member_row(m: Any) -> MemberRow:
    fields = (m["id"], m["name"], m["address"])
    if not all(isinstance(f, str) and 0 < len(f) <= MAX_NAME for f in fields):
        raise ValueError("a member's field")
    if not isinstance(m["root"], bool):
        raise ValueError("a member's root flag")
    return MemberRow(m["id"], m["name"], to_checksum_address(m["address"]), m["root"], False)


def _fact(f: Any, ids: set[str]) -> None:
    if f["member"] not in ids or f["role"] not in ROLES:
        raise ValueError("a grant's member or role")
    if not all(isinstance(f[k], str) and len(f[k]) <= 200 for k in ("at", "by", "signature")):
        raise ValueError("a grant's field")
    _hex(f["signature"])


def _hex(text: Any) -> bytes:
    if not isinstance(text, str) or len(text) > 1024:
        raise ValueError("not hex")
    return bytes.fromhex(text.removeprefix("0x"))


def _write_desk_members(tx: Transaction, grant: Mapping[str, Any], *, now: str) -> None:
    """The desk's members, grants and revocations as the invitation carries them."""
    conn = tx.conn
    for m in grant["members"]:
        row = _member_row(m)
        known.add_member(
            conn, member_id=row.id, name=row.name, address=row.address, is_root=row.is_root, now=now
        )
    for g in grant["grants"]:
        store.insert_grant(
            conn,
            member_id=g["member"],
            role=g["role"],
            granted_at=g["at"],
            granted_by=g["by"],
            signature=_hex(g["signature"]),
        )
    for r in grant["revocations"]:
        store.insert_revocation(
            conn,
            member_id=r["member"],
            role=r["role"],
            revoked_at=r["at"],
            revoked_by=r["by"],
            signature=_hex(r["signature"]),
        )


def _refuse_used(inv: Invitation, body: _Body, *, open_target: OpenTarget) -> list[str]:
    """SyncError when a device on the target already joined with this invitation;
    notes (for stderr) when the target cannot be read now."""
    key = signing.address_of(body.secret)
    target = parse_target(inv.target, endpoint=body.endpoint)
    keys = {k.key_id: k for k in inv.keys}
    try:
        transport = open_target(target, credentials=dict(inv.credentials))
        try:
            for entry in transport.list(f"{inv.desk}/devices/"):
                if not entry.name.endswith("/device.ann"):
                    continue
                data = transport.get(entry.name)
                if data is None:
                    continue
                found = open_announcement(entry.name, data, desk=inv.desk, keys=keys)
                if isinstance(found, Announcement) and found.proof.get("invitation") == key:
                    raise SyncError(used_message())
        finally:
            transport.close()
    except IntegrationError as exc:
        return [
            f"{inv.target} could not be read to check that the invitation is unused ({exc}); "
            "the desk refuses a second use of it anyway"
        ]
    return []
