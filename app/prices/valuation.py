"""What a request is worth in the reference currency: a pure function of plain facts.

Rules:
- an amount in the reference currency itself is its own value (no price needed);
- otherwise the newest price of the asset in that currency values it, if the price
  is no older than `max_age` at `now` (age counts from the price's as_of, whether
  it came from a CSV file or a price source) and not from the future;
- anything else has no value: "no fresh price", and the policy's top tier (or the
  asset's own tiers) applies. The stale price is still reported so people see its age.

Nothing here reads the vault or the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, localcontext
from typing import Any

from app.prices.quotes import Quote, decimal_text, iso

#: a price this far in the future is a wrong clock or a typo, not a fresh price
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Valuation:
    """The value of `amount` `asset` in `currency` at `valued_at`, or why there is none."""

    currency: str
    asset: str
    amount: Decimal
    valued_at: datetime
    value: Decimal | None  # None: no fresh price
    quote: Quote | None  # the price used, or the stale one found; None: none or par
    missing: str = ""  # why there is no value, for people; "" when there is one

    @property
    def fresh(self) -> bool:
        return self.value is not None

    def signed_fields(self) -> dict[str, str]:
        """The valuation as a decision signs it (EIP-712 Valuation, all text)."""
        quote = self.quote if self.fresh else None
        return {
            "currency": self.currency,
            "value": "" if self.value is None else decimal_text(self.value),
            "asset": self.asset,
            "price": "" if quote is None else decimal_text(quote.price),
            "priceAsOf": "" if quote is None else iso(quote.as_of),
            "priceSource": "" if quote is None else quote.source,
            "valuedAt": iso(self.valued_at),
        }


def value_of(
    *,
    amount: Decimal,
    asset: str,
    currency: str,
    quote: Quote | None,
    now: datetime,
    max_age: timedelta,
) -> Valuation:
    """Value `amount` of `asset` in `currency` with `quote` (the newest stored price of
    the asset in that currency, or None)."""
    base: dict[str, Any] = {
        "currency": currency,
        "asset": asset,
        "amount": amount,
        "valued_at": now,
    }
    if asset == currency:
        return Valuation(**base, value=amount, quote=None)
    if quote is None:
        return Valuation(
            **base, value=None, quote=None, missing=f"no price of {asset} in {currency}"
        )
    if quote.asset != asset or quote.currency != currency:
        raise ValueError("the quote is for another asset or currency")
    age = quote.age(now)
    if age < -CLOCK_SKEW:
        why = f"the {asset} price is dated in the future ({iso(quote.as_of)})"
        return Valuation(**base, value=None, quote=quote, missing=why)
    if age > max_age:
        # Worded without the age now, which the price's own line shows: a stored
        # valuation keeps saying the same thing while the price stays the newest.
        when = quote.as_of.strftime("%Y-%m-%d %H:%M UTC")
        why = f"the newest {asset} price is from {when}, older than {describe_age(max_age)}"
        return Valuation(**base, value=None, quote=quote, missing=why)
    with localcontext() as ctx:
        ctx.prec = 80  # exact for any amount times any price we accept
        value = amount * quote.price
    return Valuation(**base, value=value, quote=quote)


def describe_age(age: timedelta) -> str:
    """'40 minutes', '5 hours', '3 days': how old a price is, for people."""
    minutes = max(0, int(age.total_seconds() // 60))
    if minutes < 120:
        return f"{minutes} minute{'' if minutes == 1 else 's'}"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hours"
    return f"{hours // 24} days"
