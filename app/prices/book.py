"""The price table of one vault: importing prices (each import is one event) and
reading the prices in force. Runs on the database worker, like the other use cases."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from app.prices.csv_file import read_prices
from app.prices.quotes import Quote, decimal_text, iso
from app.prices.valuation import CLOCK_SKEW
from vault import prices as store
from vault.connection import Connection
from vault.store import Vault

Clock = Callable[[], datetime]
#: the largest price file read (a price table is small; this stops a wrong file early)
MAX_FILE_BYTES = 20 * 1024 * 1024


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ImportReport:
    file: str
    source: str
    added: int
    changed: int  # same asset, currency, as_of and source; another price
    unchanged: int

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "source": self.source,
            "added": self.added,
            "changed": self.changed,
            "unchanged": self.unchanged,
        }


class PriceFileTooLarge(ValueError):
    pass


def import_csv(vault: Vault, path: Path, *, clock: Clock = utc_now) -> ImportReport:
    """Import a price CSV (app.prices.csv_file): all of it in one transaction with one
    `prices.imported` event, or nothing (PriceFileError names every bad line)."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise PriceFileTooLarge(
            f"{path.name} is {size // (1024 * 1024)} MB; a price file is at most "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB"
        )
    data = path.read_bytes()
    now = clock()
    source = f"csv:{path.name}"
    quotes = read_prices(data, name=path.name, source=source, now=now)
    return store_quotes(
        vault,
        quotes,
        now=now,
        about={"file": path.name, "sha256": hashlib.sha256(data).hexdigest()},
    )


def store_quotes(
    vault: Vault, quotes: Collection[Quote], *, now: datetime, about: dict[str, str]
) -> ImportReport:
    """Write checked quotes and their event (`about`: file name and digest, or the
    price source) in one transaction."""
    imported_at = iso(now)
    rows = [
        store.PriceRow(
            q.asset, q.currency, decimal_text(q.price), iso(q.as_of), q.source, imported_at
        )
        for q in quotes
    ]
    sources = sorted({q.source for q in quotes})
    with vault.transaction() as tx:
        added, changed, unchanged = store.add(tx.conn, rows)
        tx.event(
            "prices.imported",
            {
                **about,
                "sources": sources,
                "imported_at": imported_at,
                "prices": [[r.asset, r.currency, r.price, r.as_of, r.source] for r in rows],
                "added": added,
                "changed": changed,
            },
        )
    return ImportReport(about.get("file", ""), ", ".join(sources), added, changed, unchanged)


def newest(
    conn: Connection,
    *,
    currency: str | None = None,
    assets: Collection[str] | None = None,
    until: datetime | None = None,
) -> list[Quote]:
    """The price in force per asset and currency (the newest as_of; with `until`, the
    newest that is not later than it, allowing for clock skew)."""
    cutoff = None if until is None else iso(until + CLOCK_SKEW)
    rows = store.newest(conn, currency=currency, assets=assets, until=cutoff)
    return [_quote(r) for r in rows]


def history(conn: Connection) -> list[Quote]:
    return [_quote(r) for r in store.history(conn)]


def _quote(row: store.PriceRow) -> Quote:
    return Quote(
        row.asset,
        row.currency,
        Decimal(row.price),
        datetime.fromisoformat(row.as_of),
        row.source,
        datetime.fromisoformat(row.imported_at),
    )
