"""`desk remove`: a device or a member leaves the desk, and the desk key turns.

The rules:

- Only an admin removes, and signs the removal with their member key (EIP-191
  over the canonical removal), so a device cannot remove others by claiming an
  admin in its announcement; a receiving device checks the signer holds the
  admin role in its own view of the desk's grants, and ignores it otherwise.
- Each removed device's segments count up to the last one the admin's device
  had taken (`removed_after`); later ones are quarantined (`removed_device`),
  earlier ones, and the decisions in them, keep counting. Removing a member
  removes each of their devices and revokes their roles (signed, as
  `approvals revoke` does), so a decision they sign later counts nowhere.
- A new desk key is made and sealed to every remaining device's X25519 key in
  the removal event. That event travels in a segment sealed with the old key
  (the remaining devices need to read it); everything after it is sealed with
  the new key, which the removed device never receives. The new key is stored
  "pending" with the event and becomes current once that segment is sealed
  (`finish_rotation`, again at the start of every `sync run` should a removal
  have died half way).

Database worker.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct

from app.approvals.desk import Desk
from app.approvals.members import require_admin, revoke_role
from app.approvals.model import ApprovalError
from app.approvals.standing import standing
from app.sync.container import canonical
from app.sync.desk import SyncError, now_text, require_desk
from app.sync.keys import DeskKey, DevicePublic, new_desk_key, unwrap_desk_key, wrap_desk_key
from app.sync.local import DeskState, load
from app.sync.push import seal_pending
from app.sync.segments import KnownDevice
from vault.approvals import store
from vault.connection import Connection
from vault.store import Vault
from vault.sync import cursors, event_rows
from vault.sync import desk as desk_rows
from vault.sync.desk import DeviceRow

EVENT = "desk.device_removed"


@dataclass(frozen=True)
class Removed:
    devices: tuple[str, ...]
    member: str | None  # the member's name when a whole member was removed
    key: str  # the new desk key's id


def remove(vault: Vault, who: str) -> Removed:
    """Remove the device `who` (its id) or every device of the member `who` (name or
    address), signed by this vault's admin; the desk key turns."""
    me = require_desk(vault)
    desk = Desk(vault)
    try:
        actor = require_admin(desk)
    except ApprovalError as exc:
        raise SyncError(f"{exc}; only an admin removes devices and members.") from None
    rows = desk_rows.devices(vault.conn)
    chosen, member = _chosen(rows, who)
    if me.device in {r.device for r in chosen}:
        raise SyncError("This device cannot remove itself; ask another admin of the desk.")
    if member is not None and member.member == actor.member.address:
        raise SyncError("An admin cannot remove themselves; ask another admin of the desk.")
    if member is not None:
        _revoke_roles(desk, member)
    taken = cursors.taken(vault.conn)
    after = {r.device: taken.get(r.device, (0, ""))[0] for r in chosen}
    key = new_desk_key()
    staying = [r for r in rows if r.removed_after is None and r not in chosen]
    body = {
        "desk": me.desk,
        "removed": [{"device": d, "removed_after": n} for d, n in after.items()],
        "member": member.member if member is not None else "",
        "key": key.key_id,
        "wraps": [wrap_desk_key(key, desk=me.desk, to=_public(r)) for r in staying],
        "at": now_text(),
        "by": actor.member.address,
    }
    signed = Account.sign_message(encode_defunct(canonical(body)), actor.key)
    now = now_text()
    with vault.transaction() as tx:
        for device, seq in after.items():
            desk_rows.set_removed_after(tx.conn, device=device, seq=seq)
        desk_rows.add_pending_key(tx.conn, key_id=key.key_id, key=key.key, now=now)
        tx.event(EVENT, {**body, "signature": "0x" + bytes(signed.signature).hex()})
    finish_rotation(vault)
    return Removed(
        tuple(r.device for r in chosen),
        member.member_name if member is not None else None,
        key.key_id,
    )


