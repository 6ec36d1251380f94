"""Making this vault a desk device: `desk create`, the last step of joining, `desk devices`.

A desk device has a desk id and key, its own Ed25519/X25519 keys, at least one
target, and its announcement (sealed, signed, kept in the vault and put on
each target by the next sync). Creating a desk needs no network: the target
is only written down; `sync run` puts the announcement and the events there.

Calls touch the vault (and `create_desk` nothing else): database worker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.sync.announce import seal_announcement
from app.sync.keys import DeskKey, DeviceKeys, new_desk_id, new_desk_key, new_device_keys
from integrations.sync.targets import parse_target
from vault.approvals import store as approvals_store
from vault.store import Transaction, Vault
from vault.sync import cursors
from vault.sync import desk as desk_rows
from vault.sync.desk import DeskRow, DeviceRow

MAX_NAME = 80


class SyncError(Exception):
    """Sync cannot do what was asked; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DeskInfo:
    desk: str
    name: str
    device: str  # this device's sync id
    log_device: str  # the device id its events carry
    targets: tuple[str, ...]


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def desk_info(vault: Vault) -> DeskInfo | None:
    row = desk_rows.desk(vault.conn)
    if row is None:
        return None
    targets = tuple(t for t, _ in desk_rows.targets(vault.conn))
    return DeskInfo(row.desk, row.name, row.device, vault.device, targets)


def require_desk(vault: Vault) -> DeskRow:
    row = desk_rows.desk(vault.conn)
    if row is None:
        raise SyncError(
            f"The vault {vault.paths.db} is not part of a desk yet. Create one with "
            "'strongroom desk create --vault PATH --target ...'."
        )
    return row


def create_desk(
    vault: Vault, *, target: str, endpoint: str | None = None, name: str | None = None
) -> DeskInfo:
    """A new desk with this vault as its first device, writing to `target`."""
    return enter_desk(
        vault,
        desk=new_desk_id(),
        name=name if name is not None else "Desk",
        keys=[new_desk_key()],
        target=target,
        endpoint=endpoint,
    )


def enter_desk(
    vault: Vault,
    *,
    desk: str,
    name: str,
    keys: Sequence[DeskKey],
    target: str,
    endpoint: str | None = None,
    proof: Mapping[str, Any] | None = None,
    acting: tuple[str, str] | None = None,
    also: Callable[[Transaction], None] | None = None,
) -> DeskInfo:
    """Make this vault a device of `desk`: its keys (the current one last), a target,
    this device's keys and announcement. `desk create` and, after its invitation is
    opened and checked, `desk join` end here: `acting` (address, name) is the member
    this device acts for (default: the vault's root member), `also` writes more in
    the same transaction (the joined member and its grants)."""
    clean = " ".join(name.split())
    if not clean or len(clean) > MAX_NAME:
        raise SyncError(f"A desk's name has 1 to {MAX_NAME} characters.")
    try:
        parsed = parse_target(target, endpoint=endpoint)
    except ValueError as exc:
        raise SyncError(str(exc)) from None
    if parsed.kind == "folder":  # kept absolute: later runs start in other folders
        parsed = replace(parsed, location=str(Path(parsed.location).resolve()))
    if desk_rows.desk(vault.conn) is not None:
        raise SyncError(
            f"The vault {vault.paths.db} is already a device of a desk; a vault belongs "
            "to one desk only."
        )
    if not keys:
        raise SyncError("A desk needs its desk key.")
    device = new_device_keys()
    member, member_name = acting if acting is not None else _member(vault)
    now = now_text()
    sealed = seal_announcement(
        desk=desk,
        device=device,
        key=keys[-1],
        member=member,
        member_name=member_name,
        log_device=vault.device,
        created_at=now,
        proof=proof,
    )
    with vault.transaction() as tx:
        conn = tx.conn
        if also is not None:
            also(tx)
        desk_rows.insert_desk(
            conn, DeskRow(desk, clean, device.device, device.secret_bytes(), sealed.data, now)
        )
        for key in keys:
            desk_rows.add_key(conn, key_id=key.key_id, key=key.key, now=now)
        desk_rows.add_target(conn, target=str(parsed), endpoint=parsed.endpoint, now=now)
        public = device.public
        desk_rows.add_device(
            conn,
            DeviceRow(
                device=public.device,
                signing=public.signing,
                agreement=public.agreement,
                member=member,
                member_name=member_name,
                log_device=vault.device,
                removed_after=None,
                proof=dict(proof or {}),
                trust="self",
                announcement=sealed.data,
                announced_at=now,
                first_seen=now,
            ),
        )
        # The desk's id and name are shared facts; the keys never enter an event.
        tx.event("desk.entered", {"desk": desk, "name": clean, "device": public.device})
    return DeskInfo(desk, clean, public.device, vault.device, (str(parsed),))


def device_keys(row: DeskRow) -> DeviceKeys:
    return DeviceKeys.from_secret_bytes(row.device_keys)


def _member(vault: Vault) -> tuple[str, str]:
    """The member this device acts for: the vault's root member, if it has one yet."""
    root = approvals_store.root(vault.conn)
    return (root.address, root.name) if root is not None else ("", "")


def devices(vault: Vault) -> list[dict[str, Any]]:
    """One plain object per device of the desk, for `desk devices`."""
    taken = cursors.taken(vault.conn)
    me = require_desk(vault).device
    out: list[dict[str, Any]] = []
    for row in desk_rows.devices(vault.conn):
        out.append(
            {
                "device": row.device,
                "this_device": row.device == me,
                "member": row.member_name or None,
                "member_address": row.member or None,
                "log_device": row.log_device,
                "trust": row.trust,
                "removed_after": row.removed_after,
                "announced_at": row.announced_at,
                "first_seen": row.first_seen,
                "segments_taken": None if row.device == me else taken.get(row.device, (0, ""))[0],
            }
        )
    return out
