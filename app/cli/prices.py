"""`strongroom prices import FILE` and `strongroom prices list`: the vault's price
table from a script. Lists are one JSON object per line; errors go to stderr."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from app.prices import book
from app.prices.csv_file import PriceFileError
from app.prices.quotes import Quote, decimal_text, iso
from app.session import VaultSession


def run(args: argparse.Namespace, session: VaultSession) -> int:
    vault = session.vault
    if args.prices_command == "import":
        try:
            report = book.import_csv(vault, Path(args.file))
        except PriceFileError as exc:
            print(f"strongroom prices: {exc}", file=sys.stderr)
            return 1
        except book.PriceFileTooLarge as exc:
            print(f"strongroom prices: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:
            reason = exc.strerror or "it cannot be read"
            print(f"strongroom prices: cannot read {args.file}: {reason}", file=sys.stderr)
            return 2
        _emit({**report.as_dict(), "requests_changed": _refresh_approvals(session)})
        return 0
    quotes = book.history(vault.conn) if args.all else book.newest(vault.conn)
    now = datetime.now(UTC)
    for quote in quotes:
        _emit(price_line(quote, now))
    return 0


def _refresh_approvals(session: VaultSession) -> int:
    """Open approval requests are valued again with the new prices, as a refresh of the
    queue does; returns how many changed status."""
    if session.vault.conn.execute("SELECT 1 FROM approval_requests LIMIT 1").fetchone() is None:
        return 0
    from app.approvals.service import ApprovalService  # eth-account loads only when needed

    service = ApprovalService(session.vault)
    try:
        return service.refresh()
    finally:
        service.forget()


def price_line(quote: Quote, now: datetime) -> dict[str, object]:
    return {
        "asset": quote.asset,
        "price": decimal_text(quote.price),
        "currency": quote.currency,
        "as_of": iso(quote.as_of),
        "source": quote.source,
        "imported_at": None if quote.imported_at is None else iso(quote.imported_at),
        "age_hours": round(quote.age(now).total_seconds() / 3600, 2),
    }


def _emit(obj: dict[str, object]) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)
