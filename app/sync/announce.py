"""A device's announcement: the file that says "this device, with these keys, is this member's".

Written once, when a device joins, as `<desk>/devices/<device>/device.ann`: a
`container` file whose sealed body carries the device's two public keys, the
member (signing address and name), the vault device id its events carry, and
`proof`, the member's and admin's signed grant (opaque here; the approvals
rules check it). The target sees only the desk and device ids.

The rules of `open_announcement`:

- The body must open with a desk key this device holds (`unknown_key` waits
  for it), and the device id must be the digest of the Ed25519 key inside,
  so nobody can announce keys for a device id that is not theirs.
- The file is signed by that key (`bad_signature` otherwise), and says inside
  the desk and device its name says (`wrong_desk`, `misnamed`).

A verified announcement proves only that the device holds its key. Whether
the desk trusts it is the approvals rules' call, on `proof`.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any, NamedTuple

from app.sync.container import digest, pack
from app.sync.keys import DeskKey, DeviceKeys, DevicePublic, device_id_of, signature_valid
from app.sync.segments import (
    Quarantine,
    Reason,
    Sealed,
    announcement_name,
    check_version,
    read_body,
    read_file,
)


class Announcement(NamedTuple):
    device: DevicePublic
    member: str  # the member's signing address
    member_name: str
    log_device: str  # the device id its events carry in the vault's log
    created_at: str
    proof: dict[str, Any]


def seal_announcement(
    *,
    desk: str,
    device: DeviceKeys,
    key: DeskKey,
    member: str,
    member_name: str,
    log_device: str,
    created_at: str,
    proof: Mapping[str, Any] | None = None,
) -> Sealed:
    public = device.public
    body = {
        "signing": base64.b64encode(public.signing).decode("ascii"),
        "agreement": base64.b64encode(public.agreement).decode("ascii"),
        "member": member,
        "name": member_name,
        "log_device": log_device,
        "proof": dict(proof or {}),
    }
    header = {"kind": "device", "desk": desk, "device": public.device, "created_at": created_at}
    data = pack(header, body, key=key, device=device)
    return Sealed(announcement_name(desk, public.device), data, digest(data))


def open_announcement(
    name: str, data: bytes, *, desk: str, keys: Mapping[str, DeskKey]
) -> Announcement | Quarantine:
    def no(reason: Reason, detail: str) -> Quarantine:
        return Quarantine(name, reason, detail)

    read = read_file(name, data, desk=desk, kind="device")
    if isinstance(read, Quarantine):
        return read
    where, unpacked = read
    head = unpacked.header
    too_new = check_version(name, head)
    if too_new is not None:
        return too_new
    body = read_body(name, unpacked, keys)
    if isinstance(body, Quarantine):
        return body
    try:
        signing = base64.b64decode(body["signing"], validate=True)
        agreement = base64.b64decode(body["agreement"], validate=True)
        found = Announcement(
            DevicePublic(where.device, signing, agreement),
            str(body["member"]),
            str(body["name"]),
            str(body["log_device"]),
            str(head["created_at"]),
            dict(body["proof"]),
        )
    except (KeyError, TypeError, ValueError):  # binascii.Error is a ValueError
        return no(Reason.MALFORMED, "its content lacks a field")
    if len(signing) != 32 or len(agreement) != 32 or device_id_of(signing) != where.device:
        return no(Reason.BAD_SIGNATURE, "its key is not the key its device id names")
    if not signature_valid(signing, unpacked.signed, unpacked.signature):
        return no(Reason.BAD_SIGNATURE, "its signature does not verify: changed or forged")
    return found
