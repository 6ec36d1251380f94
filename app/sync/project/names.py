"""Projections of name screening: the hits raised on one device and the officers'
signed dispositions of them are held on every device.

- A hit is known everywhere by what it is about, not by its row number: the
  customer (uid), the list entry and the digests of the screened name and of the
  entry's content (the key a device screening again finds it by). Raised on two
  devices, it is one hit, raised when the first device raised it.
- A disposition is a signed fact. It keeps the hit number its signature covers
  (`signed_hit`), so it verifies where it arrives (`NameScreening.verify`). Two
  devices disposing of one hit while apart: the earlier decision stands on both
  (then the lower signer address), the other stays in the history.
- A true match makes the customer's risk prohibited on the device that decided;
  that change travels as its own `customer.updated` (`book`).
- An erased customer's hits are not written again.
"""

from __future__ import annotations

import json

from app.sync.project import common
from app.sync.projection import Projection
from vault.events import Event
from vault.pii import ERASED

_REQUIRED = ("customer", "field", "source", "entry", "listed_name", "program", "score",
             "name_digest", "entry_digest", "raised_at")  # fmt: skip


def hit_raised(p: Projection, event: Event) -> None:
    body = common.body(event)
    customer_id = common.live(p, body.get("customer"))
    if customer_id is None or not all(k in body for k in _REQUIRED):
        return  # erased or not here; or raised by a build that did not say enough
    why = p.opener(event, str(body["customer"])).open(body.get("why"))
    p.conn.execute(
        "INSERT INTO name_hits (customer_id, field, name_digest, source, entry_id, "
        "entry_digest, listed_name, program, score, why, raised_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT (customer_id, entry_id, name_digest, entry_digest) "
        "DO UPDATE SET raised_at = min(raised_at, excluded.raised_at)",
        (
            customer_id,
            body["field"],
            body["name_digest"],
            body["source"],
            body["entry"],
            body["entry_digest"],
            body["listed_name"],
            body["program"],
            int(body["score"]),
            why if isinstance(why, str) and why != ERASED else json.dumps({}),
            body["raised_at"],
        ),
    )


def disposed(p: Projection, event: Event) -> None:
    body = common.body(event)
    message = body.get("message")
    if not isinstance(message, dict):
        return
    customer_id = common.live(p, message.get("customer"))
    if customer_id is None:
        return
    row = p.conn.execute(
        "SELECT id FROM name_hits WHERE customer_id = ? AND entry_id = ? AND name_digest = ? "
        "AND entry_digest = ?",
        (customer_id, message.get("entry"), message.get("nameDigest"), message.get("entryDigest")),
    ).fetchone()
    if row is None:
        return
    hit_id = int(row[0])
    p.conn.execute(
        "INSERT INTO name_dispositions (hit_id, verdict, reason, decided_at, signer, "
        "typed_hash, signature, signed_hit) VALUES (?,?,?,?,?,?,?,?) "
        "ON CONFLICT (hit_id) DO UPDATE SET verdict = excluded.verdict, "
        "reason = excluded.reason, decided_at = excluded.decided_at, signer = excluded.signer, "
        "typed_hash = excluded.typed_hash, signature = excluded.signature, "
        "signed_hit = excluded.signed_hit "
        "WHERE (excluded.decided_at, excluded.signer) < "
        "(name_dispositions.decided_at, name_dispositions.signer)",
        (
            hit_id,
            message["verdict"],
            message["reason"],
            message["decidedAt"],
            body["signer"],
            bytes.fromhex(str(body["typed_hash"]).removeprefix("0x")),
            bytes.fromhex(str(body["signature"]).removeprefix("0x")),
            str(message["hit"]),
        ),
    )
    p.conn.execute(
        "UPDATE name_hits SET status = (SELECT verdict FROM name_dispositions WHERE hit_id = ?) "
        "WHERE id = ?",
        (hit_id, hit_id),
    )


APPLIERS = {"names.hit_raised": hit_raised, "names.disposed": disposed}
