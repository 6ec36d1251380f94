"""A request's valuation for the policy's tiers, and its round trip through the
request's columns (vault.approvals.store.VALUATION_COLUMNS).

A withdrawal is valued with the newest price of its asset in the reference currency;
a whitelist's limit is given in that currency, so it is its own value; the other kinds
carry no amount. The columns keep the price that was found (even a stale one, to show
its age); reading them back applies the freshness rule again at the valuation time, so
a policy with another price age or currency reads them the way it counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.approvals.policy import ValuationRules
from app.approvals.status import Unpriced
from app.prices.quotes import Quote, decimal_text, iso
from app.prices.valuation import Valuation, value_of

#: what a request without an amount stores: no valuation
NO_VALUATION: tuple[None, ...] = (None,) * 6


def value_request(
    *,
    kind: str,
    asset: str | None,
    figure: Decimal | None,
    rules: ValuationRules,
    quotes: Mapping[str, Quote],
    now: datetime,
) -> Valuation | None:
    """`figure`: a withdrawal's amount or a whitelist's limit; `quotes`: asset -> its
    newest price in `rules.currency`. None when the request has no amount."""
    if figure is None:
        return None
    if kind == "withdrawal" and asset:
        return value_of(
            amount=figure,
            asset=asset,
            currency=rules.currency,
            quote=quotes.get(asset),
            now=now,
            max_age=rules.max_price_age,
        )
    # A whitelist limit is in the reference currency already.
    return value_of(
        amount=figure,
        asset=rules.currency,
        currency=rules.currency,
        quote=None,
        now=now,
        max_age=rules.max_price_age,
    )


def columns(valuation: Valuation | None) -> tuple[str | None, ...]:
    """The request's valuation columns, in VALUATION_COLUMNS order."""
    if valuation is None:
        return NO_VALUATION
    quote = valuation.quote
    return (
        None if valuation.value is None else decimal_text(valuation.value),
        valuation.currency,
        None if quote is None else decimal_text(quote.price),
        None if quote is None else iso(quote.as_of),
        None if quote is None else quote.source,
        iso(valuation.valued_at),
    )


def from_columns(
    *,
    kind: str,
    asset: str | None,
    figure: Decimal | None,
    row: Sequence[Any],
    rules: ValuationRules,
) -> Valuation | None:
    """The valuation stored in `row` (VALUATION_COLUMNS), judged by `rules` at the time
    it was made; None when the request has no amount or was never valued."""
    _value, currency, price, as_of, source, valued_at = row
    if figure is None or valued_at is None:
        return None
    if currency != rules.currency:
        # Valued in another currency than the policy counts in now: no fresh price.
        price = as_of = None
    quote = None
    if price is not None and as_of is not None and asset:
        quote = Quote(asset, currency, Decimal(price), datetime.fromisoformat(as_of), source or "")
    return value_request(
        kind=kind,
        asset=asset,
        figure=figure,
        rules=rules,
        quotes={} if quote is None else {quote.asset: quote},
        now=datetime.fromisoformat(valued_at),
    )


def stored_tier_facts(
    *,
    kind: str,
    asset: str | None,
    figure: Decimal | None,
    row: Sequence[Any],
    rules: ValuationRules,
) -> tuple[Decimal | None, Unpriced | None]:
    """tier_facts of the stored valuation. A request made before prices (schema 8) and
    never valued since (a final one: open ones are valued on refresh) keeps counting
    its amount as it did when it was decided, so upgrading changes no past decision."""
    if figure is not None and row[5] is None:
        return figure, None
    found = from_columns(kind=kind, asset=asset, figure=figure, row=row, rules=rules)
    return tier_facts(found)


def tier_facts(valuation: Valuation | None) -> tuple[Decimal | None, Unpriced | None]:
    """What the status function reads: the value (RequestFacts.amount), and what stands
    in for it when no fresh price valued the amount."""
    if valuation is None:
        return None, None
    if valuation.value is not None:
        return valuation.value, None
    return None, Unpriced(valuation.asset, valuation.amount, valuation.missing)


def signed(valuation: Valuation | None, currency: str) -> dict[str, str]:
    """The Valuation a decision signs (typed data version 2); empty fields but the
    currency for a request without an amount."""
    if valuation is None:
        return {"currency": currency}
    return valuation.signed_fields()
