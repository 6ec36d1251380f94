"""Etherscan V2 and Blockscout's Etherscan-style /api against a fake server that
answers with the documented bodies (etherscan.md, blockscout.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from integrations.explorers import Asset, daily_flows
from integrations.explorers.etherscan import EtherscanExplorer
from integrations.http import (
    AuthError,
    IntegrationError,
    ManualClock,
    ProviderError,
    QuotaError,
    TransientError,
)
from tests.integrations.conftest import MakeClient

KEY = "YourApiKeyToken-9d1c"
ETH = Asset("ethereum", "ETH", 18)
#: the address of the documented tokentx example (and of Blockscout's)
HOLDER = "0x4e83362442b8d1bec281594cea3050c8eb01311c"
MKR = "0x9f8f72aa9304c8b593d555f12ef6589cc3a579a2"

Load = Callable[[str], Any]
Routes = dict[tuple[str, str], Any]


def route(server: HTTPServer, path: str, routes: Routes, seen: list[dict[str, str]]) -> None:
    """Answer on (action, sort) from the query string, as the checklist says
    ("Route on the query string (module, action, chainid), not the path")."""

    def handler(request: Request) -> Response:
        args = dict(request.args)
        seen.append(args)
        body = routes.get((args["action"], args.get("sort", "")), routes.get((args["action"], "")))
        if isinstance(body, Response):
            return body
        return Response(json.dumps(body), content_type="application/json")

    server.expect_request(path).respond_with_handler(handler)


@pytest.fixture
def etherscan(make_client: MakeClient) -> EtherscanExplorer:
    client = make_client("/v2/api", name="Etherscan", secrets=(KEY,))
    return EtherscanExplorer(client, native=ETH, chain_id=1, api_key=KEY)


def test_summary_reads_balance_and_activity(
    server: HTTPServer, etherscan: EtherscanExplorer, documented: Load, clock: ManualClock
) -> None:
    seen: list[dict[str, str]] = []
    route(
        server,
        "/v2/api",
        {
            ("balance", ""): documented("etherscan/balance.json"),
            ("txlist", ""): documented("etherscan/empty.json"),
            ("tokentx", ""): documented("etherscan/tokentx.json"),
        },
        seen,
    )
    summary = etherscan.summary(HOLDER)
    assert summary.native.amount == 172774397764084972158218
    assert summary.native.asset == ETH and summary.native.as_decimal() is not None
    assert str(summary.native.as_decimal()) == "172774.397764084972158218"
    when = datetime(2017, 12, 14, 8, 32, 43, tzinfo=UTC)  # timeStamp 1513240363
    assert summary.first_seen == when and summary.last_seen == when
    assert summary.tokens == () and summary.tx_count is None
    assert summary.source == "Etherscan (chain 1)"
    assert summary.fetched_at == datetime.fromtimestamp(clock.time(), UTC)
    assert all(
        a["chainid"] == "1" and a["apikey"] == KEY and a["module"] == "account" for a in seen
    )
    balance = next(a for a in seen if a["action"] == "balance")
    assert balance["address"] == HOLDER and balance["tag"] == "latest"
    assert {(a["action"], a["sort"], a["offset"]) for a in seen if a["action"] != "balance"} == {
        ("txlist", "asc", "1"),
        ("txlist", "desc", "1"),
        ("tokentx", "asc", "1"),
        ("tokentx", "desc", "1"),
    }


def test_transfers_merge_native_and_token_rows_newest_first(
    server: HTTPServer, etherscan: EtherscanExplorer, documented: Load
) -> None:
    # Two documented MKR transfers of the same holder: Blockscout's example
    # (10 MKR out, 2018-07-20) and Etherscan's (5901.52 MKR in, 2017-12-14).
    tokentx = documented("etherscan/tokentx.json")
    tokentx["result"].insert(0, documented("blockscout/api_tokentx_item.json"))
    seen: list[dict[str, str]] = []
    route(
        server,
        "/v2/api",
        {("txlist", ""): documented("etherscan/empty.json"), ("tokentx", ""): tokentx},
        seen,
    )
    out, into = etherscan.transfers(HOLDER.upper().replace("0X", "0x"), limit=50)
    assert [a["offset"] for a in seen] == ["50", "50"]
    assert out.outflow == 10 * 10**18 and out.inflow == 0
    assert out.recipient == "0x21e21ba085289f81a86921de890eed30f1ad2375"
    assert out.log_index == 0 and out.block == 5997843
    assert into.inflow == 5901522149285533025181 and into.outflow == 0
    assert into.asset == Asset("ethereum", "MKR", 18, MKR)
    assert into.log_index is None  # Etherscan's example has no logIndex
    flows = daily_flows([out, into])
    assert [(f.day, f.inflow, f.outflow) for f in flows] == [
        (date(2017, 12, 14), 5901522149285533025181, 0),
        (date(2018, 7, 20), 0, 10 * 10**18),
    ]


def test_a_txlist_row_becomes_a_native_transfer(
    server: HTTPServer, etherscan: EtherscanExplorer, documented: Load
) -> None:
    sender = "0x2449ecef5012f0a0e153b278ef4fcc9625bc4c78"
    route(
        server,
        "/v2/api",
        {
            ("txlist", ""): documented("etherscan/txlist.json"),
            ("tokentx", ""): documented("etherscan/empty.json"),
        },
        [],
    )
    (transfer,) = etherscan.transfers(sender)
    assert transfer.asset == ETH and transfer.inflow == 0 and transfer.outflow == 0  # value "0"
    assert transfer.sender == sender and not transfer.failed
    assert transfer.tx_hash == "0xf9db905d77704596d3600816bc70201586cfeec13bcf576320e2f38d6ca851a0"
    assert transfer.timestamp == datetime.fromtimestamp(1759129619, UTC)


@pytest.mark.parametrize(
    ("body", "error", "attempts", "kind"),
    [
        ("rate_limit", QuotaError, 3, "quota"),
        ("rate_limit_documented", QuotaError, 3, "quota"),
        ("per_second", QuotaError, 3, "quota"),
        ("daily", QuotaError, 1, "quota"),
        ("invalid_key", AuthError, 1, "auth"),
        ("too_many_invalid_keys", AuthError, 1, "auth"),
        ("chainid", ProviderError, 1, "fatal"),
        ("deprecated_v1", ProviderError, 1, "fatal"),
        ("invalid_address", ProviderError, 1, "fatal"),
        # "Query Timeout occured" passes once the service has warmed up: retried
        ("query_timeout", TransientError, 3, "transient"),
    ],
)
def test_errors_inside_200_answers_map_to_their_class(
    server: HTTPServer,
    etherscan: EtherscanExplorer,
    documented: Load,
    clock: ManualClock,
    body: str,
    error: type[IntegrationError],
    attempts: int,
    kind: str,
) -> None:
    server.expect_request("/v2/api").respond_with_json(documented("etherscan/errors.json")[body])
    with pytest.raises(error) as caught:
        etherscan.summary(HOLDER)
    assert caught.value.kind == kind and caught.value.attempts == attempts
    assert len(clock.sleeps) == attempts - 1  # retried rate limits back off
    assert str(caught.value).startswith("Etherscan: ")
    assert KEY not in str(caught.value) and "apikey" not in str(caught.value)


def test_hints_say_what_to_do(
    server: HTTPServer, etherscan: EtherscanExplorer, documented: Load
) -> None:
    errors = documented("etherscan/errors.json")
    server.expect_ordered_request("/v2/api").respond_with_json(errors["invalid_key"])
    server.expect_ordered_request("/v2/api").respond_with_json(errors["deprecated_v1"])
    server.expect_ordered_request("/v2/api").respond_with_json(errors["too_many_invalid_keys"])
    with pytest.raises(AuthError, match="Enter the API key again"):
        etherscan.summary(HOLDER)
    with pytest.raises(ProviderError, match="Etherscan API V2"):
        etherscan.summary(HOLDER)
    with pytest.raises(AuthError) as throttled:
        etherscan.summary(HOLDER)
    assert throttled.value.retry_after == 30.0


def test_a_rate_limit_then_success_backs_off_once(
    server: HTTPServer, etherscan: EtherscanExplorer, documented: Load, clock: ManualClock
) -> None:
    errors = documented("etherscan/errors.json")
    server.expect_ordered_request("/v2/api").respond_with_json(errors["per_second"])
    server.expect_ordered_request("/v2/api").respond_with_json(documented("etherscan/balance.json"))
    server.expect_request("/v2/api").respond_with_json(documented("etherscan/empty.json"))
    summary = etherscan.summary(HOLDER)
    assert summary.native.amount == 172774397764084972158218
    assert summary.first_seen is None and summary.last_seen is None
    assert len(clock.sleeps) == 1 and 0 <= clock.sleeps[0] <= 0.5


def test_a_list_where_a_list_is_expected_or_else(
    server: HTTPServer, etherscan: EtherscanExplorer
) -> None:
    server.expect_ordered_request("/v2/api").respond_with_json(
        {"status": "1", "message": "OK", "result": "not a list"}
    )
    server.expect_ordered_request("/v2/api").respond_with_json({"jsonrpc": "2.0", "result": "0x1"})
    with pytest.raises(ProviderError, match="unexpected shape"):
        etherscan.transfers(HOLDER)
    with pytest.raises(ProviderError, match="envelope"):
        etherscan.transfers(HOLDER)


# --- Blockscout's Etherscan-style /api: reason in `message`, HTTP 429 ---


@pytest.fixture
def blockscout_api(make_client: MakeClient) -> EtherscanExplorer:
    client = make_client("/api", name="Explorer API at eth.blockscout.com")
    return EtherscanExplorer(client, native=ETH, chain_id=None)


def test_blockscout_api_needs_no_chainid_or_key(
    server: HTTPServer, blockscout_api: EtherscanExplorer, documented: Load
) -> None:
    seen: list[dict[str, str]] = []
    empty = documented("blockscout/api_empty.json")
    route(
        server,
        "/api",
        {
            ("balance", ""): documented("blockscout/api_balance.json"),
            ("txlist", ""): documented("blockscout/api_txlist.json"),
            ("tokentx", ""): empty["tokentx"],
        },
        seen,
    )
    summary = blockscout_api.summary("0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae")
    assert summary.native.amount == 663046792267785498951364
    assert summary.first_seen == datetime.fromtimestamp(1439232889, UTC)
    assert summary.source == "Explorer API at eth.blockscout.com"
    assert all("chainid" not in a and "apikey" not in a for a in seen)
    (row,) = blockscout_api.transfers("0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae")
    assert row.recipient == "0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae" and row.inflow == 0


def test_blockscout_api_reason_is_in_message(
    server: HTTPServer, blockscout_api: EtherscanExplorer, documented: Load
) -> None:
    server.expect_request("/api").respond_with_json(
        documented("blockscout/api_invalid_address.json")
    )
    with pytest.raises(ProviderError, match=r"rejected the address \(Invalid address hash\)"):
        blockscout_api.summary("0xnot")


def test_blockscout_api_429_waits_for_the_window_reset(
    server: HTTPServer, blockscout_api: EtherscanExplorer, documented: Load, clock: ManualClock
) -> None:
    server.expect_ordered_request("/api").respond_with_json(
        documented("blockscout/errors.json")["too_many_api"],
        status=429,
        headers={
            "x-ratelimit-limit": "5",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": "1500",
        },
    )
    server.expect_ordered_request("/api").respond_with_json(
        documented("blockscout/api_balance.json")
    )
    server.expect_request("/api").respond_with_json(
        documented("blockscout/api_empty.json")["txlist"]
    )
    assert blockscout_api.summary(HOLDER).native.amount == 663046792267785498951364
    assert clock.sleeps == [1.5]


def test_a_v1_keyless_ok_with_a_warning_is_success(
    server: HTTPServer, blockscout_api: EtherscanExplorer, documented: Load
) -> None:
    server.expect_ordered_request("/api").respond_with_json(
        documented("etherscan/errors.json")["v1_keyless_ok"]
    )
    server.expect_request("/api").respond_with_json(documented("etherscan/empty.json"))
    assert blockscout_api.summary(HOLDER).native.amount == 9973749999853000


# --- real bodies (test_explorer_fixtures/captured/etherscan/errors.json, sources inside) --


@pytest.mark.parametrize(
    ("body", "error", "kind", "said"),
    [
        ("free_api_temporarily_unavailable", QuotaError, "quota", "paused free API keys"),
        ("rate_limit_in_message", QuotaError, "quota", "Max calls rate limit reached"),
        ("query_timeout_in_message", TransientError, "transient", "timed out on a heavy query"),
        ("server_too_busy", TransientError, "transient", "timed out on a heavy query"),
    ],
)
def test_captured_refusals_are_retried_and_named(
    server: HTTPServer,
    etherscan: EtherscanExplorer,
    documented: Load,
    clock: ManualClock,
    body: str,
    error: type[IntegrationError],
    kind: str,
    said: str,
) -> None:
    captured = documented("captured/etherscan/errors.json")[body]["body"]
    server.expect_request("/v2/api").respond_with_json(captured)
    with pytest.raises(error) as caught:
        etherscan.summary(HOLDER)
    assert caught.value.kind == kind and caught.value.retryable
    assert caught.value.attempts == 3 and len(clock.sleeps) == 2
    assert said in str(caught.value) and "NOTOK" not in str(caught.value)
    assert "Check the provider settings" not in str(caught.value)


def test_a_temporary_free_tier_pause_then_success(
    server: HTTPServer, etherscan: EtherscanExplorer, documented: Load, clock: ManualClock
) -> None:
    paused = documented("captured/etherscan/errors.json")["free_api_temporarily_unavailable"]
    server.expect_ordered_request("/v2/api").respond_with_json(paused["body"])
    server.expect_ordered_request("/v2/api").respond_with_json(documented("etherscan/balance.json"))
    server.expect_request("/v2/api").respond_with_json(documented("etherscan/empty.json"))
    assert etherscan.summary(HOLDER).native.amount == 172774397764084972158218
    assert len(clock.sleeps) == 1
