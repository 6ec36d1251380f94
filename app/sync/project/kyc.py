"""Projections of a customer's KYC dates (`vault.book.kyc_dates`): each date takes the
value of the newest event that set it, in merge order, whichever arrived first.

The status's date rides in the `customer.updated` that changed the status, so this
module's applier of `customer.updated` is the book's, then the date; it is
registered after the book's (`app.sync.project`).
"""

from __future__ import annotations

from app.sync.project import book, common
from app.sync.projection import Projection
from app.sync.stamps import setters, stamp
from vault.book import kyc_dates
from vault.events import Event

_SETTERS = (kyc_dates.EVENT, "customer.updated")


def dates_set(p: Projection, event: Event) -> None:
    body = common.body(event)
    uid = body.get("customer")
    customer_id = common.live(p, uid)
    if customer_id is None or not isinstance(uid, str):
        return  # not here, or erased: nothing of it is written again
    wanted = [name for name in kyc_dates.FIELDS if name in body]
    if not wanted:
        return
    later = [s for s in setters(p.conn, uid, _SETTERS) if s.stamp > stamp(event)]
    dates = {name: body[name] for name in wanted if not any(name in s.payload for s in later)}
    kyc_dates.set_dates(p.conn, customer_id, dates)


def customer_updated(p: Projection, event: Event) -> None:
    book.customer_updated(p, event)
    dates_set(p, event)


APPLIERS = {kyc_dates.EVENT: dates_set, "customer.updated": customer_updated}
