"""The `state` digest: one value two devices print alike when they have seen the same events.

What it covers today, precisely: every event in this vault's log, own and
received, whose type changes a table (`appliers.audit_only` types are left
out: they record an unlock or a backup on one device and may not have
travelled yet), in (device, seq) order; for each, its device, number and
hash. An event's hash covers all its fields and the hash before it, so equal
digests mean equal event sets, byte for byte.

It does not cover the tables projected from the events (customers, approval
statuses, ...): received events are not replayed into them yet. When the
projections come, the digest grows to those tables in primary-key order,
leaving out local-only columns; its version prefix changes with it.
"""

from __future__ import annotations

import hashlib
import struct

from app.sync.appliers import audit_only
from vault.connection import Connection
from vault.sync.event_rows import event_hashes

VERSION = b"strongroom state v1: events\x00"
_SEQ = struct.Struct(">q")


def state_digest(conn: Connection) -> str:
    """SHA-256 (hex) over the events that change tables; see the module's rules."""
    h = hashlib.sha256(VERSION)
    for device, seq, type_, digest in event_hashes(conn):
        if audit_only(type_):
            continue
        name = device.encode()
        h.update(_SEQ.pack(len(name)) + name + _SEQ.pack(seq) + bytes(digest))
    return h.hexdigest()
