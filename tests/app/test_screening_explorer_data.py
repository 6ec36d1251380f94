"""Explorer data for the dashboards: what a real Esplora client reads from a local
server (documented bodies) is stored as a summary and daily flows; offline, the
refresh waits in the outbox and runs later."""

from __future__ import annotations

import copy
import json
import socket
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from app.screening import explorer_data
from app.screening.batch import run_outbox
from app.screening.explorer_view import summary_line
from app.screening.overview import summary_text
from app.screening.risk import utc_now
from app.screening.service import Screening
from integrations.explorers import ChainSettings, Explorers, ExplorerSettings, ProviderKind
from tests.app.test_screening_support import new_vault
from vault.screening import explorer as store
from vault.screening import outbox
from vault.store import Vault

FIXTURES = Path(__file__).resolve().parents[1] / "integrations" / "test_explorer_fixtures"
SPENDER = "1HXb8YtsgBhFWdYezjd6bt7Dw4UGKyZo54"  # the documented input's prevout: 17000 sat
BLOCK_TIME = 1413798020  # 2014-10-20


def documented(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def confirmed(n: int) -> dict[str, Any]:
    """The documented transaction, confirmed n days before the documented block time."""
    tx: dict[str, Any] = copy.deepcopy(documented("esplora/tx_unconfirmed.json"))
    tx["status"] = dict(documented("esplora/tx_confirmed_status.json")["status"])
    tx["status"]["block_time"] -= n * 86_400
    tx["status"]["block_height"] -= n * 144
    tx["txid"] = f"{n:064x}"
    return tx


def explorers(base_url: str) -> Explorers:
    chain = ChainSettings(
        "bitcoin", ProviderKind.ESPLORA, base_url, "BTC", 8, rate_per_second=1000.0
    )
    return Explorers(ExplorerSettings(chains=(chain,)))


def serve(server: HTTPServer, *, funded: int = 15007599040, days: int = 3) -> None:
    stats = documented("esplora/address.json")
    stats["chain_stats"].update(funded_txo_sum=funded, spent_txo_sum=17_000 * days, tx_count=days)
    server.expect_request(f"/api/address/{SPENDER}").respond_with_json(stats)
    txs = [confirmed(n) for n in range(days)]
    server.expect_request(f"/api/address/{SPENDER}/txs/chain").respond_with_json(txs)
    server.expect_request(f"/api/address/{SPENDER}/txs").respond_with_json(txs)


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    made = new_vault(tmp_path / "explorer.vault")
    yield made
    made.close()


def test_a_refresh_keeps_balances_activity_and_daily_flows(
    vault: Vault, httpserver: HTTPServer
) -> None:
    big = 2**70  # more satoshi than exist, but it must survive: SQLite stops at 2**63
    serve(httpserver, funded=big)
    source = explorers(httpserver.url_for("/api"))
    done = Screening(vault).refresh_explorer(source, "bitcoin", SPENDER)
    source.close()
    assert done.answer is not None and not done.queued
    [summary] = explorer_data.summaries(vault.conn, "bitcoin", SPENDER)
    assert summary["source"].startswith("Esplora at ")
    assert summary["balances"] == [
        {"symbol": "BTC", "contract": None, "decimals": 8, "amount": big - 51_000, "pending": 0}
    ]
    assert summary["tx_count"] == 3
    assert summary["last_seen"].startswith("2014-10-20")
    assert summary["first_seen"].startswith("2014-10-18")
    evidence = json.loads(summary["raw"])
    assert (
        len(evidence["transfers"]) == 3 and evidence["summary"]["native"]["amount"] == big - 51_000
    )
    series = explorer_data.flows(vault.conn, "bitcoin", SPENDER)
    assert [(f.day, f.outflow, f.inflow, f.transfers) for f in series] == [
        ("2014-10-18", 17_000, 0, 1),
        ("2014-10-19", 17_000, 0, 1),
        ("2014-10-20", 17_000, 0, 1),
    ]
    assert all(f.complete and f.asset == "" and f.decimals == 8 for f in series)
    kinds = vault.conn.execute(
        "SELECT DISTINCT typeof(inflow), typeof(outflow) FROM explorer_flows"
    )
    assert kinds.fetchall() == [("text", "text")]
    since = explorer_data.flows(vault.conn, "bitcoin", SPENDER, since=date(2014, 10, 19))
    assert len(since) == 2
    # A second refresh replaces the summary, it does not pile up.
    again = explorers(httpserver.url_for("/api"))
    explorer_data.refresh_explorer(vault, again, "bitcoin", SPENDER)
    again.close()
    assert len(explorer_data.summaries(vault.conn, "bitcoin", SPENDER)) == 1


def test_offline_the_refresh_waits_in_the_outbox_and_runs_later(
    vault: Vault, httpserver: HTTPServer
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    unreachable = explorers(f"http://127.0.0.1:{port}/api")
    result = explorer_data.refresh_explorer(vault, unreachable, "bitcoin", SPENDER)
    unreachable.close()
    assert (
        result.queued and result.answer is None and "could not be reached" in (result.error or "")
    )
    assert explorer_data.summaries(vault.conn, "bitcoin", SPENDER) == []
    [item] = outbox.pending(vault.conn)
    assert (item.kind, item.payload) == ("explorer", {"chain": "bitcoin", "address": SPENDER})
    assert Screening(vault).waiting() == 1
    # Nobody to run it without explorers at hand: it keeps waiting.
    later = utc_now() + timedelta(hours=2)
    assert run_outbox(vault, {}, now=later).waiting == 1

    serve(httpserver)
    online = explorers(httpserver.url_for("/api"))
    report = run_outbox(vault, {}, now=later, explorers=online)
    online.close()
    assert (report.done, report.waiting) == (1, 0)
    assert len(explorer_data.flows(vault.conn, "bitcoin", SPENDER)) == 3


def test_a_cut_window_marks_its_oldest_day_and_never_spoils_a_complete_one(
    vault: Vault, httpserver: HTTPServer
) -> None:
    serve(httpserver, days=3)
    source = explorers(httpserver.url_for("/api"))
    whole = explorer_data.fetch(source, "bitcoin", SPENDER)
    cut = explorer_data.fetch(source, "bitcoin", SPENDER, transfers=2)
    source.close()
    assert cut.truncated and not whole.truncated
    with vault.transaction() as tx:
        explorer_data.store_answer(tx.conn, cut)
    marks = [(f.day, f.complete) for f in explorer_data.flows(vault.conn, "bitcoin", SPENDER)]
    assert marks == [("2014-10-19", False), ("2014-10-20", True)]
    with vault.transaction() as tx:
        explorer_data.store_answer(tx.conn, whole)
        explorer_data.store_answer(tx.conn, cut)  # a later, shorter look spoils nothing
    marks = [(f.day, f.complete) for f in explorer_data.flows(vault.conn, "bitcoin", SPENDER)]
    assert marks == [("2014-10-18", True), ("2014-10-19", True), ("2014-10-20", True)]


def test_a_chain_without_an_explorer_is_reported_not_queued(vault: Vault) -> None:
    source = explorers("http://127.0.0.1:9/api")
    result = explorer_data.refresh_explorer(vault, source, "tron", "TXYZ")
    source.close()
    assert not result.queued and "no explorer" in (result.error or "")
    assert Screening(vault).waiting() == 0


def test_flows_store_reads_back_exact_integers(vault: Vault) -> None:
    huge = 10**30
    row = store.FlowRow("2024-01-01", "0xdac17f958d2ee523a2206206994597c13d831ec7", "USDT", 6,
                        huge, 1, 2, True)  # fmt: skip
    with vault.transaction() as tx:
        store.put_flows(
            tx.conn, chain="ethereum", address="0xabc", source="test", fetched_at="x", flows=[row]
        )
    assert store.flows(vault.conn, "ethereum", "0xabc") == [row]


def test_a_history_cut_short_is_stored_and_shown(vault: Vault, httpserver: HTTPServer) -> None:
    """TronGrid's captured empty page with a cursor (test_explorer_fixtures/captured):
    the stored summary says the history was cut short, in the panel's line and the CLI's,
    and the oldest day of the flows is marked as possibly missing transfers."""
    holder = "TM1zzNDZD2DPASbKcgdVoTYhfmYgtfwx9D"
    page = documented("captured/trongrid/trc20_unconfirmed_twice.json")
    empty = documented("captured/trongrid/empty_page_with_cursor.json")

    def trc20(request: Request) -> Response:
        body = empty if "fingerprint" in request.args else page
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request(f"/v1/accounts/{holder}").respond_with_json(
        documented("trongrid/account.json")
    )
    httpserver.expect_request(f"/v1/accounts/{holder}/transactions/trc20").respond_with_handler(
        trc20
    )
    chain = ChainSettings(
        "tron", ProviderKind.TRONGRID, httpserver.url_for("/").rstrip("/"), "TRX", 6,
        rate_per_second=1000.0,
    )  # fmt: skip
    source = Explorers(ExplorerSettings(chains=(chain,)))
    done = Screening(vault).refresh_explorer(source, "tron", holder)
    source.close()
    assert done.answer is not None and done.answer.cut_short is not None
    [summary] = explorer_data.summaries(vault.conn, "tron", holder)
    assert summary["cut_short"] == "TronGrid sent an empty page with a cursor"
    assert "history cut short (TronGrid sent an empty page with a cursor)" in summary_text(summary)
    line = summary_line("tron", holder, summary, status="stored")
    assert line["history_cut_short"] == "TronGrid sent an empty page with a cursor"
    marks = [(f.day, f.complete) for f in explorer_data.flows(vault.conn, "tron", holder)]
    assert marks == [("2020-06-21", False)]


def test_a_whole_history_says_nothing_about_cutting(vault: Vault, httpserver: HTTPServer) -> None:
    serve(httpserver, days=2)
    source = explorers(httpserver.url_for("/api"))
    Screening(vault).refresh_explorer(source, "bitcoin", SPENDER)
    source.close()
    [summary] = explorer_data.summaries(vault.conn, "bitcoin", SPENDER)
    assert summary["cut_short"] is None and "cut short" not in summary_text(summary)
