"""The projections: one applier per event type the app writes (`default_appliers`).

Received events are replayed in merge order (lamport, device, seq) inside the
pull's transaction; each module says its rules: `book`, `approvals`, `kyc`
(KYC dates), `screening` (answers and explorer figures with their evidence),
`lists` (sanctions lists), `prices`, `names` (name-screening hits and
their signed dispositions), `documents` (KYC documents, carried beside their
events, sealed under each device's own key of the customer), `reviews` (signed
periodic reviews). An event of a type without a projection
waits, counted as `awaiting_projection`, and is replayed by a build that knows it.
"""

from __future__ import annotations

from app.sync.appliers import Appliers
from app.sync.project import (
    approvals,
    book,
    documents,
    kyc,
    lists,
    names,
    prices,
    reviews,
    screening,
)
from app.sync.projection import Projection


def default_appliers() -> Appliers:
    return Appliers(
        {
            **book.APPLIERS,
            **approvals.APPLIERS,
            **kyc.APPLIERS,  # after book's: its customer.updated is book's, then the dates
            **screening.APPLIERS,
            **lists.APPLIERS,
            **prices.APPLIERS,
            **names.APPLIERS,
            **documents.APPLIERS,
            **reviews.APPLIERS,
        },
        finish=_finish,
    )


def _finish(p: Projection) -> None:
    book.finish(p)  # first: a request's screening facts may follow from the book
    approvals.finish(p)
