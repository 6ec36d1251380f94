"""Esplora against a fake server answering with the documented bodies (esplora.md).

The docs give one full transaction (unconfirmed) and one confirmed `status`
with its inputs and outputs elided; confirmed transactions here are the full
one with the documented confirmed status (and, for paging, new txids/times).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from integrations.explorers import Asset, daily_flows
from integrations.explorers.esplora import EsploraExplorer
from integrations.http import ProviderError, QuotaError
from tests.integrations.conftest import MakeClient

Load = Callable[[str], Any]
BTC = Asset("bitcoin", "BTC", 8)
SPENDER = "1HXb8YtsgBhFWdYezjd6bt7Dw4UGKyZo54"  # the input's prevout: 17000 sat
PAYEE = "18GxdcLgNtRUc8v5TNJtPnvoi8jMVWxvb"  # the first output: 10419 sat
CONFIRMED_AT = 1413798020


def confirmed(documented: Load, n: int = 0) -> dict[str, Any]:
    tx: dict[str, Any] = copy.deepcopy(documented("esplora/tx_unconfirmed.json"))
    tx["status"] = dict(documented("esplora/tx_confirmed_status.json")["status"])
    tx["status"]["block_time"] -= n * 86_400  # one a day, going back
    tx["status"]["block_height"] -= n * 144
    tx["txid"] = f"{n:064x}"
    return tx


@pytest.fixture
def esplora(make_client: MakeClient) -> EsploraExplorer:
    return EsploraExplorer(make_client("/api", name="Esplora at blockstream.info"), native=BTC)


def test_summary_reads_balance_count_and_a_short_history(
    server: HTTPServer, esplora: EsploraExplorer, documented: Load
) -> None:
    address = "1wiz18xYmhRX6xStj2b9t1rwWX4GKUgpv"
    server.expect_request(f"/api/address/{address}").respond_with_json(
        documented("esplora/address.json")
    )
    server.expect_request(f"/api/address/{address}/txs/chain").respond_with_json(
        [confirmed(documented, 0), confirmed(documented, 3)]
    )
    summary = esplora.summary(address)
    assert summary.native.amount == 0 and summary.native.pending == 0  # 15007599040 in and out
    assert summary.tx_count == 7
    assert summary.last_seen == datetime.fromtimestamp(CONFIRMED_AT, UTC)
    assert summary.first_seen == datetime.fromtimestamp(CONFIRMED_AT - 3 * 86_400, UTC)


def test_mempool_change_is_pending_and_a_long_history_leaves_first_seen_open(
    server: HTTPServer, esplora: EsploraExplorer, documented: Load
) -> None:
    stats = documented("esplora/address.json")
    stats["chain_stats"].update(funded_txo_sum=50_000, spent_txo_sum=20_000, tx_count=1_000)
    stats["mempool_stats"].update(funded_txo_sum=0, spent_txo_sum=17_000, tx_count=1)
    server.expect_request(f"/api/address/{SPENDER}").respond_with_json(stats)
    server.expect_request(f"/api/address/{SPENDER}/txs/chain").respond_with_json(
        [confirmed(documented, n) for n in range(25)]
    )
    summary = esplora.summary(SPENDER)
    assert summary.native.amount == 30_000 and summary.native.pending == -17_000
    assert summary.tx_count == 1_001
    assert summary.first_seen is None  # 40 pages away: not walked
    assert summary.last_seen == datetime.fromtimestamp(CONFIRMED_AT, UTC)
    assert len(server.log) == 2


def test_transfers_value_in_and_out_and_pages_by_last_txid(
    server: HTTPServer, esplora: EsploraExplorer, documented: Load
) -> None:
    first_page = [documented("esplora/tx_unconfirmed.json")] + [
        confirmed(documented, n) for n in range(25)
    ]
    server.expect_ordered_request(f"/api/address/{SPENDER}/txs").respond_with_json(first_page)
    server.expect_ordered_request(f"/api/address/{SPENDER}/txs/chain/{24:064x}").respond_with_json(
        [confirmed(documented, n) for n in range(25, 28)]
    )
    found = esplora.transfers(SPENDER)
    assert len(found) == 29
    pending = found[0]
    assert pending.timestamp is None and pending.block is None
    assert pending.outflow == 17_000 and pending.inflow == 0 and pending.asset == BTC
    assert [t.tx_hash for t in found[1:4]] == [f"{n:064x}" for n in range(3)]
    assert found[1].block == 326148
    flows = daily_flows(found)
    assert len(flows) == 28 and all(f.outflow == 17_000 and f.inflow == 0 for f in flows)


def test_outputs_to_the_address_are_inflow(
    server: HTTPServer, esplora: EsploraExplorer, documented: Load
) -> None:
    server.expect_request(f"/api/address/{PAYEE}/txs").respond_with_json([confirmed(documented)])
    (received,) = esplora.transfers(PAYEE)
    assert received.inflow == 10_419 and received.outflow == 0


def test_bech32_addresses_match_in_any_case(
    server: HTTPServer, esplora: EsploraExplorer, documented: Load
) -> None:
    tx = confirmed(documented)
    tx["vout"][0]["scriptpubkey_address"] = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    upper = "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ"
    server.expect_request(f"/api/address/{upper}/txs").respond_with_json([tx])
    (received,) = esplora.transfers(upper)
    assert received.inflow == 10_419


def test_plain_text_errors_are_shown(server: HTTPServer, esplora: EsploraExplorer) -> None:
    server.expect_request("/api/address/notanaddress").respond_with_data(
        "Invalid Bitcoin address", status=400, content_type="text/plain"
    )
    with pytest.raises(ProviderError, match=r"\(Invalid Bitcoin address\)"):
        esplora.summary("notanaddress")


def test_429_backs_off_then_reports_quota(server: HTTPServer, esplora: EsploraExplorer) -> None:
    server.expect_request(f"/api/address/{PAYEE}/txs").respond_with_data("", status=429)
    with pytest.raises(QuotaError) as caught:
        esplora.transfers(PAYEE)
    assert caught.value.attempts == 3


def test_a_confirmed_status_without_its_block_time_is_a_shape_error(
    server: HTTPServer, esplora: EsploraExplorer, documented: Load
) -> None:
    broken = confirmed(documented)
    del broken["status"]["block_time"]
    server.expect_request(f"/api/address/{PAYEE}/txs").respond_with_json([broken])
    with pytest.raises(ProviderError, match="unexpected shape"):
        esplora.transfers(PAYEE)
