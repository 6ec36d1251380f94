"""Blockscout REST v2 against a fake instance answering with the documented bodies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from integrations.explorers import Asset
from integrations.explorers.blockscout import BlockscoutExplorer
from integrations.http import AuthError, ManualClock, ProviderError, QuotaError
from tests.integrations.conftest import MakeClient

Load = Callable[[str], Any]
GNO = Asset("gnosis", "xDAI", 18)
ADDRESS = "0xd789a607CEac2f0E14867de4EB15b15C9FFB5859"
BASE = f"/api/v2/addresses/{ADDRESS}"


@pytest.fixture
def blockscout(make_client: MakeClient) -> BlockscoutExplorer:
    return BlockscoutExplorer(make_client(name="Blockscout at gnosis.blockscout.com"), native=GNO)


def test_summary_reads_balance_counters_and_activity(
    server: HTTPServer, blockscout: BlockscoutExplorer, documented: Load
) -> None:
    server.expect_request(BASE).respond_with_json(documented("blockscout/address.json"))
    server.expect_request(f"{BASE}/counters").respond_with_json(
        documented("blockscout/counters.json")
    )
    server.expect_request(
        f"{BASE}/transactions", query_string={"sort": "block_number", "order": "asc"}
    ).respond_with_json(documented("blockscout/transactions.json"))
    server.expect_request(
        f"{BASE}/transactions", query_string={"sort": "block_number", "order": "desc"}
    ).respond_with_json(documented("blockscout/transactions.json"))
    summary = blockscout.summary(ADDRESS)
    assert summary.native.amount == 2782650189688719421432220500
    assert summary.tx_count == 5462
    when = datetime(2022, 10, 10, 14, 34, 30, tzinfo=UTC)
    assert summary.first_seen == when and summary.last_seen == when
    assert summary.source == "Blockscout at gnosis.blockscout.com"


def test_a_never_seen_address_is_a_zero_skeleton(
    server: HTTPServer, blockscout: BlockscoutExplorer, documented: Load
) -> None:
    skeleton = documented("blockscout/address_skeleton.json")
    base = f"/api/v2/addresses/{skeleton['hash']}"
    server.expect_request(base).respond_with_json(skeleton)
    server.expect_request(f"{base}/counters").respond_with_json(
        {
            "transactions_count": "0",
            "token_transfers_count": "0",
            "gas_usage_count": "0",
            "validations_count": "0",
        }
    )
    server.expect_request(f"{base}/transactions").respond_with_json(
        {"items": [], "next_page_params": None}
    )
    summary = blockscout.summary(skeleton["hash"])
    assert summary.native.amount == 0 and summary.tx_count == 0
    assert summary.first_seen is None and summary.last_seen is None


def test_transfers_follow_next_page_params(
    server: HTTPServer, blockscout: BlockscoutExplorer, documented: Load
) -> None:
    cursor = documented("blockscout/next_page_params.json")
    first = documented("blockscout/transactions.json")
    first["next_page_params"] = cursor
    second = documented("blockscout/transactions.json")
    older = second["items"][0]
    older.update(hash="0x" + "ab" * 32, block_number=29611000, timestamp="2022-10-09T08:00:00Z")
    older["from"], older["to"] = older["to"], older["from"]  # this one goes out
    # "send all of its keys back as query parameters (plus any filter/sort/order you used)"
    resent = {k: str(v) for k, v in cursor.items()} | {"sort": "block_number", "order": "desc"}
    server.expect_ordered_request(
        f"{BASE}/transactions", query_string={"sort": "block_number", "order": "desc"}
    ).respond_with_json(first)
    server.expect_ordered_request(f"{BASE}/transactions", query_string=resent).respond_with_json(
        second
    )
    newer, outgoing = blockscout.transfers(ADDRESS, limit=10)
    assert newer.inflow == 42 * 10**18 and newer.outflow == 0 and newer.asset == GNO
    assert newer.sender == "0x047a81afb05d9b1f8844bf60fca05dccfbc584b9"
    assert newer.block == 29611750 and not newer.failed
    assert outgoing.outflow == 42 * 10**18 and outgoing.inflow == 0
    assert outgoing.timestamp == datetime(2022, 10, 9, 8, tzinfo=UTC)


def test_the_limit_stops_paging(
    server: HTTPServer, blockscout: BlockscoutExplorer, documented: Load
) -> None:
    page = documented("blockscout/transactions.json")
    page["next_page_params"] = documented("blockscout/next_page_params.json")
    server.expect_request(f"{BASE}/transactions").respond_with_json(page)
    assert len(blockscout.transfers(ADDRESS, limit=1)) == 1
    assert len(server.log) == 1


@pytest.mark.parametrize("body", ["invalid_address_hash", "json_api_422"])
def test_both_422_shapes_are_fatal_with_their_reason(
    server: HTTPServer, blockscout: BlockscoutExplorer, documented: Load, body: str
) -> None:
    server.expect_request("/api/v2/addresses/0x").respond_with_json(
        documented("blockscout/errors.json")[body], status=422
    )
    with pytest.raises(ProviderError, match=r"HTTP 422\) \(Invalid") as caught:
        blockscout.summary("0x")
    assert caught.value.attempts == 1


def test_429_waits_as_long_as_x_ratelimit_reset_says(
    server: HTTPServer, blockscout: BlockscoutExplorer, documented: Load, clock: ManualClock
) -> None:
    server.expect_request(f"{BASE}/transactions").respond_with_json(
        documented("blockscout/errors.json")["too_many_v2"],
        status=429,
        headers={
            "x-ratelimit-limit": "600",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": "250",
        },
    )
    with pytest.raises(QuotaError, match="Too many requests") as caught:
        blockscout.transfers(ADDRESS)
    assert clock.sleeps == [0.25, 0.25] and caught.value.attempts == 3


def test_restricted_is_not_a_key_problem_but_unauthorized_is(
    server: HTTPServer, blockscout: BlockscoutExplorer, documented: Load
) -> None:
    errors = documented("blockscout/errors.json")
    server.expect_ordered_request(BASE).respond_with_json(errors["restricted"], status=403)
    server.expect_ordered_request(BASE).respond_with_json(errors["unauthorized"], status=401)
    with pytest.raises(ProviderError, match="hides this address"):
        blockscout.summary(ADDRESS)
    with pytest.raises(AuthError):
        blockscout.summary(ADDRESS)


def test_an_api_key_goes_in_the_query(
    server: HTTPServer, make_client: MakeClient, documented: Load
) -> None:
    explorer = BlockscoutExplorer(make_client(secrets=("bs-key",)), native=GNO, api_key="bs-key")
    server.expect_request(
        f"{BASE}/transactions",
        query_string={"sort": "block_number", "order": "desc", "apikey": "bs-key"},
    ).respond_with_json(documented("blockscout/transactions.json"))
    assert len(explorer.transfers(ADDRESS)) == 1


# --- real bodies (test_explorer_fixtures/captured/blockscout, see its README) ---------


def test_zero_counters_beside_transactions_are_unknown_not_zero(
    server: HTTPServer, blockscout: BlockscoutExplorer, documented: Load
) -> None:
    """A busy address on an instance still counting it: all counters "0", yet transactions."""
    server.expect_request(BASE).respond_with_json(documented("blockscout/address.json"))
    server.expect_request(f"{BASE}/counters").respond_with_json(
        documented("captured/blockscout/counters_zero.json")
    )
    server.expect_request(f"{BASE}/transactions").respond_with_json(
        documented("blockscout/transactions.json")
    )
    summary = blockscout.summary(ADDRESS)
    assert summary.tx_count is None  # not "0 transactions" beside real dates
    assert summary.first_seen == datetime(2022, 10, 10, 14, 34, 30, tzinfo=UTC)


def test_an_older_instance_names_the_block_block(
    server: HTTPServer, blockscout: BlockscoutExplorer, documented: Load
) -> None:
    server.expect_request(f"{BASE}/transactions").respond_with_json(
        documented("captured/blockscout/transactions_block_key.json")
    )
    (received,) = blockscout.transfers(ADDRESS)
    assert received.block == 29611750 and received.inflow == 42 * 10**18
