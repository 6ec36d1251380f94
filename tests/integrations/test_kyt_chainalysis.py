"""Chainalysis Sanctions API and Address Screening against a fake server that
answers with the documented bodies (chainalysis.md §1, §2)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from integrations.http import AuthError, ManualClock, RetryPolicy
from integrations.kyt import AddressRejected, MalformedAnswer, NotReady, UnknownAddress
from integrations.kyt.chainalysis import Risk, SanctionsClient, ScreeningClient
from integrations.kyt.chainalysis import sanctions as sanctions_api
from integrations.kyt.chainalysis import screening as screening_api

FIXTURES = Path(__file__).parent / "kyt_fixtures" / "chainalysis"
KEY = "chainalysis-KEY-41c9a0"
LISTED = "0x1da5821544e25c636c1417ba96ade4cf6d2f9b5a"  # named in the docs' sample
ADDRESS = "0x8589427373d6d84e98730d7795d8f6f8731fda16"
FAST = RetryPolicy(attempts=3, base_delay=0.5, max_delay=4.0)
#: no limiter waits, so clock.sleeps are retry waits only
QUICK: dict[str, Any] = {"retry": FAST, "rate_per_second": 1000.0, "burst": 10_000}


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def doc(name: str) -> Any:
    return json.loads(raw(name))


@pytest.fixture
def sanctions(server: HTTPServer, clock: ManualClock) -> SanctionsClient:
    config = replace(sanctions_api.CONFIG, base_url=server.url_for("/").rstrip("/"), **QUICK)
    return SanctionsClient(key=KEY, config=config, clock=clock)


@pytest.fixture
def screening(server: HTTPServer, clock: ManualClock) -> ScreeningClient:
    config = replace(screening_api.CONFIG, base_url=server.url_for("/api/risk"), **QUICK)
    return ScreeningClient(key=KEY, config=config, clock=clock)


def test_documented_rates_and_hosts() -> None:
    assert sanctions_api.CONFIG.base_url == "https://public.chainalysis.com"
    assert sanctions_api.CONFIG.rate_per_second == pytest.approx(5000 / 300)
    assert screening_api.CONFIG.base_url == "https://api.chainalysis.com/api/risk"
    assert screening_api.CONFIG.rate_per_second == 40


def test_a_sanctioned_address_has_identifications(
    server: HTTPServer, sanctions: SanctionsClient, clock: ManualClock
) -> None:
    server.expect_request(
        f"/api/v1/address/{LISTED}",
        method="GET",
        headers={"X-API-Key": KEY, "Accept": "application/json"},
    ).respond_with_data(raw("sanctions_listed.json"), content_type="application/json")
    screened = sanctions.screen("ethereum", LISTED)
    answer = screened.answer
    assert answer.listed and len(answer.identifications) == 1
    found = answer.identifications[0]
    assert found.category == "sanctions"
    assert found.name.startswith("SANCTIONS: OFAC SDN Secondeye Solution 2021-04-15")
    assert found.url == "https://home.treasury.gov/news/press-releases/jy0126"
    assert screened.raw == raw("sanctions_listed.json")
    assert screened.fetched_at == datetime.fromtimestamp(clock.time(), UTC)


def test_a_clean_address_has_none(server: HTTPServer, sanctions: SanctionsClient) -> None:
    server.expect_request(f"/api/v1/address/{ADDRESS}").respond_with_data(
        raw("sanctions_clean.json"), content_type="application/json"
    )
    assert not sanctions.screen("bitcoin", ADDRESS).answer.listed


def test_the_address_is_one_path_segment(server: HTTPServer, sanctions: SanctionsClient) -> None:
    sent: list[str] = []

    def record(request: Request) -> Response:
        sent.append(request.environ["RAW_URI"])
        return Response(raw("sanctions_clean.json"), content_type="application/json")

    server.expect_request(re.compile("/api/v1/address/.*")).respond_with_handler(record)
    sanctions.screen("bitcoin", "a/b?c")
    assert sent == ["/api/v1/address/a%2Fb%3Fc"]


def test_the_documented_invalid_key_answer(server: HTTPServer, sanctions: SanctionsClient) -> None:
    server.expect_request(f"/api/v1/address/{ADDRESS}").respond_with_json(
        doc("sanctions_invalid_key.json"), status=401
    )
    with pytest.raises(AuthError) as caught:
        sanctions.screen("ethereum", ADDRESS)
    assert "Invalid API Key" in str(caught.value) and caught.value.attempts == 1


def test_a_400_is_a_rejected_address(server: HTTPServer, sanctions: SanctionsClient) -> None:
    server.expect_request("/api/v1/address/nope").respond_with_json(
        {"message": "Invalid address"}, status=400
    )
    with pytest.raises(AddressRejected, match="rejected the address"):
        sanctions.screen("ethereum", "nope")


def test_the_low_risk_example_is_read_in_full(
    server: HTTPServer, screening: ScreeningClient
) -> None:
    server.expect_request(
        f"/api/risk/v2/entities/{ADDRESS}", method="GET", headers={"Token": KEY}
    ).respond_with_data(raw("entity_low.json"), content_type="application/json")
    answer = screening.screen("ethereum", ADDRESS).answer
    assert answer.risk is Risk.LOW and answer.cluster is None and answer.risk_reason is None
    assert answer.address_type == "PRIVATE_WALLET"
    (exposure,) = answer.exposures
    assert exposure.category == "exchange" and exposure.value == Decimal("424895.68594")
    assert exposure.exposure_type == "direct" and exposure.direction == "both_directions"


def test_the_severe_example_keeps_cluster_and_triggers(
    server: HTTPServer, screening: ScreeningClient
) -> None:
    server.expect_request(f"/api/risk/v2/entities/{ADDRESS}").respond_with_data(
        raw("entity_severe.json"), content_type="application/json"
    )
    answer = screening.screen("ethereum", ADDRESS).answer
    assert answer.risk is Risk.SEVERE
    assert answer.cluster is not None and answer.cluster.category == "sanctioned entity"
    assert answer.cluster.name == "Tornado.cash"
    (trigger,) = answer.triggers
    assert trigger.percentage == 100 and trigger.rule_risk == "Severe"


def test_the_spring_error_envelope_is_an_auth_error(
    server: HTTPServer, screening: ScreeningClient
) -> None:
    server.expect_request(f"/api/risk/v2/entities/{ADDRESS}").respond_with_json(
        doc("entity_error.json"), status=403
    )
    with pytest.raises(AuthError, match="Invalid token"):
        screening.screen("ethereum", ADDRESS)


def test_a_legacy_account_registers_then_asks_again(
    server: HTTPServer, screening: ScreeningClient
) -> None:
    path = f"/api/risk/v2/entities/{ADDRESS}"
    server.expect_ordered_request(path, method="GET").respond_with_json(
        {"status": 404, "error": "Not Found", "message": "address not registered"}, status=404
    )
    server.expect_ordered_request(
        "/api/risk/v2/entities",
        method="POST",
        json=doc("register_request.json"),
        headers={"Token": KEY, "Content-Type": "application/json"},
    ).respond_with_json(doc("register_response.json"), status=201)
    server.expect_ordered_request(path, method="GET").respond_with_data(
        raw("entity_low.json"), content_type="application/json"
    )
    assert screening.screen("ethereum", ADDRESS).answer.risk is Risk.LOW


def test_still_unknown_after_registering_is_an_unknown_address(
    server: HTTPServer, screening: ScreeningClient
) -> None:
    server.expect_request(f"/api/risk/v2/entities/{ADDRESS}").respond_with_data("", status=404)
    server.expect_request("/api/risk/v2/entities", method="POST").respond_with_json(
        doc("register_response.json"), status=201
    )
    with pytest.raises(UnknownAddress):
        screening.screen("ethereum", ADDRESS)


def test_an_unfinished_assessment_is_asked_again_then_read(
    server: HTTPServer, screening: ScreeningClient, clock: ManualClock
) -> None:
    pending = {**doc("entity_low.json"), "status": "IN_PROGRESS", "risk": None}
    path = f"/api/risk/v2/entities/{ADDRESS}"
    server.expect_ordered_request(path).respond_with_json(pending)
    server.expect_ordered_request(path).respond_with_data(
        raw("entity_low.json"), content_type="application/json"
    )
    assert screening.screen("ethereum", ADDRESS).answer.risk is Risk.LOW
    assert len(clock.sleeps) == 1  # a backoff, no breaker count


def test_an_assessment_that_never_finishes_is_not_ready(
    server: HTTPServer, screening: ScreeningClient
) -> None:
    pending = {**doc("entity_low.json"), "status": "IN_PROGRESS"}
    server.expect_request(f"/api/risk/v2/entities/{ADDRESS}").respond_with_json(pending)
    with pytest.raises(NotReady) as caught:
        screening.screen("ethereum", ADDRESS)
    assert caught.value.attempts == 3 and screening.status().circuit == "closed"


@pytest.mark.parametrize(
    "change",
    [
        {"risk": "Critical"},
        {"risk": None},
        {"exposures": [{"category": "mixing", "value": -5}]},
        {"exposures": [{"category": "mixing", "value": 1, "exposureType": "sideways"}]},
        {"cluster": "Tornado.cash"},
    ],
    ids=["unknown-risk", "no-risk", "negative-value", "unknown-exposure-type", "cluster-text"],
)
def test_values_outside_the_documented_set_are_malformed(
    server: HTTPServer, screening: ScreeningClient, change: dict[str, Any]
) -> None:
    server.expect_request(f"/api/risk/v2/entities/{ADDRESS}").respond_with_json(
        {**doc("entity_low.json"), **change}
    )
    with pytest.raises(MalformedAnswer):
        screening.screen("ethereum", ADDRESS)


def test_risk_and_exposure_type_are_read_in_any_case(
    server: HTTPServer, screening: ScreeningClient
) -> None:
    body = {
        **doc("entity_low.json"),
        "risk": "HIGH",
        "exposures": [{"category": "mixing", "value": 3, "exposureType": "INDIRECT"}],
    }
    del body["status"]  # answers from before the key existed are read as they stand
    server.expect_request(f"/api/risk/v2/entities/{ADDRESS}").respond_with_json(body)
    answer = screening.screen("ethereum", ADDRESS).answer
    assert answer.risk is Risk.HIGH and answer.exposures[0].exposure_type == "indirect"


def test_check_key_accepts_a_legacy_404_and_registers_nothing(
    server: HTTPServer, screening: ScreeningClient, sanctions: SanctionsClient
) -> None:
    server.expect_request(f"/api/risk/v2/entities/{screening_api.PROBE}").respond_with_data(
        "", status=404
    )
    server.expect_request(f"/api/v1/address/{sanctions_api.PROBE}").respond_with_json(
        doc("sanctions_listed.json")
    )
    assert screening.check_key() == f"GET /v2/entities/{screening_api.PROBE}"
    assert sanctions.check_key().startswith("GET /api/v1/address/")
    assert [request.method for request, _ in server.log] == ["GET", "GET"]


def test_an_empty_key_is_refused_before_any_call() -> None:
    with pytest.raises(ValueError):
        SanctionsClient(key="")
    with pytest.raises(ValueError):
        ScreeningClient(key="")
