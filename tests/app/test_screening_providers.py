"""Online risk providers end to end: make_provider against a fake server on
127.0.0.1 answering with the documented bodies (tests/integrations/kyt_fixtures),
every answer and every failure ending in one validated RiskResult."""

from __future__ import annotations

import copy
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from app.screening.providers import (
    RiskProvider,
    build_provider,
    default_config,
    make_provider,
)
from app.screening.risk import Level, RiskResult, Status
from integrations.http import ManualClock, RetryPolicy

FIXTURES = Path(__file__).parents[1] / "integrations" / "kyt_fixtures"
KEY = "app-KEY-0f3e9d21"
SECRET = "c2VjcmV0LXNpZ25pbmcta2V5LTAxMjM0NTY3"  # Base64, as Elliptic's secrets are
ADDRESS = "0x8589427373d6d84e98730d7795d8f6f8731fda16"  # the docs' example, lower-case
CHECKSUMMED = "0x8589427373D6D84E98730D7795D8f6f8731FDA16"
LISTED = "0x1da5821544e25c636c1417ba96ade4cf6d2f9b5a"


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def doc(name: str) -> Any:
    return json.loads(raw(name))


@dataclass(frozen=True)
class Spec:
    """How one provider is reached on the fake server."""

    name: str
    method: str
    prefix: str  # the path part of the documented base URL
    path: Callable[[str], str]  # the request path for an address (lower-case hex)
    clean: str  # fixture of its clean (or least risky) documented answer

    def route(self, address: str = ADDRESS) -> str:
        return self.prefix + self.path(address)


SPECS = {
    "chainalysis-sanctions": Spec(
        "chainalysis-sanctions",
        "GET",
        "",
        lambda a: f"/api/v1/address/{a}",
        "chainalysis/sanctions_clean.json",
    ),
    "chainalysis": Spec(
        "chainalysis",
        "GET",
        "/api/risk",
        lambda a: f"/v2/entities/{a}",
        "chainalysis/entity_low.json",
    ),
    "elliptic": Spec(
        "elliptic", "POST", "", lambda a: "/v2/wallet/synchronous", "elliptic/wallet_high.json"
    ),
    "trm": Spec("trm", "POST", "", lambda a: "/public/v2/screening/addresses", "trm/clean.json"),
}


@pytest.fixture
def server(httpserver_ipv4: HTTPServer) -> Iterator[HTTPServer]:
    yield httpserver_ipv4
    httpserver_ipv4.check_assertions()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(params=sorted(SPECS))
def spec(request: pytest.FixtureRequest) -> Spec:
    return SPECS[request.param]


@pytest.fixture
def make(server: HTTPServer, clock: ManualClock) -> Iterator[Callable[..., Any]]:
    made: list[Any] = []

    def build(spec: Spec, **config: Any) -> Any:
        base = server.url_for(spec.prefix or "/").rstrip("/")
        if config:
            settings = replace(default_config(spec.name), base_url=base, **config)
            provider = build_provider(
                spec.name, key=KEY, secret=SECRET, config=settings, clock=clock
            )
        else:
            provider = make_provider(spec.name, key=KEY, secret=SECRET, base_url=base, clock=clock)
        made.append(provider)
        return provider

    yield build
    for provider in made:
        provider.close()


def answer(server: HTTPServer, spec: Spec, body: Any, *, status: int = 200, **headers: str) -> None:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    server.expect_ordered_request(spec.route(), method=spec.method).respond_with_data(
        data, status=status, headers=headers, content_type="application/json"
    )


def screen(provider: RiskProvider, chain: str = "ethereum", address: str = ADDRESS) -> RiskResult:
    result = provider.screen(chain, address)
    # every result is a valid RiskResult, and survives the vault's record round trip
    assert RiskResult.from_record(result.to_record()) == result
    assert KEY not in (result.error or "") and SECRET not in (result.error or "")
    return result


# -- documented answers -------------------------------------------------------


def test_sanctions_api_clean_and_listed(
    server: HTTPServer, make: Callable[..., Any], clock: ManualClock
) -> None:
    spec = SPECS["chainalysis-sanctions"]
    answer(server, spec, raw("chainalysis/sanctions_clean.json"))
    server.expect_ordered_request(spec.route(LISTED)).respond_with_data(
        raw("chainalysis/sanctions_listed.json"), content_type="application/json"
    )
    provider = make(spec)
    clean = screen(provider)
    assert (clean.level, clean.score, clean.sanctioned) == (Level.NONE, 0, False)
    assert clean.address == CHECKSUMMED and clean.provider == "chainalysis-sanctions"
    assert clean.source == "Chainalysis Sanctions API"
    assert clean.fetched_at.timestamp() == clock.time()
    hit = screen(provider, address=LISTED)
    assert (hit.level, hit.score, hit.sanctioned) == (Level.SEVERE, 100, True)
    assert hit.categories == ("sanctions",)
    assert hit.sanctioned_party is not None
    assert hit.sanctioned_party.startswith("SANCTIONS: OFAC SDN Secondeye Solution 2021-04-15")
    assert hit.raw == raw("chainalysis/sanctions_listed.json")


