"""Projections of screening answers and explorer figures, evidence included.

- A screening answer is history: each received answer is one more row, never a
  change of another (the newest per address and provider is the cached answer
  on every device alike, as `fetched_at` orders them).
- An explorer summary is the newest per (chain, address, source) by the time it
  was fetched, whichever device fetched it; daily flows follow their own rule
  (`vault.screening.explorer.put_flows`: a complete day is never replaced by an
  incomplete one).
- `screening.run` is a batch's summary: its answers came in `screening.recorded`.
"""

from __future__ import annotations

from typing import Any

from app.screening.shared import EXPLORED, SCREENED, from_text
from app.sync.project import common
from app.sync.projection import Projection
from vault.events import Event
from vault.screening import explorer, screenings
from vault.screening.explorer import FlowRow


def screening_recorded(p: Projection, event: Event) -> None:
    for row in common.body(event).get("rows") or []:
        screenings.record(p.conn, {**row, "raw": from_text(row.get("raw"))})


def explorer_refreshed(p: Projection, event: Event) -> None:
    for answer in common.body(event).get("answers") or []:
        summary = dict(answer["summary"])
        held = p.conn.execute(
            "SELECT fetched_at FROM explorer_summaries WHERE chain = ? AND address = ? "
            "AND source = ?",
            (summary["chain"], summary["address"], summary["source"]),
        ).fetchone()
        if held is None or str(held[0]) < str(summary["fetched_at"]):
            explorer.put_summary(p.conn, {**summary, "raw": from_text(summary.get("raw"))})
        explorer.put_flows(
            p.conn,
            chain=summary["chain"],
            address=summary["address"],
            source=summary["source"],
            fetched_at=summary["fetched_at"],
            flows=[_flow(f) for f in answer.get("flows") or []],
        )


def _flow(raw: list[Any]) -> FlowRow:
    day, asset, symbol, decimals, inflow, outflow, transfers, complete = raw
    return FlowRow(
        str(day), str(asset), symbol, decimals, int(inflow), int(outflow), int(transfers),
        bool(complete),
    )  # fmt: skip


def screening_run(p: Projection, event: Event) -> None:
    """Nothing to write: a batch's summary; its answers came in their own events."""


APPLIERS = {
    SCREENED: screening_recorded,
    EXPLORED: explorer_refreshed,
    "screening.run": screening_run,
}
