"""Projections of the sanctions lists: a list imported on one device is held, row
for row and with its provenance, on every device.

A list is known by its source ('ofac-sdn', 'ofac-plain-ETH', ...). Of the events
that import or remove one source, the newest in merge order decides what every
device holds, whichever arrived first; an older one arriving late changes nothing.
`sanctions.imported` is the import's record; the rows came in `sanctions.list`.
"""

from __future__ import annotations

from typing import Any

from app.screening.sanctions.shared import SHARED, unpack
from app.sync.project import common
from app.sync.projection import Projection
from app.sync.stamps import stamp
from vault.events import Event
from vault.screening import list_rows, parties, sanctions


def _newest(p: Projection, event: Event, source: Any) -> bool:
    """Whether `event` is the newest import or removal of `source` in merge order."""
    row = p.conn.execute(
        "SELECT lamport, device, seq FROM events WHERE type IN (?, 'sanctions.removed') "
        "AND json_extract(CAST(payload AS TEXT), '$.source') = ? "
        "ORDER BY lamport DESC, device DESC, seq DESC LIMIT 1",
        (SHARED, source),
    ).fetchone()
    return row is not None and tuple(row) == stamp(event)


def list_shared(p: Projection, event: Event) -> None:
    body = common.body(event)
    if _newest(p, event, body.get("source")):
        list_rows.load(p.conn, unpack(body))


def list_removed(p: Projection, event: Event) -> None:
    source = common.body(event).get("source")
    if isinstance(source, str) and _newest(p, event, source):
        parties.remove_parties(p.conn, source)
        sanctions.remove_list(p.conn, source)


def list_imported(p: Projection, event: Event) -> None:
    """Nothing to write: the import's record; its rows came in `sanctions.list`."""


APPLIERS = {
    SHARED: list_shared,
    "sanctions.removed": list_removed,
    "sanctions.imported": list_imported,
}
