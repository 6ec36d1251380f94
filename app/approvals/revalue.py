"""Valuing requests from the vault's price table (runs on the database worker).

`value_new` values a request as it is made; `revalue_open` values the open requests
again (a new price, or one going stale with time) and returns those whose valuation
changed, for the status refresh to take in, as new screenings are. A decided request
keeps the valuation it was decided with.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.approvals import valuing
from app.approvals.policy import ValuationRules
from app.approvals.times import when
from app.prices import book
from app.prices.quotes import Quote
from app.prices.valuation import Valuation
from vault.approvals import store
from vault.connection import Connection

#: the statuses a new price can still change
OPEN = ("pending", "needs_refresh", "blocked")


def quotes(
    conn: Connection, rules: ValuationRules, assets: Collection[str], now: datetime
) -> dict[str, Quote]:
    """asset -> its newest price in the reference currency as of `now`."""
    if not assets:
        return {}
    found = book.newest(conn, currency=rules.currency, assets=assets, until=now)
    return {q.asset: q for q in found}


def value_new(
    conn: Connection,
    rules: ValuationRules,
    *,
    kind: str,
    asset: str | None,
    figure: Decimal | None,
    now: datetime,
) -> Valuation | None:
    found = quotes(conn, rules, [asset] if asset else [], now)
    return valuing.value_request(
        kind=kind, asset=asset, figure=figure, rules=rules, quotes=found, now=now
    )


def signed_valuation(conn: Connection, rules: ValuationRules, request_id: str) -> dict[str, str]:
    """The stored valuation of a request as a decision signs it (VALUATION_FIELDS)."""
    row = conn.execute(
        # constant column names; values are ? params
        f"SELECT kind, asset, amount_exact, {', '.join(store.VALUATION_COLUMNS)} "  # nosec B608
        "FROM approval_requests WHERE id = ?",
        (request_id,),
    ).fetchone()
    kind, asset, figure, *stored = row
    found = valuing.from_columns(
        kind=kind,
        asset=asset,
        figure=None if figure is None else Decimal(figure),
        row=stored,
        rules=rules,
    )
    return valuing.signed(found, rules.currency)


def _add_carried(
    found: dict[str, Quote], rows: list[Any], rules: ValuationRules, now: datetime
) -> None:
    """The prices the requests carry count as known prices too: a request made on
    another device comes with the price it was valued with, which this device's table
    may lack. Without this, a device with no prices cleared it and asked for the top
    tier while the device that made it did not (found by the crash harness)."""
    for _rid, kind, asset, _figure, _fresh, currency, price, as_of, source, _valued in rows:
        if kind != "withdrawal" or not asset or price is None or as_of is None:
            continue
        if currency != rules.currency:
            continue
        carried = Quote(str(asset), rules.currency, Decimal(price), when(as_of), source or "")
        if carried.as_of > now:
            continue
        known = found.get(carried.asset)
        if known is None or known.as_of < carried.as_of:
            found[carried.asset] = carried


def revalue_open(
    conn: Connection, rules: ValuationRules, now: datetime, ids: Collection[str] | None = None
) -> list[str]:
    """Value the open requests that carry an amount again (only `ids` when given); store
    the valuations that changed and return those requests' ids. Inside the caller's
    transaction.

    A request is written only when what the tiers read changes: another price (or
    none), or the same price turning stale. So a refresh that finds nothing new
    compares one small tuple per open request and writes nothing."""
    where = f"status IN ({', '.join('?' for _ in OPEN)}) AND amount_exact IS NOT NULL"
    params: list[object] = list(OPEN)
    if ids is not None:
        where += " AND id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(list(ids)))
    rows = conn.execute(
        # clauses are fixed SQL from code; values are ? params
        "SELECT id, kind, asset, amount_exact, value_exact IS NOT NULL, "  # nosec B608
        "value_currency, price, price_as_of, price_source, valued_at IS NOT NULL "
        f"FROM approval_requests WHERE {where}",
        tuple(params),
    ).fetchall()
    if not rows:
        return []
    found = quotes(conn, rules, {str(r[2]) for r in rows if r[2]}, now)
    _add_carried(found, rows, rules, now)
    # What the stored columns of a request priced the same way now look like, per asset
    # (None: a whitelist limit, at par): (fresh, currency, price, price time, source).
    expected: dict[str | None, tuple[object, ...]] = {}
    changes: list[tuple[str | None, ...]] = []
    for rid, kind, asset, figure, fresh, *stored, valued in rows:
        key = asset if kind == "withdrawal" else None
        if key not in expected:
            probe = valuing.value_request(
                kind=kind, asset=asset, figure=Decimal(1), rules=rules, quotes=found, now=now
            )
            columns = valuing.columns(probe)
            expected[key] = (probe is not None and probe.fresh, *columns[1:5])
        if valued and (bool(fresh), *stored) == expected[key]:
            continue
        valuation = valuing.value_request(
            kind=kind, asset=asset, figure=Decimal(figure), rules=rules, quotes=found, now=now
        )
        changes.append((*valuing.columns(valuation), rid))
    store.set_valuations(conn, changes)
    return [str(c[-1]) for c in changes]
