"""TronGrid against a fake server answering with the documented bodies (trongrid.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from integrations.explorers import Asset, TokenSpec, daily_flows
from integrations.explorers.settings import TRON_USDT
from integrations.explorers.trongrid import TronGridExplorer
from integrations.explorers.trongrid.client import MAX_PAGES
from integrations.http import AuthError, ManualClock, ProviderError, QuotaError
from tests.integrations.conftest import MakeClient

Load = Callable[[str], Any]
TRX = Asset("tron", "TRX", 6)
KEY = "7f3c2a10-aaaa-bbbb-cccc-0123456789ab"
ACCOUNT = "TLCuBEirVzB6V4menLZKw1jfBTFMZbuKq7"  # the documented account example
HOLDER = "TYPrKF2sevXuE86Xo3Y2mhFnjseiUcybny"  # the documented TRC-20 example
USDT = Asset("tron", "USDT", 6, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")


@pytest.fixture
def trongrid(make_client: MakeClient) -> TronGridExplorer:
    client = make_client(name="TronGrid", secrets=(KEY,))
    return TronGridExplorer(client, native=TRX, tokens=(TRON_USDT,), api_key=KEY)


def test_summary_reads_trx_trc20_and_activity(
    server: HTTPServer, trongrid: TronGridExplorer, documented: Load
) -> None:
    account = documented("trongrid/account.json")
    # "Current responses also contain a trc20 array of single-key objects", e.g.:
    account["data"][0]["trc20"] = [
        {"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t": "15500000"},
        {"TXLAQ63Xg1NAzckPwKHvzw7CSEmLMEqcdj": "42"},
    ]
    server.expect_request(
        f"/v1/accounts/{ACCOUNT}", headers={"TRON-PRO-API-KEY": KEY}
    ).respond_with_json(account)
    server.expect_request(
        f"/v1/accounts/{ACCOUNT}/transactions/trc20",
        query_string={"limit": "1", "order_by": "block_timestamp,desc"},
        headers={"TRON-PRO-API-KEY": KEY},
    ).respond_with_json(documented("trongrid/trc20.json"))
    summary = trongrid.summary(ACCOUNT)
    assert summary.native.amount == 4196409173 and str(summary.native.as_decimal()) == "4196.409173"
    usdt, unknown = summary.tokens
    assert usdt.asset == USDT and usdt.amount == 15_500_000
    assert unknown.asset == Asset("tron", None, None, "TXLAQ63Xg1NAzckPwKHvzw7CSEmLMEqcdj")
    assert unknown.as_decimal() is None
    assert summary.first_seen == datetime(2018, 6, 25, 3, 39, 51, tzinfo=UTC)  # create_time
    # the newest TRC-20 row (2022) is later than latest_opration_time (2019)
    assert summary.last_seen == datetime.fromtimestamp(1651903617, UTC)
    assert summary.source == "TronGrid" and summary.tx_count is None


def test_a_never_activated_account_has_nothing(
    server: HTTPServer, trongrid: TronGridExplorer, documented: Load
) -> None:
    server.expect_request(f"/v1/accounts/{HOLDER}").respond_with_json(
        documented("trongrid/errors.json")["unactivated"]
    )
    server.expect_request(f"/v1/accounts/{HOLDER}/transactions/trc20").respond_with_json(
        {"data": [], "success": True, "meta": {"at": 1652928398011, "page_size": 0}}
    )
    summary = trongrid.summary(HOLDER)
    assert summary.native.amount == 0 and summary.tokens == ()
    assert summary.first_seen is None and summary.last_seen is None


def test_trc20_transfers_follow_the_fingerprint(
    server: HTTPServer, trongrid: TronGridExplorer, documented: Load
) -> None:
    page = documented("trongrid/trc20.json")
    first = {**page, "data": page["data"][:1], "meta": documented("trongrid/next_page_meta.json")}
    second = {**page, "data": page["data"][1:]}
    path = f"/v1/accounts/{HOLDER}/transactions/trc20"
    server.expect_ordered_request(
        path, query_string={"limit": "100", "order_by": "block_timestamp,desc"}
    ).respond_with_json(first)
    server.expect_ordered_request(
        path,
        query_string={
            "limit": "99",
            "order_by": "block_timestamp,desc",
            "fingerprint": "<opaque-cursor>",
        },
    ).respond_with_json(second)
    sent, received = trongrid.transfers(HOLDER)
    assert sent.outflow == 15_500_000 and sent.inflow == 0 and sent.asset == USDT
    assert sent.recipient == "TTRmEA73gpoxK2KRmhL7GtcYLh88VefYss"
    assert received.inflow == 343_712 and received.outflow == 0
    assert received.timestamp == datetime(2022, 4, 27, 17, 12, 6, tzinfo=UTC)
    days = [(f.day.isoformat(), f.inflow, f.outflow) for f in daily_flows([sent, received])]
    assert days == [("2022-04-27", 343_712, 0), ("2022-05-07", 0, 15_500_000)]


def test_approvals_are_not_transfers(
    server: HTTPServer, trongrid: TronGridExplorer, documented: Load
) -> None:
    page = documented("trongrid/trc20.json")
    page["data"][0]["type"] = "Approval"
    server.expect_request(f"/v1/accounts/{HOLDER}/transactions/trc20").respond_with_json(page)
    (only,) = trongrid.transfers(HOLDER)
    assert only.inflow == 343_712


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (403, "frequency_limit"),
        (503, "frequency_limit_lowercase"),
        (503, "fullnode_frequency_limit"),
    ],
)
def test_frequency_limits_wait_the_suspension_then_report_quota(
    server: HTTPServer,
    trongrid: TronGridExplorer,
    documented: Load,
    clock: ManualClock,
    status: int,
    body: str,
) -> None:
    server.expect_request(f"/v1/accounts/{HOLDER}/transactions/trc20").respond_with_json(
        documented("trongrid/errors.json")[body], status=status
    )
    with pytest.raises(QuotaError, match="frequency limit") as caught:
        trongrid.transfers(HOLDER)
    assert clock.sleeps == [30.0, 30.0]  # "suspended for 30s"
    assert caught.value.attempts == 3 and KEY not in str(caught.value)


def test_a_suspension_then_success(
    server: HTTPServer, trongrid: TronGridExplorer, documented: Load, clock: ManualClock
) -> None:
    path = f"/v1/accounts/{HOLDER}/transactions/trc20"
    server.expect_ordered_request(path).respond_with_json(
        documented("trongrid/errors.json")["frequency_limit"], status=403
    )
    server.expect_ordered_request(path).respond_with_json(documented("trongrid/trc20.json"))
    assert len(trongrid.transfers(HOLDER)) == 2
    assert clock.sleeps == [30.0]


def test_other_refusals(server: HTTPServer, trongrid: TronGridExplorer) -> None:
    path = f"/v1/accounts/{HOLDER}"
    server.expect_ordered_request(path).respond_with_data("", status=401)
    server.expect_ordered_request(path).respond_with_json(
        {"success": False, "error": "invalid address", "statusCode": 400}, status=400
    )
    server.expect_ordered_request(path).respond_with_json(
        {"success": False, "error": "something broke"}
    )
    with pytest.raises(AuthError):
        trongrid.summary(HOLDER)
    with pytest.raises(ProviderError, match="invalid address"):
        trongrid.summary(HOLDER)
    with pytest.raises(ProviderError, match="something broke"):
        trongrid.summary(HOLDER)


def test_no_key_no_header(server: HTTPServer, make_client: MakeClient, documented: Load) -> None:
    explorer = TronGridExplorer(make_client(), native=TRX, tokens=[TokenSpec("X", "X", 0)])
    server.expect_request(f"/v1/accounts/{HOLDER}/transactions/trc20").respond_with_json(
        documented("trongrid/trc20.json")
    )
    explorer.transfers(HOLDER)
    (request, _), *_ = server.log
    assert "TRON-PRO-API-KEY" not in request.headers


# --- real bodies (test_explorer_fixtures/captured/trongrid, see its README) -----------

CAPTURED = "TM1zzNDZD2DPASbKcgdVoTYhfmYgtfwx9D"  # the account of the captured TRC-20 page
LAST_PAGE = {"success": True, "meta": {"at": 1592757126588, "page_size": 0}, "data": []}


def test_an_unconfirmed_copy_of_a_transfer_is_not_counted_twice(
    server: HTTPServer, trongrid: TronGridExplorer, documented: Load
) -> None:
    """TronGrid lists c4052b52… once with "_unconfirmed": true and once confirmed."""
    path = f"/v1/accounts/{CAPTURED}/transactions/trc20"
    server.expect_ordered_request(path).respond_with_json(
        documented("captured/trongrid/trc20_unconfirmed_twice.json")
    )
    server.expect_ordered_request(
        path,
        query_string={
            "limit": "96",
            "order_by": "block_timestamp,desc",
            "fingerprint": "2tmLC90HQEnpnJ02w3n",
        },
    ).respond_with_json(LAST_PAGE)
    found = trongrid.transfers(CAPTURED)
    assert [t.tx_hash[:8] for t in found] == ["fb078403", "c4052b52", "0b52a4ef", "efb7d443"]
    assert found.cut_short is None
    pending, sent, *_ = found
    # fb078403 has no confirmed row yet: kept, but pending (no day, so no flow)
    assert pending.timestamp is None and pending.outflow == 500_000_000
    assert sent.timestamp == datetime.fromtimestamp(1592757066, UTC)
    (day,) = daily_flows(found)
    assert (day.day.isoformat(), day.inflow, day.outflow, day.transfers) == (
        "2020-06-21",
        1_062_000_000,
        50_000_000 + 3_988_000_000,
        3,
    )


def test_equal_transfers_in_one_transaction_both_count(
    server: HTTPServer, trongrid: TronGridExplorer, documented: Load
) -> None:
    page = documented("captured/trongrid/trc20_unconfirmed_twice.json")
    twice = page["data"][2]  # a confirmed row; a batch payout can emit the same Transfer twice
    server.expect_request(f"/v1/accounts/{CAPTURED}/transactions/trc20").respond_with_json(
        {**page, "meta": LAST_PAGE["meta"], "data": [twice, twice]}
    )
    assert [t.outflow for t in trongrid.transfers(CAPTURED)] == [50_000_000, 50_000_000]


def test_an_empty_page_with_a_cursor_ends_the_history_cut_short(
    server: HTTPServer, trongrid: TronGridExplorer, documented: Load
) -> None:
    """The captured empty page still carries a fingerprint: following it loops for ever."""
    path = f"/v1/accounts/{CAPTURED}/transactions/trc20"
    server.expect_ordered_request(path).respond_with_json(
        documented("captured/trongrid/trc20_unconfirmed_twice.json")
    )
    empty = documented("captured/trongrid/empty_page_with_cursor.json")
    for _ in range(3):  # more than once would be a loop; the fix asks once
        server.expect_ordered_request(path).respond_with_json(empty)
    found = trongrid.transfers(CAPTURED)
    assert len(found) == 4 and found.cut_short == "TronGrid sent an empty page with a cursor"
    assert len(server.log) == 2  # the spare empty pages were never asked for


def test_paging_stops_after_max_pages(
    server: HTTPServer, trongrid: TronGridExplorer, documented: Load
) -> None:
    """A provider that always offers one more page (here: one row and a fresh cursor each
    time) is followed MAX_PAGES times, then the history says it was cut short."""
    row = documented("captured/trongrid/trc20_unconfirmed_twice.json")["data"][3]
    served = 0

    def page(_request: Request) -> Response:
        nonlocal served
        served += 1
        body = {"success": True, "meta": {"page_size": 1, "fingerprint": f"c{served}"},
                "data": [{**row, "transaction_id": f"{served:064x}"}]}  # fmt: skip
        return Response(json.dumps(body), content_type="application/json")

    server.expect_request(f"/v1/accounts/{CAPTURED}/transactions/trc20").respond_with_handler(page)
    found = trongrid.transfers(CAPTURED, limit=50)
    assert served == MAX_PAGES and len(found) == MAX_PAGES
    assert found.cut_short == f"TronGrid still had more after {MAX_PAGES} pages"


def test_a_repeated_cursor_ends_the_history_cut_short(
    server: HTTPServer, trongrid: TronGridExplorer, documented: Load
) -> None:
    page = documented("captured/trongrid/trc20_unconfirmed_twice.json")
    server.expect_request(f"/v1/accounts/{CAPTURED}/transactions/trc20").respond_with_json(page)
    found = trongrid.transfers(CAPTURED)
    assert len(found) == 4 and found.cut_short == "TronGrid sent the same cursor twice"
    assert len(server.log) == 2


def test_a_pending_newest_transfer_still_dates_the_last_activity(
    server: HTTPServer, trongrid: TronGridExplorer, documented: Load
) -> None:
    server.expect_request(f"/v1/accounts/{CAPTURED}").respond_with_json(
        documented("trongrid/errors.json")["unactivated"]
    )
    page = documented("captured/trongrid/trc20_unconfirmed_twice.json")
    server.expect_request(f"/v1/accounts/{CAPTURED}/transactions/trc20").respond_with_json(
        {**page, "data": page["data"][:1]}
    )
    assert trongrid.summary(CAPTURED).last_seen == datetime.fromtimestamp(1592757117, UTC)
