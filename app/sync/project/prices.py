"""Projections of prices: a price imported on one device values requests on all.

A price is known by (asset, currency, as_of, source). Its figure is the one of the
newest import in merge order that lists it, whichever arrived first: an older
import arriving late changes nothing. An import that gives the figure already
held changes nothing either (as importing the same file again here does not), so
`imported_at` says when this device first held the figure and stays out of `state`.
"""

from __future__ import annotations

from app.sync.project import common
from app.sync.projection import Projection
from vault.events import Event

_NEWER = (
    "SELECT 1 FROM events e, json_each(CAST(e.payload AS TEXT), '$.prices') j "
    "WHERE e.type = 'prices.imported' AND (e.lamport, e.device, e.seq) > (?, ?, ?) "
    "AND json_extract(j.value, '$[0]') = ? AND json_extract(j.value, '$[1]') = ? "
    "AND json_extract(j.value, '$[3]') = ? AND json_extract(j.value, '$[4]') = ? LIMIT 1"
)


def prices_imported(p: Projection, event: Event) -> None:
    body = common.body(event)
    imported_at = str(body.get("imported_at") or event.created_at)
    at = (event.lamport, event.device, event.seq)
    for asset, currency, price, as_of, source in body.get("prices") or []:
        key = (str(asset), str(currency), str(as_of), str(source))
        if p.conn.execute(_NEWER, (*at, *key)).fetchone() is not None:
            continue
        p.conn.execute(
            "INSERT INTO prices (asset, currency, as_of, source, price, imported_at) "
            "VALUES (?,?,?,?,?,?) ON CONFLICT (asset, currency, as_of, source) DO UPDATE SET "
            "price = excluded.price, imported_at = excluded.imported_at "
            "WHERE excluded.price != prices.price",
            (*key, str(price), imported_at),
        )


APPLIERS = {"prices.imported": prices_imported}
