"""Projections of a customer's KYC dates (`vault.book.kyc_dates`): each date takes the
value of the newest event that set it, in merge order, whichever arrived first."""

from __future__ import annotations

from app.sync.project import common
from app.sync.projection import Projection
from app.sync.stamps import setters, stamp
from vault.book import kyc_dates
from vault.events import Event


def dates_set(p: Projection, event: Event) -> None:
    body = common.body(event)
    uid = body.get("customer")
    customer_id = common.live(p, uid)
    if customer_id is None or not isinstance(uid, str):
        return  # not here, or erased: nothing of it is written again
    later = [s for s in setters(p.conn, uid, (kyc_dates.EVENT,)) if s.stamp > stamp(event)]
    dates = {
        name: body[name]
        for name in kyc_dates.FIELDS
        if name in body and not any(name in s.payload for s in later)
    }
    kyc_dates.set_dates(p.conn, customer_id, dates)


APPLIERS = {kyc_dates.EVENT: dates_set}