def test_chainalysis_low_risky_and_sanctioned(server: HTTPServer, make: Callable[..., Any]) -> None:
    spec = SPECS["chainalysis"]
    severe = doc("chainalysis/entity_severe.json")
    risky = {**copy.deepcopy(severe), "risk": "High", "cluster": None, "riskReason": None}
    answer(server, spec, raw("chainalysis/entity_low.json"))
    answer(server, spec, risky)
    answer(server, spec, severe)
    provider = make(spec)

    low = screen(provider)
    assert (low.level, low.score, low.sanctioned, low.categories) == (Level.LOW, 20, False, ())
    (exchange,) = low.direct
    assert exchange.category == "exchange" and exchange.value == pytest.approx(424895.68594)
    assert low.indirect == ()

    high = screen(provider)
    assert (high.level, high.score, high.sanctioned) == (Level.HIGH, 70, False)
    assert high.categories == ("sanctioned entity",)  # exposure, not a designation
    assert [(e.category, e.value) for e in high.direct] == [("sanctioned entity", 1200.5)]

    hit = screen(provider)
    assert (hit.level, hit.score, hit.sanctioned) == (Level.SEVERE, 100, True)
    assert hit.sanctioned_party == "Tornado.cash"


def test_elliptic_high_clean_and_sanctioned(server: HTTPServer, make: Callable[..., Any]) -> None:
    spec = SPECS["elliptic"]
    high = doc("elliptic/wallet_high.json")
    clean = {
        **copy.deepcopy(high),
        "risk_score": None,
        "evaluation_detail": {"source": [], "destination": []},
    }
    listed = copy.deepcopy(high)
    element = listed["evaluation_detail"]["source"][0]["matched_elements"][0]
    element["contributions"][0]["is_screened_address"] = True
    element["contributions"][0]["risk_triggers"] = {
        "name": "AlphaBay",
        "category": "Dark Market",
        "is_sanctioned": True,
        "country": [],
    }
    answer(server, spec, raw("elliptic/wallet_high.json"))
    answer(server, spec, clean)
    answer(server, spec, listed)
    provider = make(spec)

    risky = screen(provider)
    # 9.038007 on Elliptic's 0-10 scale -> 90.38 -> rounded up
    assert (risky.level, risky.score, risky.sanctioned) == (Level.SEVERE, 91, False)
    assert risky.categories == ("exchange", "dark market")
    assert risky.direct == ()  # counterparty value 0: no direct exposure
    (dark,) = risky.indirect
    assert dark.category == "dark market" and dark.value == pytest.approx(395.476011)
    assert dark.share == pytest.approx(0.6298592)
    assert risky.source == "Elliptic"

    none = screen(provider)
    assert (none.level, none.score, none.categories) == (Level.NONE, 0, ("exchange",))

    hit = screen(provider)
    assert (hit.level, hit.score, hit.sanctioned) == (Level.SEVERE, 100, True)
    assert hit.sanctioned_party == "AlphaBay"


def test_trm_clean_sanctioned_and_risky(server: HTTPServer, make: Callable[..., Any]) -> None:
    spec = SPECS["trm"]
    zero = "0x0000000000000000000000000000000000000000"
    answer(server, spec, raw("trm/clean.json"))
    answer(server, spec, raw("trm/severe.json"))
    answer(server, spec, raw("trm/bitcoin_sample.json"))
    provider = make(spec)

    clean = screen(provider, address=zero)
    assert (clean.level, clean.score, clean.categories) == (Level.NONE, 0, ())

    hit = screen(provider, address=zero)
    assert (hit.level, hit.score, hit.sanctioned) == (Level.SEVERE, 100, True)
    assert hit.sanctioned_party == "Lazarus Group"
    assert hit.categories == ("sanctions", "hacked or stolen funds")
    assert [e.category for e in hit.direct] == ["sanctions"] and hit.indirect == ()

    risky = screen(provider, "bitcoin", "149w62rY42aZBox8fGcmqNsXUzSStKeq8C")
    # Sanctions only INDIRECT: severe (level 15) but not sanctioned
    assert (risky.level, risky.score, risky.sanctioned) == (Level.SEVERE, 90, False)
    assert risky.categories == ("sanctions", "ransomware")
    assert [(e.category, e.value) for e in risky.direct] == [("ransomware", 75277.346098456)]
    assert [(e.category, e.value) for e in risky.indirect] == [("sanctions", 387183770.32)]


# -- failures, the same for every provider ------------------------------------


def test_a_refused_key_asks_for_it_again(
    server: HTTPServer, spec: Spec, make: Callable[..., Any]
) -> None:
    answer(server, spec, {"message": f"Invalid API Key {KEY}"}, status=401)
    result = screen(make(spec))
    assert result.status is Status.AUTH and result.level is Level.UNKNOWN
    assert result.score is None and result.raw is None
    assert "HTTP 401" in (result.error or "") and "***" in (result.error or "")


