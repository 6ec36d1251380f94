"""Screenings with their evidence, explorer figures, sanctions lists with their
provenance, prices and KYC dates made on one device are held alike on another after
both sync through a folder target (real vaults, a real Esplora client against a local
server), with the same `state`; a list removed on the second device goes on the first."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from app.book.activity import update_customer
from app.book.service import CustomerBook
from app.prices import book as prices
from app.screening import explorer_data
from app.screening.batch import screen_batch
from app.screening.sanctions import import_sanctions, screen_offline
from app.screening.sanctions.importer import remove_list
from app.sync.state import state_digest
from app.sync.status import sync_status
from tests.app.approvals.conftest import add_customer
from tests.app.names.test_names_screening import ALT_ROWS, SDN_ROWS, XBT, write_csv
from tests.app.names.variants import SDN_CSV
from tests.app.sync.conftest import Pair, run
from tests.app.test_screening_explorer_data import SPENDER, explorers, serve
from tests.app.test_screening_support import ScriptedProvider, evm
from vault.store import Vault

PRICES = "asset,price,currency,as_of\nBTC,100000,USD,2026-12-07\nETH,3000,USD,2026-12-07\n"
TABLES = (
    "SELECT chain, address, provider, level, score, raw, fetched_at FROM screenings "
    "ORDER BY chain, address, provider, fetched_at",
    "SELECT chain, address, source, balances, tx_count, fetched_at, raw "
    "FROM explorer_summaries ORDER BY chain, address, source",
    "SELECT chain, address, day, asset, inflow, outflow, transfers, complete "
    "FROM explorer_flows ORDER BY chain, address, day, asset",
    "SELECT source, label, list_date, date_from, file_name, sha256, counts "
    "FROM sanctions_lists ORDER BY source",
    "SELECT a.source, a.family, a.key, a.address, p.entry_id, p.name FROM sanctions_addresses a "
    "LEFT JOIN sanctions_parties p ON p.address_id = a.id ORDER BY 1, 2, 3, 5",
    "SELECT source, entry_id, kind, name, aliases, digest FROM sanctions_entries ORDER BY 1, 2",
    "SELECT source, role, file_name, sha256 FROM sanctions_list_files ORDER BY 1, 2",
    "SELECT asset, currency, price, as_of, source FROM prices ORDER BY 1, 2, 3, 4",
    "SELECT uid, kyc_updated_at, kyc_expires_at FROM customers ORDER BY uid",
)


def _rows(vault: Vault) -> list[list[tuple[object, ...]]]:
    return [[tuple(r) for r in vault.conn.execute(query)] for query in TABLES]


def _on_a(a: Vault, tmp_path: Path, httpserver: HTTPServer) -> None:
    customer = add_customer(a, "C-1", "Acme Ltd")
    update_customer(
        CustomerBook(a), customer, {"kyc_status": "approved", "kyc_expires_at": "2027-06-30"}
    )
    screen_batch(a, ScriptedProvider(), [("ethereum", evm(i)) for i in range(3)], inline=True)
    serve(httpserver)
    done = explorer_data.refresh_explorer(
        a, explorers(httpserver.url_for("/api")), "bitcoin", SPENDER
    )
    assert done.answer is not None, done
    sdn = write_csv(tmp_path / "sdn.csv", SDN_ROWS)
    alt = write_csv(tmp_path / "alt.csv", ALT_ROWS)
    import_sanctions(a, sdn, list_date=date(2024, 5, 3), aliases=alt)
    (tmp_path / "prices.csv").write_text(PRICES)
    prices.import_csv(a, tmp_path / "prices.csv")


def test_evidence_lists_prices_and_kyc_dates_reach_the_other_device(
    pair: Pair, tmp_path: Path, httpserver: HTTPServer
) -> None:
    a, b, _ = pair
    _on_a(a, tmp_path, httpserver)
    run(a)
    report = run(b)
    assert report.quarantined == 0
    assert sync_status(b)["awaiting_projection"] == 0
    held = _rows(b)
    assert held == _rows(a)
    screenings, summaries, flows, lists, addresses, entries, files, price_rows, kyc = held
    assert len(screenings) == 3 and all(
        json.loads(bytes(r[5]))["risk"] == "Low" for r in screenings
    )
    assert len(summaries) == 1 and summaries[0][:3] == ("bitcoin", SPENDER, summaries[0][2])
    assert flows and json.loads(bytes(summaries[0][6]))["summary"]["address"] == SPENDER
    assert lists[0][2:5] == ("2024-05-03", "user", "sdn.csv") and files == [
        ("ofac-sdn-csv", "aliases", "alt.csv", files[0][3])
    ]
    assert {e[1] for e in entries} == {"26138", "306", "9999"}
    assert any(r[3] == XBT for r in addresses)
    assert len(price_rows) == 2
    assert [k[2] for k in kyc] == ["2027-06-30"] and kyc[0][1] is not None
    # B screens offline against the list it received, and names the file it rests on.
    found = screen_offline(b, "bitcoin", XBT)
    assert found.sanctioned and "GHORBANIYAN" in (found.sanctioned_party or "")
    assert state_digest(a.conn) == state_digest(b.conn)

    # The list removed on B goes on A too. The same prices imported again on B an hour
    # later, and a new ETH figure on A meanwhile: one row each, the same on both.
    assert remove_list(b, "ofac-sdn-csv")
    later = datetime.now(UTC) + timedelta(hours=1)
    prices.import_csv(b, tmp_path / "prices.csv", clock=lambda: later)
    newer = tmp_path / "newer"
    newer.mkdir()  # the same file name, so the same source: a new figure for one price
    (newer / "prices.csv").write_text("asset,price,currency,as_of\nETH,3100,USD,2026-12-07\n")
    prices.import_csv(a, newer / "prices.csv")
    run(b)
    run(a)
    run(b)
    eth = "SELECT price FROM prices WHERE asset = 'ETH'"
    newest = a.conn.execute(
        "SELECT payload FROM events WHERE type = 'prices.imported' "
        "ORDER BY lamport DESC, device DESC, seq DESC LIMIT 1"
    ).fetchone()
    figure = next(p[2] for p in json.loads(newest[0])["prices"] if p[0] == "ETH")
    assert a.conn.execute(eth).fetchall() == b.conn.execute(eth).fetchall() == [(figure,)]
    assert a.conn.execute("SELECT count(*) FROM sanctions_entries").fetchone() == (0,)
    assert _rows(a) == _rows(b)
    assert state_digest(a.conn) == state_digest(b.conn)


def test_kyc_dates_follow_the_newest_change_whichever_arrives_first(pair: Pair) -> None:
    a, b, _ = pair
    customer = add_customer(a, "C-1", "Acme Ltd")
    run(a)
    run(b)
    on_b = b.conn.execute("SELECT id FROM customers").fetchone()[0]
    update_customer(CustomerBook(a), customer, {"kyc_expires_at": "2027-01-01"})
    update_customer(CustomerBook(b), on_b, {"kyc_expires_at": "2028-01-01"})
    run(a)
    run(b)
    run(a)
    dates = "SELECT kyc_updated_at, kyc_expires_at FROM customers"
    assert a.conn.execute(dates).fetchone() == b.conn.execute(dates).fetchone()
    # The status's date rides in the status change's own event: no second event.
    update_customer(CustomerBook(b), on_b, {"kyc_status": "approved"})
    assert [
        t for (t,) in b.conn.execute("SELECT type FROM events ORDER BY rowid_ DESC LIMIT 1")
    ] == ["customer.updated"]
    run(b)
    run(a)
    held = a.conn.execute(dates).fetchone()
    assert held == b.conn.execute(dates).fetchone() and held[0] is not None
    assert state_digest(a.conn) == state_digest(b.conn)


def test_a_sanctions_list_travels_compressed_and_once(pair: Pair, tmp_path: Path) -> None:
    if not SDN_CSV.is_file():
        pytest.skip(f"the real SDN list is not at {SDN_CSV}")
    a, b, folder = pair
    import_sanctions(a, SDN_CSV, list_date=date(2024, 5, 3))
    import_sanctions(a, SDN_CSV, list_date=date(2024, 5, 3))  # the same file again
    shared = a.conn.execute(
        "SELECT length(payload) FROM events WHERE type = 'sanctions.list'"
    ).fetchall()
    assert len(shared) == 1
    size = SDN_CSV.stat().st_size
    assert shared[0][0] < size / 3, (shared[0][0], size)
    run(a)
    on_target = sum(f.stat().st_size for f in folder.rglob("*.seg"))
    assert on_target < size / 3
    run(b)
    count = "SELECT count(*) FROM sanctions_entries"
    assert b.conn.execute(count).fetchone() == a.conn.execute(count).fetchone()
    assert state_digest(a.conn) == state_digest(b.conn)
