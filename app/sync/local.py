"""What this vault knows of its desk, read once per sync: keys, devices, cursors."""

from __future__ import annotations

from dataclasses import dataclass

from app.sync.desk import device_keys, require_desk
from app.sync.keys import DeskKey, DeviceKeys
from app.sync.segments import KnownDevice, Position
from vault.store import Vault
from vault.sync import cursors
from vault.sync import desk as desk_rows


@dataclass
class DeskState:
    desk: str
    me: DeviceKeys
    own_log: str  # this vault's device id in the event log
    announcement: bytes  # this device's, sealed
    keys: dict[str, DeskKey]  # every desk key held, by key id
    key: DeskKey  # the one that seals what this device writes
    known: dict[str, KnownDevice]  # the desk's devices by sync id
    log_of: dict[str, str]  # sync device id -> the log device its events carry
    taken: dict[str, Position]  # the last segment taken per other device

    @property
    def device(self) -> str:
        return self.me.device


def load(vault: Vault) -> DeskState:
    row = require_desk(vault)
    conn = vault.conn
    keys = {kid: DeskKey(raw) for kid, raw in desk_rows.keys(conn).items()}
    current = desk_rows.current_key(conn)
    devices = desk_rows.devices(conn)
    return DeskState(
        desk=row.desk,
        me=device_keys(row),
        own_log=vault.device,
        announcement=row.announcement,
        keys=keys,
        key=DeskKey(current) if current is not None else next(iter(keys.values())),
        known={d.device: KnownDevice(d.signing, d.removed_after) for d in devices},
        log_of={d.device: d.log_device for d in devices},
        taken={d: Position(s, g) for d, (s, g) in cursors.taken(conn).items()},
    )
