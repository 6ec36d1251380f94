"""The price table: reading a price CSV, the pure valuation rule, importing into a real vault."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal, localcontext
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.prices import book
from app.prices.csv_file import PriceFileError, read_prices
from app.prices.quotes import Quote
from app.prices.valuation import describe_age, value_of
from tests.conftest import PASSPHRASE
from vault.keys import Keychain
from vault.store import Vault
from vault.unlock import create_vault

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
GOOD = (
    "asset,price,currency,as_of\n"
    "BTC,100000.50,USD,2026-12-07T14:00:00Z\n"
    "eth,3000,usd,2026-12-07\n"
    "USDT,1.0001,USD,2026-12-07T13:30:00+01:00\n"
)


def _read(text: str) -> list[Quote]:
    return read_prices(text.encode(), name="p.csv", source="csv:p.csv", now=NOW)


def test_reads_a_price_file() -> None:
    quotes = _read(GOOD)
    assert [(q.asset, q.currency, q.price, q.as_of) for q in quotes] == [
        ("BTC", "USD", Decimal("100000.50"), datetime(2026, 12, 7, 14, tzinfo=UTC)),
        ("ETH", "USD", Decimal("3000"), datetime(2026, 12, 7, tzinfo=UTC)),  # a date: 00:00 UTC
        ("USDT", "USD", Decimal("1.0001"), datetime(2026, 12, 7, 12, 30, tzinfo=UTC)),
    ]
    assert {q.source for q in quotes} == {"csv:p.csv"}
    with_bom = _read("\ufeff" + GOOD.replace("\n", "\r\n"))
    assert [q.asset for q in with_bom] == ["BTC", "ETH", "USDT"]


def test_every_bad_line_is_named_and_nothing_is_read() -> None:
    text = (
        "asset,price,currency,as_of\n"
        "BTC,-5,USD,2026-12-07\n"
        "ETH,abc,USD,2026-12-07\n"
        "SOL,150,USD,07/12/2026\n"
        "\n"
        "XRP,2,USD,2026-12-07,extra\n"
        "DOGE,0.3,USD,2026-12-09\n"
        "ETH,3000,USD,2026-12-06\n"
        "ETH,3001,USD,2026-12-06T00:00:00Z\n"
        "B@D,1,USD,2026-12-07\n"
    )
    with pytest.raises(PriceFileError) as err:
        _read(text)
    assert err.value.problems == [
        "line 2: price '-5' must be a number above 0",
        "line 3: price 'abc' is not a number",
        "line 4: '07/12/2026' is not an ISO date or date and time (2026-12-07 or "
        "2026-12-07T14:30:00Z)",
        "line 6: expected 4 values (asset,price,currency,as_of), found 5",
        "line 7: as_of 2026-12-09 is in the future",
        "line 9: ETH in USD as of 2026-12-06T00:00:00+00:00 is on line 8 already",
        "line 10: 'B@D' is not an asset symbol",
    ]
    assert str(err.value).startswith("p.csv: nothing was imported; fix 7 problems:")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "the file is empty"),
        ("asset,currency,price,as_of\nBTC,USD,1,2026-12-07\n", "line 1: the header must be"),
        ("asset,price,currency,as_of\n", "the file has a header but no prices"),
        ("asset,price,currency,as_of\nUSD,1,USD,2026-12-07\n", "USD is priced in itself"),
        ("asset,price,currency,as_of\nBTC,NaN,USD,2026-12-07\n", "must be a number above 0"),
    ],
)
def test_files_that_are_refused(text: str, problem: str) -> None:
    with pytest.raises(PriceFileError) as err:
        _read(text)
    assert problem in str(err.value)


def _quote(price: str = "100000", age: timedelta = HOUR, asset: str = "BTC") -> Quote:
    return Quote(asset, "USD", Decimal(price), NOW - age, "csv:p.csv")


def test_a_fresh_price_values_the_amount() -> None:
    found = value_of(
        amount=Decimal("2.5"),
        asset="BTC",
        currency="USD",
        quote=_quote(),
        now=NOW,
        max_age=24 * HOUR,
    )
    assert found.value == Decimal("250000.0")
    assert found.fresh and found.missing == ""
    assert found.signed_fields() == {
        "currency": "USD",
        "value": "250000.0",
        "asset": "BTC",
        "price": "100000",
        "priceAsOf": "2026-12-07T14:00:00+00:00",
        "priceSource": "csv:p.csv",
        "valuedAt": "2026-12-07T15:00:00+00:00",
    }


def test_an_amount_in_the_reference_currency_is_its_own_value() -> None:
    found = value_of(
        amount=Decimal("12"), asset="USD", currency="USD", quote=None, now=NOW, max_age=HOUR
    )
    assert found.value == Decimal("12") and found.quote is None


@pytest.mark.parametrize(
    ("quote", "missing"),
    [
        (None, "no price of BTC in USD"),
        (
            _quote(age=25 * HOUR),
            "the newest BTC price is from 2026-12-06 14:00 UTC, older than 24 hours",
        ),
        (_quote(age=-HOUR), "the BTC price is dated in the future (2026-12-07T16:00:00+00:00)"),
    ],
)
def test_no_fresh_price_means_no_value(quote: Quote | None, missing: str) -> None:
    found = value_of(
        amount=Decimal("2.5"), asset="BTC", currency="USD", quote=quote, now=NOW, max_age=24 * HOUR
    )
    assert found.value is None and not found.fresh
    assert found.missing == missing
    assert found.quote is quote  # the stale price is still there to show its age
    assert found.signed_fields()["price"] == ""  # but it is not the price used


def test_a_quote_for_another_asset_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="another asset"):
        value_of(
            amount=Decimal(1),
            asset="ETH",
            currency="USD",
            quote=_quote(),
            now=NOW,
            max_age=HOUR,
        )


@given(
    amount=st.decimals(min_value=Decimal("1e-18"), max_value=Decimal("1e30"), places=18),
    price=st.decimals(min_value=Decimal("1e-18"), max_value=Decimal("1e18"), places=18),
)
def test_the_value_is_exact(amount: Decimal, price: Decimal) -> None:
    found = value_of(
        amount=amount,
        asset="BTC",
        currency="USD",
        quote=Quote("BTC", "USD", price, NOW, "x"),
        now=NOW,
        max_age=HOUR,
    )
    assert found.value is not None
    with localcontext() as ctx:
        ctx.prec = 100
        assert found.value / price == amount  # nothing was rounded away


def test_ages_read_like_people_say_them() -> None:
    assert describe_age(timedelta(minutes=1)) == "1 minute"
    assert describe_age(timedelta(minutes=90)) == "90 minutes"
    assert describe_age(timedelta(hours=30)) == "30 hours"
    assert describe_age(timedelta(days=3, hours=5)) == "3 days"


# --- the vault ---------------------------------------------------------------------


@pytest.fixture
def vault(tmp_path: Path, no_keychain: Keychain) -> Iterator[Vault]:
    made = create_vault(tmp_path / "desk.vault", passphrase=PASSPHRASE, keychain=no_keychain)
    yield made.vault
    made.vault.close()


def test_import_is_one_event_and_the_newest_price_is_in_force(vault: Vault, tmp_path: Path) -> None:
    first = tmp_path / "monday.csv"
    first.write_text(GOOD)
    report = book.import_csv(vault, first, clock=lambda: NOW)
    assert (report.added, report.changed, report.unchanged) == (3, 0, 0)
    second = tmp_path / "later.csv"
    second.write_text(
        "asset,price,currency,as_of\n"
        "BTC,101000,USD,2026-12-07T14:30:00Z\n"  # newer
        "ETH,2900,USD,2026-12-06\n"  # older: kept as history, not in force
        "BTC,0.95,EUR,2026-12-07\n"
    )
    assert book.import_csv(vault, second, clock=lambda: NOW).added == 3
    again = book.import_csv(vault, first, clock=lambda: NOW)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 3)
    newest = {(q.asset, q.currency): q for q in book.newest(vault.conn)}
    assert newest["BTC", "USD"].price == Decimal("101000")
    assert newest["BTC", "USD"].source == "csv:later.csv"
    assert newest["ETH", "USD"].price == Decimal("3000")
    assert newest["BTC", "EUR"].price == Decimal("0.95")
    assert [q.asset for q in book.newest(vault.conn, currency="USD", assets={"BTC"})] == ["BTC"]
    assert len(book.history(vault.conn)) == 6
    events = vault.conn.execute(
        "SELECT payload FROM events WHERE type = 'prices.imported' ORDER BY rowid_"
    ).fetchall()
    assert len(events) == 3
    payload = json.loads(bytes(events[0][0]))
    assert payload["file"] == "monday.csv" and payload["added"] == 3
    assert payload["prices"][0] == [
        "BTC",
        "USD",
        "100000.50",
        "2026-12-07T14:00:00+00:00",
        "csv:monday.csv",
    ]


def test_a_corrected_price_replaces_the_same_line(vault: Vault, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("asset,price,currency,as_of\nBTC,100000,USD,2026-12-07\n")
    book.import_csv(vault, path, clock=lambda: NOW)
    path.write_text("asset,price,currency,as_of\nBTC,99000,USD,2026-12-07\n")
    report = book.import_csv(vault, path, clock=lambda: NOW)
    assert (report.added, report.changed) == (0, 1)
    assert [q.price for q in book.history(vault.conn)] == [Decimal("99000")]


def test_a_bad_file_changes_nothing(vault: Vault, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "asset,price,currency,as_of\nBTC,100000,USD,2026-12-07\nETH,-1,USD,2026-12-07\n"
    )
    before = vault.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    with pytest.raises(PriceFileError, match="line 3"):
        book.import_csv(vault, path, clock=lambda: NOW)
    assert book.history(vault.conn) == []
    assert vault.conn.execute("SELECT count(*) FROM events").fetchone()[0] == before
