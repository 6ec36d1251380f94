"""Projections of prices: a price imported on one device values requests on all.

A price is known by (asset, currency, as_of, source). Imported on two devices with
different figures, the one imported last (then the higher figure, as text) is kept
on both, whichever arrived first.
"""

from __future__ import annotations

from typing import Any

from app.sync.projection import Projection
from vault.events import Event


def prices_imported(p: Projection, event: Event) -> None:
    body = event.payload_json()
    if not isinstance(body, dict):
        return
    imported_at = str(body.get("imported_at") or event.created_at)
    rows: list[tuple[Any, ...]] = [
        (str(asset), str(currency), str(price), str(as_of), str(source), imported_at)
        for asset, currency, price, as_of, source in body.get("prices") or []
    ]
    p.conn.executemany(
        "INSERT INTO prices (asset, currency, price, as_of, source, imported_at) "
        "VALUES (?,?,?,?,?,?) ON CONFLICT (asset, currency, as_of, source) DO UPDATE SET "
        "price = excluded.price, imported_at = excluded.imported_at "
        "WHERE (excluded.imported_at, excluded.price) > (prices.imported_at, prices.price)",
        rows,
    )


APPLIERS = {"prices.imported": prices_imported}
