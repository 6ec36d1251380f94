"""Segments: the numbered files in which a device shares its events, and the checks
a pulled one must pass before anything in it is applied.

A segment is a `container` file named `<desk>/devices/<device>/<seq:08d>.seg`.
Its clear header says desk, device, number (`seq`, from 1, no gaps), the
digest of the same device's previous segment (`prev`, "" for the first), the
schema version of the events and when it was written; its sealed body is the
list of events (opaque JSON objects here). Everything is signed by the device.

The rules of `open_segment`, a pure function of the file, its name and what
this device already trusts and has taken:

- It returns the verified events, or one `Quarantine` with its reason; never
  some of the events.
- The file must be well formed (else `truncated` or `malformed`), of this desk
  (`wrong_desk`), and say inside what its name says outside (`misnamed`: a
  file copied or moved to another number).
- Its device must be known (`unknown_device`), its signature must verify with
  that device's key (`bad_signature`), and a removed device's segments count
  only up to the number its removal names (`removed_device`).
- Numbers are taken one after the other: an old one again is `replay`, one
  after a missing number is `gap`; `prev` must be the digest of the segment
  taken before it (`broken_chain`).
- A newer schema (`newer_schema`) or file format (`newer_format`) waits for an
  update; a key id this device does not hold (`unknown_key`) waits for the key.
  A body the key does not open is `undecryptable`.
- Applying a verified segment checks its events against the event log
  (`bad_events`, `app.sync.pull`); an announcement claiming a log that is
  already another device's is `claimed_log`.

`Reason.hold` marks what may verify later (a missing earlier file, a device or
key not yet known, an update): those are tried again on the next sync. Either
way nothing after a quarantined segment of that device is applied, since
each one must follow the one before.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, NamedTuple

from app.sync import documents as carried_documents
from app.sync.container import (
    FORMAT,
    Broken,
    Unpacked,
    digest,
    field,
    open_body,
    pack,
    unpack,
)
from app.sync.keys import DeskKey, DeviceKeys, signature_valid

#: the schema version of the events this build writes and reads
SCHEMA = 1

_NAME = re.compile(
    r"(?P<desk>[a-z0-9]+)/devices/(?P<device>[a-z0-9]+)/"
    r"(?:(?P<seq>[0-9]{8,})\.seg|(?P<ann>device\.ann))"
)


class Reason(StrEnum):
    TRUNCATED = "truncated"
    MALFORMED = "malformed"
    WRONG_DESK = "wrong_desk"
    MISNAMED = "misnamed"
    UNKNOWN_DEVICE = "unknown_device"
    BAD_SIGNATURE = "bad_signature"
    REMOVED_DEVICE = "removed_device"
    REPLAY = "replay"
    GAP = "gap"
    BROKEN_CHAIN = "broken_chain"
    NEWER_SCHEMA = "newer_schema"
    NEWER_FORMAT = "newer_format"
    UNKNOWN_KEY = "unknown_key"
    UNDECRYPTABLE = "undecryptable"
    #: a verified segment whose events do not continue its device's event log
    #: (another log's events, a gap, a broken link, an event that differs from
    #: one held): judged when it is applied (`vault.sync.event_rows`)
    BAD_EVENTS = "bad_events"
    #: an announcement claiming the event log of this or another known device
    CLAIMED_LOG = "claimed_log"

    @property
    def hold(self) -> bool:
        """True when the file may verify later and is tried again on the next sync."""
        return self in _HOLD


_HOLD = frozenset(
    {
        Reason.GAP,
        Reason.UNKNOWN_DEVICE,
        Reason.UNKNOWN_KEY,
        Reason.NEWER_SCHEMA,
        Reason.NEWER_FORMAT,
    }
)


class Quarantine(NamedTuple):
    name: str
    reason: Reason
    detail: str  # for people: what is wrong, in words


class TargetName(NamedTuple):
    desk: str
    device: str
    seq: int | None  # None: the device's announcement


class KnownDevice(NamedTuple):
    """A device this desk trusts: its Ed25519 public key, and since when it is removed."""

    signing: bytes
    #: the last segment number that still counts; None while the device is a member
    removed_after: int | None = None


class Position(NamedTuple):
    """The last segment taken from a device: its number and digest (0, "" for none)."""

    seq: int = 0
    digest: str = ""


class Sealed(NamedTuple):
    name: str
    data: bytes
    digest: str


class Verified(NamedTuple):
    name: str
    device: str
    seq: int
    created_at: str
    schema: int
    events: tuple[dict[str, Any], ...]
    digest: str
    #: the writer's keys of the customers these events are about: [uid, id, key]
    keys: tuple[Any, ...] = ()
    #: the documents its events add or move, sealed under those keys (`app.sync.documents`)
    documents: Mapping[str, tuple[str, tuple[bytes, ...]]] = {}

    @property
    def position(self) -> Position:
        return Position(self.seq, self.digest)


def segment_name(desk: str, device: str, seq: int) -> str:
    if seq < 1:
        raise ValueError("segments are numbered from 1")
    return f"{desk}/devices/{device}/{seq:08d}.seg"


def announcement_name(desk: str, device: str) -> str:
    return f"{desk}/devices/{device}/device.ann"


def parse_name(name: str) -> TargetName | None:
    """What a target name says, or None for a name no Strongroom device writes."""
    found = _NAME.fullmatch(name)
    if found is None:
        return None
    if found["ann"]:
        return TargetName(found["desk"], found["device"], None)
    seq = int(found["seq"])
    if seq < 1 or found["seq"] != f"{seq:08d}":  # one spelling per number
        return None
    return TargetName(found["desk"], found["device"], seq)


def seal_segment(
    events: Sequence[Mapping[str, Any]],
    *,
    desk: str,
    seq: int,
    after: Position,
    key: DeskKey,
    device: DeviceKeys,
    created_at: str,
    schema: int = SCHEMA,
    keys: Sequence[Sequence[Any]] = (),
    documents: Mapping[str, Any] | None = None,
) -> Sealed:
    """Segment `seq` of `device`, following the segment at `after`. `keys`: the
    device's keys of the customers the events are about ([uid, id, key]); with
    them the body is {"events": [...], "keys": [...]}, else the list of events;
    `documents` (`app.sync.documents.gather`) join them there."""
    if seq != after.seq + 1:
        raise ValueError(f"segment {seq} cannot follow segment {after.seq}")
    me = device.device
    header = {
        "kind": "segment",
        "desk": desk,
        "device": me,
        "seq": seq,
        "prev": after.digest,
        "schema": schema,
        "created_at": created_at,
    }
    rows = [dict(e) for e in events]
    body: Any = {"events": rows, "keys": [list(k) for k in keys]} if keys or documents else rows
    if documents:
        body["documents"] = dict(documents)
    data = pack(header, body, key=key, device=device)
    return Sealed(segment_name(desk, me, seq), data, digest(data))


def open_segment(
    name: str,
    data: bytes,
    *,
    desk: str,
    devices: Mapping[str, KnownDevice],
    keys: Mapping[str, DeskKey],
    after: Position,
    schema: int = SCHEMA,
) -> Verified | Quarantine:
    """The segment's events if every check passes, else why not (see the module's rules).

    `devices`: the desk's devices by id; `keys`: the desk keys held, by key id;
    `after`: the last segment taken from the device the name names."""

    def no(reason: Reason, detail: str) -> Quarantine:
        return Quarantine(name, reason, detail)

    read = read_file(name, data, desk=desk, kind="segment")
    if isinstance(read, Quarantine):
        return read
    where, unpacked = read
    head = unpacked.header
    assert where.seq is not None  # read_file checked the name is a segment's
    known = devices.get(where.device)
    if known is None:
        return no(Reason.UNKNOWN_DEVICE, "written by a device this desk does not know (yet)")
    if not signature_valid(known.signing, unpacked.signed, unpacked.signature):
        return no(Reason.BAD_SIGNATURE, "its signature does not verify: changed or forged")
    # What may wait for later is judged only on signed content, so that
    # tampering can never make a file look merely early.
    too_new = check_version(name, head)
    if too_new is not None:
        return too_new
    seq = where.seq
    if known.removed_after is not None and seq > known.removed_after:
        return no(Reason.REMOVED_DEVICE, "written after its device was removed from the desk")
    if seq <= after.seq:
        return no(Reason.REPLAY, f"segment {seq} was taken already (up to {after.seq})")
    if seq > after.seq + 1:
        return no(Reason.GAP, f"segment {after.seq + 1} of this device is missing")
    prev, written_schema = field(head, "prev", str), field(head, "schema", int)
    created_at = field(head, "created_at", str)
    if prev is None or written_schema is None or created_at is None:
        return no(Reason.MALFORMED, "its header lacks a field")
    if prev != after.digest:
        return no(Reason.BROKEN_CHAIN, "it does not follow the segment taken before it")
    if written_schema > schema:
        return no(Reason.NEWER_SCHEMA, "its events need a newer Strongroom; update to read it")
    body = read_body(name, unpacked, keys)
    if isinstance(body, Quarantine):
        return body
    events: Any = body
    carried: Any = []
    documents: Any = {}
    if isinstance(body, dict):
        events, carried = body.get("events"), body.get("keys")
        if not isinstance(carried, list):
            return no(Reason.MALFORMED, "its customer keys are not a list")
        documents = carried_documents.parse(body.get("documents"))
        if documents is None:
            return no(Reason.MALFORMED, "a document it carries does not match its digest")
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        return no(Reason.MALFORMED, "its content is not a list of events")
    return Verified(
        name,
        where.device,
        seq,
        created_at,
        written_schema,
        tuple(events),
        digest(data),
        tuple(carried),
        documents,
    )


def read_file(
    name: str, data: bytes, *, desk: str, kind: str
) -> tuple[TargetName, Unpacked] | Quarantine:
    """The checks every sync file passes first: a name of this desk for this kind
    of file ("segment" or "device"), whole framing, and a header that says what
    the name says."""
    what = "segment" if kind == "segment" else "device announcement"
    where = parse_name(name)
    if where is None or (where.seq is None) != (kind == "device"):
        return Quarantine(name, Reason.MALFORMED, f"not the name of a {what}")
    if where.desk != desk:
        return Quarantine(name, Reason.WRONG_DESK, "it belongs to another desk")
    unpacked = unpack(data)
    if isinstance(unpacked, Broken):
        reason = Reason.TRUNCATED if unpacked.truncated else Reason.MALFORMED
        return Quarantine(name, reason, unpacked.detail)
    head = unpacked.header
    if field(head, "desk", str) != desk:
        return Quarantine(name, Reason.WRONG_DESK, "it was written for another desk")
    if (
        field(head, "kind", str) != kind
        or field(head, "device", str) != where.device
        or field(head, "seq", int) != where.seq
    ):
        return Quarantine(name, Reason.MISNAMED, f"its content is not the {what} its name says")
    return where, unpacked


def check_version(name: str, header: Mapping[str, Any]) -> Quarantine | None:
    """None when this build reads the file's format."""
    version = field(header, "v", int)
    if version is None:
        return Quarantine(name, Reason.MALFORMED, "its header has no format version")
    if version > FORMAT:
        return Quarantine(
            name, Reason.NEWER_FORMAT, "written by a newer Strongroom; update to read it"
        )
    return None


def read_body(name: str, unpacked: Unpacked, keys: Mapping[str, DeskKey]) -> Any:
    """The file's body opened with the desk key its header names, or a Quarantine."""
    key = keys.get(str(unpacked.header.get("key")))
    if key is None:
        return Quarantine(
            name, Reason.UNKNOWN_KEY, "sealed with a desk key this device does not hold (yet)"
        )
    try:
        return open_body(unpacked, key)
    except ValueError:
        return Quarantine(name, Reason.UNDECRYPTABLE, "the desk key does not open it")