def test_429_with_retry_after_then_an_answer(
    server: HTTPServer, spec: Spec, make: Callable[..., Any], clock: ManualClock
) -> None:
    answer(server, spec, {"message": "Too many requests"}, status=429, **{"Retry-After": "2"})
    answer(server, spec, raw(spec.clean))
    assert screen(make(spec)).ok
    assert 2.0 in clock.sleeps  # waited on the injected clock, never for real


def test_429_longer_than_we_wait_is_transient(
    server: HTTPServer, spec: Spec, make: Callable[..., Any], clock: ManualClock
) -> None:
    answer(server, spec, {"message": "quota used up"}, status=429, **{"Retry-After": "86400"})
    result = screen(make(spec))
    assert result.status is Status.TRANSIENT and "rate limiting" in (result.error or "")
    assert 86400.0 not in clock.sleeps


def test_5xx_then_an_answer(server: HTTPServer, spec: Spec, make: Callable[..., Any]) -> None:
    answer(server, spec, {"message": "Something bad happened."}, status=500)
    answer(server, spec, b"<html><h1>502 Bad Gateway</h1></html>", status=502)
    answer(server, spec, raw(spec.clean))
    assert screen(make(spec)).ok


def test_5xx_to_the_end_is_transient(
    server: HTTPServer, spec: Spec, make: Callable[..., Any]
) -> None:
    server.expect_request(spec.route()).respond_with_data("busy", status=503)
    result = screen(make(spec))
    assert result.status is Status.TRANSIENT and "HTTP 503" in (result.error or "")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"identifications": [', "application/json"),
        (b"<!DOCTYPE html><html><body>Log in to the hotel Wi-Fi</body></html>", "text/html"),
        (b'{"surprise": 1}', "application/json"),
    ],
    ids=["bad-json", "html-page", "wrong-shape"],
)
def test_an_unreadable_answer_is_malformed_not_clean(
    server: HTTPServer, spec: Spec, make: Callable[..., Any], body: bytes, content_type: str
) -> None:
    server.expect_request(spec.route()).respond_with_data(body, content_type=content_type)
    result = screen(make(spec))
    assert result.status is Status.MALFORMED and result.level is Level.UNKNOWN


def test_a_timeout_is_transient(server: HTTPServer, spec: Spec, make: Callable[..., Any]) -> None:
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(2)
        return Response(raw(spec.clean), content_type="application/json")

    server.expect_request(spec.route()).respond_with_handler(slow)
    provider = make(spec, read_timeout=0.05, retry=RetryPolicy(attempts=1))
    try:
        result = screen(provider)
    finally:
        release.set()
    assert result.status is Status.TRANSIENT and "did not answer" in (result.error or "")


def test_an_unreachable_provider_is_transient_so_it_can_be_queued(
    spec: Spec, clock: ManualClock
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = make_provider(
        spec.name, key=KEY, secret=SECRET, base_url=f"http://127.0.0.1:{port}", clock=clock
    )
    result = screen(provider)
    assert result.status is Status.TRANSIENT
    assert "could not be reached" in (result.error or "")
    assert "the work waits until it is back" in (result.error or "")


def test_an_unknown_chain_is_unsupported_without_a_request(
    server: HTTPServer, spec: Spec, make: Callable[..., Any]
) -> None:
    result = screen(make(spec), "solana", "So11111111111111111111111111111111111111112")
    assert result.status is Status.UNSUPPORTED and server.log == []


def test_an_invalid_address_is_refused_without_a_request(
    server: HTTPServer, spec: Spec, make: Callable[..., Any]
) -> None:
    result = screen(make(spec), "ethereum", "0x1234")
    assert result.status is Status.INVALID_ADDRESS and server.log == []
    tron = screen(make(spec), "bitcoin", CHECKSUMMED)
    assert tron.status in (Status.INVALID_ADDRESS, Status.UNSUPPORTED) and server.log == []


def test_evm_addresses_go_out_lower_case_and_come_back_checksummed(
    server: HTTPServer, spec: Spec, make: Callable[..., Any]
) -> None:
    answer(server, spec, raw(spec.clean))
    result = screen(make(spec), "ethereum", CHECKSUMMED)
    assert result.ok and result.address == CHECKSUMMED
    request, _ = server.log[0]
    assert ADDRESS in request.path or ADDRESS.encode() in request.get_data()


def test_test_connection_says_the_key_works(
    server: HTTPServer, spec: Spec, make: Callable[..., Any]
) -> None:
    body = b"[]" if spec.name == "elliptic" else raw(spec.clean)
    server.expect_request("", method="POST" if spec.name == "trm" else "GET").respond_with_data(
        body, content_type="application/json"
    )
    said = make(spec).test_connection()
    assert isinstance(said, str) and "accepted the key" in said and len(server.log) == 1


def test_test_connection_reports_a_refused_key(
    server: HTTPServer, spec: Spec, make: Callable[..., Any]
) -> None:
    server.expect_request("").respond_with_data("Unauthorized", status=401)
    result = make(spec).test_connection()
    assert isinstance(result, RiskResult) and result.status is Status.AUTH
    assert KEY not in (result.error or "")
