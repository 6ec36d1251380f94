"""Prices and valuations as plain values, and the checks every price source shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

#: the reference currency when the policy names none
DEFAULT_CURRENCY = "USD"
#: how old a price may be before it no longer values a request, unless the policy says
DEFAULT_MAX_AGE = timedelta(hours=24)
_MAX_SYMBOL = 20


class PriceError(ValueError):
    """A price value that cannot be used: `message` says why, for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Quote:
    """One price: 1 `asset` = `price` `currency`, as of `as_of`, from `source`."""

    asset: str
    currency: str
    price: Decimal
    as_of: datetime  # UTC
    source: str
    imported_at: datetime | None = None

    def age(self, now: datetime) -> timedelta:
        return now - self.as_of


def symbol(text: str, what: str = "asset") -> str:
    """An asset or currency code as stored and compared: upper case, letters and
    digits (a dot allowed, as in USDC.E), at most 20 characters."""
    code = text.strip().upper()
    if not code or len(code) > _MAX_SYMBOL or not code.replace(".", "").isalnum():
        raise PriceError(f"'{text.strip()[:_MAX_SYMBOL]}' is not an {what} symbol")
    return code


def positive_price(text: str) -> Decimal:
    """A price as exact decimal text: a finite number above 0."""
    try:
        value = Decimal(text.strip().replace("_", ""))
    except InvalidOperation:
        raise PriceError(f"price '{text.strip()[:40]}' is not a number") from None
    if not value.is_finite() or value <= 0:
        raise PriceError(f"price '{text.strip()[:40]}' must be a number above 0")
    if value > Decimal("1e18"):
        raise PriceError(f"price '{text.strip()[:40]}' is too large")
    return value


def moment(text: str) -> datetime:
    """An ISO date (the start of that day, UTC) or date and time (no offset: UTC)."""
    raw = text.strip()
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise PriceError(
            f"'{raw[:40]}' is not an ISO date or date and time (2026-12-07 or 2026-12-07T14:30:00Z)"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def iso(when: datetime) -> str:
    """How a price time is stored: ISO UTC to the second, so text order is time order."""
    return when.astimezone(UTC).isoformat(timespec="seconds")


def decimal_text(value: Decimal) -> str:
    """Exact decimal text without an exponent (what is stored and signed)."""
    return format(value, "f")
