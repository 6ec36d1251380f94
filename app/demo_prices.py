"""The demo vault's price table: a few days of prices so the demo desk's requests are
valued in USD, and one asset whose newest price is stale (no fresh price: top tier).

Prices are labelled as demo data in their source. Runs on the database worker.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from app.prices import book
from app.prices.quotes import Quote
from vault.store import Vault

SOURCE = "demo prices (demo data)"
#: asset -> a plausible price in USD, moved a little per step
_START = {"BTC": 61_250, "ETH": 3_080, "USDT": 1, "USDC": 1}
#: the asset whose prices stop three days ago: requests in it find no fresh price
STALE_ASSET = "SOL"
_STEP = timedelta(hours=4)
_DAYS = 11


def fill_demo_prices(vault: Vault, rng: random.Random, now: datetime) -> int:
    """Prices every four hours for the last eleven days; returns how many."""
    quotes: list[Quote] = []
    steps = int(timedelta(days=_DAYS) / _STEP)
    for asset, start in _START.items():
        price = Decimal(start)
        stable = start == 1
        for n in range(steps, -1, -1):
            at = (now - n * _STEP - timedelta(minutes=20)).replace(second=0, microsecond=0)
            drift = Decimal(rng.uniform(-0.0004, 0.0004) if stable else rng.uniform(-0.02, 0.02))
            price = (Decimal(start) * (1 + drift)) if stable else price * (1 + drift)
            quotes.append(Quote(asset, "USD", price.quantize(Decimal("0.0001")), at, SOURCE))
    for n in range(3 * 6, steps):
        at = (now - n * _STEP).replace(second=0, microsecond=0)
        quotes.append(Quote(STALE_ASSET, "USD", Decimal("142.5"), at, SOURCE))
    book.store_quotes(vault, quotes, now=now, about={"file": "", "demo": "yes"})
    return len(quotes)
