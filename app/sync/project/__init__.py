"""The projections: one applier per event type the app writes (`default_appliers`).

Received events are replayed in merge order (lamport, device, seq) inside the
pull's transaction; `book` and `approvals` say their rules. Not projected yet
(they wait, counted as `awaiting_projection`, and are replayed by a build that
knows them): screenings and explorer data, sanctions lists, prices.
"""

from __future__ import annotations

from app.sync.appliers import Appliers
from app.sync.project import approvals, book
from app.sync.projection import Projection


def default_appliers() -> Appliers:
    return Appliers({**book.APPLIERS, **approvals.APPLIERS}, finish=_finish)


def _finish(p: Projection) -> None:
    book.finish(p)  # first: a request's screening facts may follow from the book
    approvals.finish(p)
