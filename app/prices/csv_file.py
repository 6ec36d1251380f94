"""Reading a price file: CSV with the header `asset,price,currency,as_of`.

The whole file is checked first and refused whole when any line is wrong, with
one message per bad line, so a desk never runs on half a price table.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from app.prices.quotes import PriceError, Quote, iso, moment, positive_price, symbol
from app.prices.valuation import CLOCK_SKEW

HEADER = ("asset", "price", "currency", "as_of")
MAX_ROWS = 100_000
_SHOWN_ERRORS = 20


class PriceFileError(ValueError):
    """A price file that was not imported; `problems` has one line per bad line."""

    def __init__(self, name: str, problems: list[str], total: int | None = None) -> None:
        count = len(problems) if total is None else total
        shown = problems[:_SHOWN_ERRORS]
        more = count - len(shown)
        lines = [f"{name}: nothing was imported; fix {count} problem{'s' * (count != 1)}:"]
        lines += [f"  {p}" for p in shown]
        if more > 0:
            lines.append(f"  … and {more} more")
        super().__init__("\n".join(lines))
        self.name = name
        self.problems = problems


def read_prices(data: bytes, *, name: str, source: str, now: datetime) -> list[Quote]:
    """Every price of the file (`name` is only for messages); PriceFileError when any
    line is wrong. Dates in the future (beyond a few minutes of clock skew) are wrong."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PriceFileError(name, ["the file is not UTF-8 text"]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise PriceFileError(name, ["the file is empty: line 1 must be asset,price,currency,as_of"])
    if tuple(h.strip().lower() for h in header) != HEADER:
        got = ",".join(header)[:80]
        raise PriceFileError(
            name, [f"line 1: the header must be asset,price,currency,as_of, not '{got}'"]
        )
    problems: list[str] = []
    quotes: list[Quote] = []
    seen: dict[tuple[str, str, str], int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(quotes) + len(problems) >= MAX_ROWS:
            problems.append(f"line {line}: more than {MAX_ROWS} prices in one file")
            break
        try:
            quote = _quote(cells, source=source, now=now)
        except PriceError as exc:
            problems.append(f"line {line}: {exc.message}")
            continue
        key = (quote.asset, quote.currency, iso(quote.as_of))
        if key in seen:
            problems.append(
                f"line {line}: {quote.asset} in {quote.currency} as of {key[2]} is on "
                f"line {seen[key]} already"
            )
            continue
        seen[key] = line
        quotes.append(quote)
    if problems:
        raise PriceFileError(name, problems)
    if not quotes:
        raise PriceFileError(name, ["the file has a header but no prices"])
    return quotes


def _quote(cells: list[str], *, source: str, now: datetime) -> Quote:
    if len(cells) != len(HEADER):
        raise PriceError(f"expected 4 values (asset,price,currency,as_of), found {len(cells)}")
    asset_text, price_text, currency_text, as_of_text = cells
    asset = symbol(asset_text)
    currency = symbol(currency_text, "currency")
    if asset == currency:
        raise PriceError(f"{asset} is priced in itself")
    as_of = moment(as_of_text)
    if as_of - now > CLOCK_SKEW:
        raise PriceError(f"as_of {as_of_text.strip()[:40]} is in the future")
    return Quote(asset, currency, positive_price(price_text), as_of, source)
