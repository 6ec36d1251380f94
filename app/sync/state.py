"""The `state` digest: one value two devices print alike when they have seen the same events.

What it covers today, precisely: for every device in this vault's event log
(this one and those received), its newest event of a type that changes a
table (`appliers.audit_only` types are passed over: an unlock or a backup on
one device may not have travelled yet); for each, the device, the event's
number and its hash, by device. An event's hash covers all its fields and the
hash of the one before it, so that one hash stands for the device's whole
chain up to it: equal digests mean the same events, byte for byte, on every
device. It costs a few rows per device, not a pass over the log.

It does not cover the tables projected from the events (customers, approval
statuses, ...): received events are not replayed into them yet. When the
projections come, the digest grows to those tables in primary-key order,
leaving out local-only columns; its version prefix changes with it.
"""

from __future__ import annotations

import hashlib
import struct

from app.sync.appliers import AUDIT_ONLY, AUDIT_PREFIX
from vault.connection import Connection
from vault.sync.event_rows import newest_counting

VERSION = b"strongroom state v1: event chains\x00"
_NUMBER = struct.Struct(">q")


def state_digest(conn: Connection) -> str:
    """SHA-256 (hex) over each device's chain up to its newest table-changing event."""
    h = hashlib.sha256(VERSION)
    heads = newest_counting(conn, skip_prefix=AUDIT_PREFIX, skip_types=sorted(AUDIT_ONLY))
    for device, seq, digest in heads:
        name = device.encode()
        h.update(_NUMBER.pack(len(name)) + name + _NUMBER.pack(seq) + digest)
    return h.hexdigest()
