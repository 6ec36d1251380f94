""" "Changed on two devices": the customers whose field two devices changed at once,
with both values, until someone has looked (`customer_changes`, set by the
projection in `app.sync.project.book`).

The kept value is the one in the record (the last writer in merge order); the
other is read back from its event, opened with the key of the device that
sealed it (this vault's own key for its own events). Database worker.
"""

from __future__ import annotations

import json
from typing import Any

from app.sync.projection import Opener
from vault.pii import CustomerKeys
from vault.store import Vault
from vault.sync import customer_keys


def two_device_changes(vault: Vault) -> list[dict[str, Any]]:
    """Unseen marks, oldest customer first: customer (external id, else uid), field,
    the value kept and the value overwritten, and which devices wrote them."""
    conn = vault.conn
    own = CustomerKeys(conn)
    rows = conn.execute(
        "SELECT x.customer_id, c.uid, c.external_id, x.field, w.device, w.payload, "
        "l.device, l.payload FROM customer_changes x JOIN customers c ON c.id = x.customer_id "
        "JOIN events w ON w.id = x.winner JOIN events l ON l.id = x.loser "
        "WHERE x.seen_at IS NULL ORDER BY x.customer_id, x.field, l.lamport"
    ).fetchall()
    found: list[dict[str, Any]] = []
    for customer_id, uid, external_id, name, w_device, w_payload, l_device, l_payload in rows:
        at = (int(customer_id), str(uid), str(name))
        found.append(
            {
                "customer": external_id or uid,
                "field": name,
                "kept": _value(vault, own, at, device=w_device, payload=w_payload),
                "kept_from": w_device,
                "other": _value(vault, own, at, device=l_device, payload=l_payload),
                "other_from": l_device,
            }
        )
    return found


def _value(
    vault: Vault, own: CustomerKeys, at: tuple[int, str, str], *, device: str, payload: bytes
) -> Any:
    """The value of field `at[2]` of customer `at` (id, uid) that one event set, in clear."""
    customer_id, uid, name = at
    body = json.loads(payload)
    token = (body.get("values") or body.get("new") or {}).get(name)
    if device == vault.device:
        return own.open(customer_id, token)
    return Opener(customer_keys.cipher(vault.conn, log_device=device, uid=uid)).open(token)
