"""Per-customer keys travelling with segments, so another device can read what a
customer's events seal (`vault.pii`).

A device's segment carries, beside its events, its own keys of the customers
those events are about: (uid, the customer's id on that device, key). The
receiver keeps them by (device, uid) and opens those events' values with
them. An erased customer's keys are deleted everywhere the erasure reaches,
and keys arriving after it are refused.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vault.connection import Connection
from vault.pii import PREFIX


def own_keys(conn: Connection, *, device: str, first: int, last: int) -> list[list[Any]]:
    """[uid, id, key (base64)] for every customer that `device`'s events `first`..`last`
    are about (by subject, or by the side index for batch events), whose key exists."""
    rows = conn.execute(
        "SELECT c.uid, c.id, k.key FROM customers c JOIN customer_keys k ON k.customer_id = c.id "
        "WHERE c.uid IN (SELECT subject FROM events WHERE device = ?1 AND seq BETWEEN ?2 AND ?3 "
        "AND subject IS NOT NULL) OR c.id IN (SELECT a.customer_id FROM event_customers a "
        "JOIN events e ON e.rowid_ = a.event WHERE e.device = ?1 AND e.seq BETWEEN ?2 AND ?3) "
        "ORDER BY c.uid",
        (device, first, last),
    )
    return [[str(u), int(i), base64.b64encode(bytes(k)).decode("ascii")] for u, i, k in rows]


def take(
    conn: Connection, *, log_device: str, keys: Sequence[Any]
) -> dict[tuple[str, str], tuple[int, bytes]]:
    """Keep the keys a verified segment of `log_device` carried (not an erased
    customer's); returns them by (log device, uid), as kept."""
    rows: list[tuple[str, str, int, bytes]] = []
    for item in keys:
        if not (isinstance(item, list) and len(item) == 3):
            continue
        uid, origin, key = item
        if not isinstance(uid, str) or type(origin) is not int or not isinstance(key, str):
            continue
        raw = base64.b64decode(key)
        if len(raw) == 32:
            rows.append((log_device, uid, origin, raw))
    conn.executemany(
        "INSERT INTO sync_customer_keys (log_device, uid, origin, key) "
        "SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS "
        "(SELECT 1 FROM customers WHERE uid = ?2 AND erased_at IS NOT NULL) "
        "ON CONFLICT (log_device, uid) DO UPDATE SET origin = excluded.origin, key = excluded.key",
        rows,
    )
    if not rows:
        return {}
    erased = {
        str(r[0])
        for r in conn.execute(
            "SELECT uid FROM customers WHERE erased_at IS NOT NULL AND uid IN "
            "(SELECT value FROM json_each(?))",
            (json.dumps([r[1] for r in rows]),),
        )
    }
    return {(d, u): (o, k) for d, u, o, k in rows if u not in erased}


def cipher(conn: Connection, *, log_device: str, uid: str) -> tuple[int, AESGCM] | None:
    """The key `log_device` sealed `uid`'s values with, and the id the sealing binds."""
    row = conn.execute(
        "SELECT origin, key FROM sync_customer_keys WHERE log_device = ? AND uid = ?",
        (log_device, uid),
    ).fetchone()
    return None if row is None else (int(row[0]), AESGCM(bytes(row[1])))


def forget_customer(conn: Connection, uid: str) -> None:
    """An erasure: every other device's key of the customer goes."""
    conn.execute("DELETE FROM sync_customer_keys WHERE uid = ?", (uid,))


def open_value(found: tuple[int, AESGCM], token: str) -> str | None:
    """A value sealed `vault.pii`-style with `found`'s key and origin id; None if it fails."""
    origin, key = found
    try:
        raw = base64.b64decode(token[len(PREFIX) :])
        return key.decrypt(raw[:12], raw[12:], str(origin).encode()).decode()
    except (InvalidTag, ValueError):
        return None
