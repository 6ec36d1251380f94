"""Projections of periodic reviews: a review signed on one device restarts the
customer's clock on every device.

`review.recorded` carries the message its member signed and the signature; the row
is rebuilt from that message, and written only when the signature is the signer's
and the signer is a member this vault knows (a forged or unknown review changes
nothing). A review is known by its uid: the same review arriving twice is kept once.
"""

from __future__ import annotations

import json
from typing import Any

from app.reviews.signing import REVIEW
from app.sync.project import common
from app.sync.projection import Projection
from vault.events import Event

#: the fields of the message a review's member signs (app.reviews.service)
_FIELDS = {"review", "customer", "riskRating", "answers", "outcome", "reasons", "reviewedAt"}


def review_recorded(p: Projection, event: Event) -> None:
    body = common.body(event)
    message = body.get("message")
    if (
        not isinstance(message, dict)
        or set(message) != _FIELDS
        or not all(isinstance(v, str) for v in message.values())
    ):
        return
    customer_id = common.live(p, message.get("customer"))
    signer, signature = body.get("signer"), body.get("signature")
    if customer_id is None or not isinstance(signer, str) or not isinstance(signature, str):
        return
    member = p.conn.execute(
        "SELECT id FROM approval_members WHERE address = ?", (signer,)
    ).fetchone()
    try:
        signed = bytes.fromhex(signature.removeprefix("0x"))
        answers = _inner(message["answers"], "checklist")
        reasons = _inner(message["reasons"], "reasons")
    except ValueError:
        return
    if member is None or not REVIEW.check(message, signed, signer):
        return
    p.conn.execute(
        "INSERT OR IGNORE INTO reviews (uid, customer_id, reviewed_at, risk_rating, answers, "
        "outcome, reasons, member_id, signer, typed_hash, signature) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (
            message["review"],
            customer_id,
            message["reviewedAt"],
            message["riskRating"] or None,
            json.dumps(answers, ensure_ascii=False),
            message["outcome"],
            json.dumps(reasons, ensure_ascii=False),
            member[0],
            signer,
            REVIEW.digest(message),
            signed,
        ),
    )


def _inner(text: str, key: str) -> Any:
    value = json.loads(text)
    if not isinstance(value, dict) or key not in value:
        raise ValueError(key)
    return value[key]


APPLIERS = {"review.recorded": review_recorded}
