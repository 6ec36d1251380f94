"""TRM Labs wallet screening against a fake server answering with the
documented bodies (trm-labs.md), checking Basic auth as its checklist says."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from integrations.http import AuthError, ManualClock, ProviderError, RetryPolicy
from integrations.kyt import AddressRejected, MalformedAnswer, UnsupportedChain
from integrations.kyt.trm import CHAINS, TrmClient
from integrations.kyt.trm import client as trm_api

FIXTURES = Path(__file__).parent / "kyt_fixtures" / "trm"
KEY = "trm-KEY-c3a1f7"
ZERO = "0x0000000000000000000000000000000000000000"
QUICK: dict[str, Any] = {
    "retry": RetryPolicy(attempts=3, base_delay=0.5, max_delay=4.0),
    "rate_per_second": 1000.0,
    "burst": 10_000,
}


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def doc(name: str) -> Any:
    return json.loads(raw(name))


@pytest.fixture
def trm(server: HTTPServer, clock: ManualClock) -> TrmClient:
    config = replace(trm_api.CONFIG, base_url=server.url_for("/").rstrip("/"), **QUICK)
    return TrmClient(key=KEY, config=config, clock=clock)


def serve(server: HTTPServer, name: str, *, key: str = KEY) -> list[Any]:
    """Answer with fixture `name` when Basic auth decodes to key:key; 401 otherwise."""
    requests: list[Any] = []

    def handler(request: Request) -> Response:
        kind, _, token = request.headers.get("Authorization", "").partition(" ")
        if kind != "Basic" or base64.b64decode(token).decode() != f"{key}:{key}":
            return Response(json.dumps({"message": "Unauthorized"}), status=401)
        requests.append(json.loads(request.get_data()))
        return Response(raw(name), content_type="application/json")

    server.expect_request(trm_api.PATH, method="POST").respond_with_handler(handler)
    return requests


def test_the_clean_example(server: HTTPServer, trm: TrmClient) -> None:
    sent = serve(server, "clean.json")
    screened = trm.screen("ethereum", ZERO)
    assert sent == [doc("request.json")]  # the documented request, one item
    answer = screened.answer
    assert answer.indicators == () and answer.entities == () and answer.chain == "ethereum"
    assert screened.raw == raw("clean.json")


def test_the_severe_example_keeps_exact_volumes(server: HTTPServer, trm: TrmClient) -> None:
    serve(server, "severe.json")
    answer = trm.screen("ethereum", ZERO).answer
    ownership, counterparty = answer.indicators
    assert ownership.category == "Sanctions" and ownership.category_id == "69"
    assert ownership.level == 15 and ownership.risk_type == "OWNERSHIP"
    assert ownership.total_usd == Decimal("1143395507.15797268512714304172678478403906602705")
    assert counterparty.risk_type == "COUNTERPARTY" and counterparty.incoming_usd == 0
    assert [e.name for e in answer.entities] == ["Lazarus Group", "Ronin Bridge Hack - March 2022"]
    assert answer.entities[0].urn == "/entity/manual/75624c42-157e-4a63-8f32-070b1d1fa4d4"


def test_the_bitcoin_sample(server: HTTPServer, trm: TrmClient) -> None:
    sent = serve(server, "bitcoin_sample.json")
    answer = trm.screen("bitcoin", "149w62rY42aZBox8fGcmqNsXUzSStKeq8C").answer
    assert sent == [[{"address": "149w62rY42aZBox8fGcmqNsXUzSStKeq8C", "chain": "bitcoin"}]]
    assert [(i.category, i.level, i.risk_type) for i in answer.indicators] == [
        ("Sanctions", 15, "INDIRECT"),
        ("Ransomware", 10, "OWNERSHIP"),
        ("Ransomware", 10, "COUNTERPARTY"),
    ]


def test_a_wrong_key_is_an_auth_error(server: HTTPServer, clock: ManualClock) -> None:
    serve(server, "clean.json", key="the-right-key")
    config = replace(trm_api.CONFIG, base_url=server.url_for("/").rstrip("/"), **QUICK)
    with pytest.raises(AuthError) as caught:
        TrmClient(key=KEY, config=config, clock=clock).screen("ethereum", ZERO)
    assert caught.value.attempts == 1 and KEY not in str(caught.value)


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("Unsupported chain: arbitrum", UnsupportedChain),
        ("Chain not supported", UnsupportedChain),
        ("Invalid address for chain ethereum", AddressRejected),
        ("unknown chain slug", UnsupportedChain),
        ("invalid address", AddressRejected),
        ("body must be an array", ProviderError),
    ],
)
def test_a_400_is_read_from_its_message(
    server: HTTPServer, trm: TrmClient, message: str, error: type
) -> None:
    server.expect_request(trm_api.PATH).respond_with_json({"message": message}, status=400)
    with pytest.raises(error) as caught:
        trm.screen("ethereum", ZERO)
    assert type(caught.value) is error


def test_only_documented_slugs_are_used(server: HTTPServer, trm: TrmClient) -> None:
    assert dict(CHAINS) == {
        "ethereum": "ethereum",
        "bitcoin": "bitcoin",
        "tron": "tron",
        "polygon": "polygon",
    }
    for chain in ("arbitrum", "optimism", "base", "bsc"):
        assert not trm.supports(chain)
        with pytest.raises(UnsupportedChain):
            trm.screen(chain, ZERO)
    assert server.log == []


def test_extra_slugs_can_be_configured(server: HTTPServer, clock: ManualClock) -> None:
    sent = serve(server, "clean.json")
    config = replace(trm_api.CONFIG, base_url=server.url_for("/").rstrip("/"), **QUICK)
    client = TrmClient(key=KEY, config=config, clock=clock, chains={"base": "base"})
    client.screen("base", ZERO)
    assert sent == [[{"address": ZERO, "chain": "base"}]]


@pytest.mark.parametrize(
    "change",
    [
        {
            "addressRiskIndicators": [
                {
                    **doc("severe.json")[0]["addressRiskIndicators"][0],
                    "categoryRiskScoreLevel": "15",
                }
            ]
        },
        {
            "addressRiskIndicators": [
                {**doc("severe.json")[0]["addressRiskIndicators"][0], "totalVolumeUsd": "-1"}
            ]
        },
        {
            "addressRiskIndicators": [
                {**doc("severe.json")[0]["addressRiskIndicators"][0], "totalVolumeUsd": "lots"}
            ]
        },
        {"entities": None},
    ],
    ids=[
        "level-not-a-number",
        "negative",
        "not-a-number",
        "null",
    ],
)
def test_answers_off_the_documented_shape_are_malformed(
    server: HTTPServer, trm: TrmClient, change: dict[str, Any]
) -> None:
    server.expect_request(trm_api.PATH).respond_with_json([{**doc("clean.json")[0], **change}])
    with pytest.raises(MalformedAnswer):
        trm.screen("ethereum", ZERO)


def test_two_results_for_one_address_are_malformed(server: HTTPServer, trm: TrmClient) -> None:
    server.expect_request(trm_api.PATH).respond_with_json(doc("clean.json") * 2)
    with pytest.raises(MalformedAnswer, match="2 results for one address"):
        trm.screen("ethereum", ZERO)


def test_check_key_screens_the_documented_clean_address(server: HTTPServer, trm: TrmClient) -> None:
    sent = serve(server, "clean.json")
    assert trm.check_key() == f"POST {trm_api.PATH} ({ZERO} on ethereum)"
    assert sent == [doc("request.json")]


def test_an_undocumented_entity_level_keeps_the_rest_of_the_answer(
    server: HTTPServer, trm: TrmClient
) -> None:
    """A real answer (level_42.json, see the README) rates an entity 42: the Sanctions
    indicator beside it must survive, and the 42 must be visible, not silently mapped."""
    serve(server, "level_42.json")
    screened = trm.screen("ethereum", "0xdac17f958d2ee523a2206206994597c13d831ec7")
    answer = screened.answer
    assert [(i.category, i.level, i.risk_type) for i in answer.indicators] == [
        ("Decentralized Exchange", 5, "COUNTERPARTY"),
        ("Decentralized File Sharing Service", 1, "INDIRECT"),
        ("Sanctions", 10, "OWNERSHIP"),
    ]
    (treasury,) = answer.entities
    assert treasury.name == "Tether Treasury" and treasury.level == 1  # its label, "Low"
    assert answer.unknown == (
        "entity Tether Treasury: riskScoreLevel 42 is undocumented (its label Low was used)",
    )
    assert screened.raw == raw("level_42.json")  # the evidence keeps the 42


@pytest.mark.parametrize(
    ("change", "level", "note"),
    [
        (
            {"categoryRiskScoreLevel": 12, "categoryRiskScoreLevelLabel": "Extreme"},
            None,
            "indicator Sanctions: categoryRiskScoreLevel 12 is undocumented, labelled 'Extreme'",
        ),
        (
            {"categoryRiskScoreLevelLabel": "Low"},
            15,
            "indicator Sanctions: categoryRiskScoreLevel 15 is labelled 'Low' (Severe was used)",
        ),
        (
            {"riskType": "NEARBY"},
            15,
            "indicator Sanctions: riskType 'NEARBY' is undocumented",
        ),
    ],
    ids=["unknown-level-and-label", "label-disagrees", "unknown-risk-type"],
)
def test_values_off_the_documented_sets_are_kept_and_noted(
    server: HTTPServer, trm: TrmClient, change: dict[str, Any], level: int | None, note: str
) -> None:
    flag = {**doc("severe.json")[0]["addressRiskIndicators"][0], **change}
    server.expect_request(trm_api.PATH).respond_with_json(
        [{**doc("clean.json")[0], "addressRiskIndicators": [flag]}]
    )
    answer = trm.screen("ethereum", ZERO).answer
    (kept,) = answer.indicators
    assert kept.level == level and kept.total_usd == Decimal(flag["totalVolumeUsd"])
    assert answer.unknown == (note,)
