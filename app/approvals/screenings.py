"""The risk a request's address carries: the newest screening answers of each provider."""

from __future__ import annotations

from vault.approvals import queue
from vault.connection import Connection
from vault.store import Transaction

_RISK_RANK = {"none": 0, "unknown": 1, "low": 2, "medium": 3, "high": 4, "severe": 5}
_ANSWERED = ("ok", "invalid_address", "unsupported")


def risk_of(
    conn: Connection, chain: str | None, address: str | None
) -> tuple[str | None, bool, str | None]:
    """The worst of each provider's newest answer, any sanctions hit, and the newest time."""
    if not chain or not address:
        return None, False, None
    latest = queue.latest_screenings(conn, chain, address, _ANSWERED)
    if not latest:
        return None, False, None
    worst = max((v[0] for v in latest.values()), key=lambda lv: _RISK_RANK.get(lv, 1))
    return worst, any(v[1] for v in latest.values()), max(v[2] for v in latest.values())


def take_screenings(tx: Transaction) -> list[str]:
    """Copy the newest risk of each requested address screened since last time;
    returns the requests touched."""
    pairs, top = queue.screened_since(tx.conn)
    touched: list[str] = []
    for chain, address in pairs:
        touched += queue.set_risk(tx.conn, chain, address, risk_of(tx.conn, chain, address))
    if top is not None:
        queue.mark_screenings_seen(tx.conn, top)
    return touched
