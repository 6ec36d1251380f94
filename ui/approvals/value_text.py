"""How a request's valuation reads on screen: the value in the reference currency and
the age and source of the price behind it, or that no fresh price was found.

Pure helpers; any thread (they build no widgets).
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from PySide6.QtCore import QCoreApplication

from app.prices.valuation import Valuation
from ui.approvals import format as fmt

_CONTEXT = "ApprovalValue"


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def money(value: Decimal, currency: str) -> str:
    """250000.0 USD -> "250,000.00 USD": a value to the cent, grouped."""
    cents = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{cents:,.2f} {currency}"


def cell(valuation: Valuation | None, now: datetime) -> str:
    """The queue's Value column: "150,000.00 USD · 1 h", "no fresh price", or ""."""
    if valuation is None:
        return ""
    if valuation.value is None:
        return _tr("no fresh price")
    text = money(valuation.value, valuation.currency)
    quote = valuation.quote
    return text if quote is None else f"{text} · {fmt.age(quote.as_of, now)}"


def price_line(valuation: Valuation, now: datetime) -> str:
    """The price behind a value, with its age and source, for a tooltip or the pane."""
    quote = valuation.quote
    if quote is None:
        if valuation.value is None:
            return _tr("No price of {asset} in {currency} is stored.").format(
                asset=valuation.asset, currency=valuation.currency
            )
        return _tr("An amount in the reference currency ({currency}): no price needed.").format(
            currency=valuation.currency
        )
    return _tr("1 {asset} = {price} {currency}, as of {when} ({age} old) from {source}").format(
        asset=quote.asset,
        price=fmt.amount(quote.price),
        currency=quote.currency,
        when=fmt.local_time(quote.as_of),
        age=fmt.age(quote.as_of, now),
        source=quote.source,
    )


def tooltip(valuation: Valuation | None, now: datetime) -> str | None:
    if valuation is None:
        return None
    lines = [price_line(valuation, now)]
    if valuation.value is None:
        text = _tr(
            "No fresh price ({why}): the top tier applies, unless the policy gives "
            "{asset} tiers of its own."
        )
        lines.insert(0, text.format(why=valuation.missing, asset=valuation.asset))
    else:
        lines.insert(
            0,
            _tr("{amount} {asset} is {value}").format(
                amount=fmt.amount(valuation.amount),
                asset=valuation.asset,
                value=money(valuation.value, valuation.currency),
            ),
        )
    return "\n".join(lines)


def signed_line(fields: dict[str, str]) -> str:
    """What a decision signed about the value (typed data version 2), in one line."""
    currency = fields.get("currency", "")
    if not fields.get("asset"):
        return ""
    if not fields.get("value"):
        return _tr("signed with no fresh {asset} price").format(asset=fields["asset"])
    text = _tr("signed at {value}").format(value=money(Decimal(fields["value"]), currency))
    if fields.get("price"):
        when = fields.get("priceAsOf", "")
        moment = fmt.local_time(datetime.fromisoformat(when)) if when else ""
        text += _tr(" · 1 {asset} = {price} {currency} as of {when}").format(
            asset=fields["asset"],
            price=fmt.amount(Decimal(fields["price"])),
            currency=currency,
            when=moment,
        )
    return text