def finish_rotation(vault: Vault) -> None:
    """Seal what waits (the removal among it) with the old key, then make the pending
    key current. Nothing to do, and cheap, when no key is pending."""
    if not desk_rows.has_pending_key(vault.conn):
        return
    seal_pending(vault, load(vault))
    with vault.transaction() as tx:
        desk_rows.activate_keys(tx.conn, now=now_text())


def _chosen(rows: list[DeviceRow], who: str) -> tuple[list[DeviceRow], DeviceRow | None]:
    by_device = [r for r in rows if r.device == who]
    if by_device:
        if by_device[0].removed_after is not None:
            raise SyncError(f"The device {who} was removed already.")
        return by_device, None
    wanted = who.strip().casefold()
    theirs = [
        r for r in rows if r.member and wanted in (r.member.casefold(), r.member_name.casefold())
    ]
    active = [r for r in theirs if r.removed_after is None]
    if not theirs:
        raise SyncError(
            f"No device or member of this desk is called '{who[:80]}'; "
            "'strongroom desk devices' lists them."
        )
    if not active:
        raise SyncError(f"Every device of {theirs[0].member_name} was removed already.")
    return active, active[0]


def _revoke_roles(desk: Desk, member: DeviceRow) -> None:
    row = next((m for m in store.members(desk.conn) if m.address == member.member), None)
    if row is None:
        return
    for role in sorted(desk.roles().get(row.address, frozenset())):
        try:
            revoke_role(desk, row.name, role)
        except ApprovalError as exc:
            raise SyncError(f"{exc}.") from None


def _public(row: DeviceRow) -> DevicePublic:
    return DevicePublic(row.device, row.signing, row.agreement)


# --- on the receiving devices --------------------------------------------------------


def take_removals(
    conn: Connection, state: DeskState, events: Iterable[Mapping[str, Any]]
) -> list[str]:
    """Apply the removals among a verified segment's events, inside the caller's
    transaction; returns the ids of the events handled (applied or judged void)."""
    handled: list[str] = []
    for raw in events:
        if raw.get("type") != EVENT:
            continue
        handled.append(str(raw["id"]))
        body = _valid(conn, state, raw)
        if body is None:
            continue
        for gone in body["removed"]:
            device, after = str(gone["device"]), int(gone["removed_after"])
            desk_rows.set_removed_after(conn, device=device, seq=after)
            known = state.known.get(device)
            if known is not None:
                kept = after if known.removed_after is None else min(after, known.removed_after)
                state.known[device] = KnownDevice(known.signing, kept)
        for wrapped in body["wraps"]:
            if wrapped.get("device") != state.device:
                continue
            try:
                key = unwrap_desk_key(wrapped, desk=state.desk, keys=state.me)
            except ValueError:  # altered: the segment's signature says by whom
                continue
            desk_rows.add_key(conn, key_id=key.key_id, key=key.key, now=now_text())
            state.keys[key.key_id] = key
            state.key = DeskKey(key.key)
    return handled


def _valid(conn: Connection, state: DeskState, raw: Mapping[str, Any]) -> dict[str, Any] | None:
    """The removal's content when it is this desk's, signed by its `by`, who holds the
    admin role here; else None (it changes nothing)."""
    try:
        payload = json.loads(base64.b64decode(raw["payload"]))
        signature = bytes.fromhex(str(payload.pop("signature")).removeprefix("0x"))
        if payload["desk"] != state.desk:
            return None
        signer = Account.recover_message(encode_defunct(canonical(payload)), signature=signature)
        if signer != payload["by"]:
            return None
        roles = standing(conn, store.grants(conn)).trust.roles.get(signer, frozenset())
        if "admin" not in roles:
            return None
        for gone in payload["removed"]:
            str(gone["device"])
            int(gone["removed_after"])
        return dict(payload)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def mark_handled(conn: Connection, ids: list[str]) -> None:
    if ids:
        event_rows.set_applied(conn, ids)
