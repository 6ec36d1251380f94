"""Every KYT client over the shared HTTP machinery, against a fake server on
127.0.0.1: Retry-After, 5xx backoff, bad bodies, timeouts, an unreachable
host, a refused key, and keys kept out of every error text."""

from __future__ import annotations

import base64
import json
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from integrations.http import (
    AuthError,
    IntegrationError,
    ManualClock,
    Offline,
    ProviderConfig,
    QuotaError,
    RetryPolicy,
    TransientError,
)
from integrations.kyt import KytClient, MalformedAnswer
from integrations.kyt.chainalysis import SanctionsClient, ScreeningClient
from integrations.kyt.chainalysis import sanctions as sanctions_api
from integrations.kyt.chainalysis import screening as screening_api
from integrations.kyt.elliptic import EllipticClient
from integrations.kyt.elliptic import client as elliptic_api
from integrations.kyt.trm import TrmClient
from integrations.kyt.trm import client as trm_api

FIXTURES = Path(__file__).parent / "kyt_fixtures"
KEY = "kyt-KEY-7d41e0c2b9"
#: Base64 of 24 bytes, so it signs; a secret, so it must never show either
SECRET = "c2VjcmV0LXNpZ25pbmcta2V5LTAxMjM0NTY3"
EVM = "0x8589427373d6d84e98730d7795d8f6f8731fda16"
#: the headers that carry a key, per provider
SENT = {"x-api-key", "token", "authorization", "x-access-key", "x-access-sign"}


def fast(config: ProviderConfig, base_url: str, **changes: Any) -> ProviderConfig:
    """The provider's config on the fake server: no limiter waits, short timeouts."""
    settings: dict[str, Any] = {
        "base_url": base_url,
        "connect_timeout": 2.0,
        "read_timeout": 5.0,
        "rate_per_second": 1000.0,
        "burst": 10_000,
        "retry": RetryPolicy(attempts=3, base_delay=0.5, max_delay=4.0, max_retry_after=60.0),
    }
    return replace(config, **{**settings, **changes})


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[ProviderConfig, ManualClock], KytClient[Any]]
    default: ProviderConfig
    method: str
    path: str
    chain: str
    good: str  # fixture with a documented good answer


CASES = [
    Case(
        "chainalysis-sanctions",
        lambda c, clock: SanctionsClient(key=KEY, config=c, clock=clock),
        sanctions_api.CONFIG,
        "GET",
        f"/api/v1/address/{EVM}",
        "ethereum",
        "chainalysis/sanctions_clean.json",
    ),
    Case(
        "chainalysis",
        lambda c, clock: ScreeningClient(key=KEY, config=c, clock=clock),
        screening_api.CONFIG,
        "GET",
        f"/api/risk/v2/entities/{EVM}",
        "ethereum",
        "chainalysis/entity_low.json",
    ),
    Case(
        "elliptic",
        lambda c, clock: EllipticClient(key=KEY, secret=SECRET, config=c, clock=clock),
        elliptic_api.CONFIG,
        "POST",
        "/v2/wallet/synchronous",
        "ethereum",
        "elliptic/wallet_high.json",
    ),
    Case(
        "trm",
        lambda c, clock: TrmClient(key=KEY, config=c, clock=clock),
        trm_api.CONFIG,
        "POST",
        "/public/v2/screening/addresses",
        "ethereum",
        "trm/clean.json",
    ),
]


def base_of(case: Case, server: HTTPServer) -> str:
    """The server URL plus the path prefix of the documented base URL (/api/risk)."""
    prefix = "/api/risk" if case.id == "chainalysis" else ""
    return server.url_for(prefix or "/").rstrip("/")


def body(case: Case) -> bytes:
    return (FIXTURES / case.good).read_bytes()


@pytest.fixture(params=CASES, ids=[c.id for c in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    result: Case = request.param
    return result


def client_for(case: Case, server: HTTPServer, clock: ManualClock, **changes: Any) -> Any:
    return case.build(fast(case.default, base_of(case, server), **changes), clock)


def expect(server: HTTPServer, case: Case) -> Any:
    return server.expect_ordered_request(case.path, method=case.method)


def test_a_good_answer_keeps_its_exact_bytes(
    server: HTTPServer, case: Case, clock: ManualClock
) -> None:
    expect(server, case).respond_with_data(body(case), content_type="application/json")
    screened = client_for(case, server, clock).screen(case.chain, EVM)
    assert screened.raw == body(case)
    assert screened.fetched_at.timestamp() == clock.time()


def test_429_waits_the_retry_after_then_succeeds(
    server: HTTPServer, case: Case, clock: ManualClock
) -> None:
    expect(server, case).respond_with_data(
        '{"message": "slow down"}', status=429, headers={"Retry-After": "7"}
    )
    expect(server, case).respond_with_data(body(case), content_type="application/json")
    assert client_for(case, server, clock).screen(case.chain, EVM).raw == body(case)
    assert clock.sleeps == [7.0]


def test_429_to_the_end_is_a_quota_error_with_the_wait(
    server: HTTPServer, case: Case, clock: ManualClock
) -> None:
    server.expect_request(case.path, method=case.method).respond_with_data(
        "", status=429, headers={"Retry-After": "3600"}
    )
    with pytest.raises(QuotaError) as caught:
        client_for(case, server, clock).screen(case.chain, EVM)
    assert caught.value.retry_after == 3600 and clock.sleeps == []  # not waited out


def test_5xx_backs_off_then_succeeds(server: HTTPServer, case: Case, clock: ManualClock) -> None:
    expect(server, case).respond_with_data("busy", status=503)
    expect(server, case).respond_with_data(
        "<html><body>502 Bad Gateway</body></html>", status=502, content_type="text/html"
    )
    expect(server, case).respond_with_data(body(case), content_type="application/json")
    assert client_for(case, server, clock).screen(case.chain, EVM).raw == body(case)
    assert len(clock.sleeps) == 2 and 0 <= clock.sleeps[0] <= 0.5 and 0 <= clock.sleeps[1] <= 1


@pytest.mark.parametrize(
    ("data", "content_type", "said"),
    [
        ('{"identifications": [', "application/json", "malformed JSON"),
        ("<!DOCTYPE html><html>Sign in to the Wi-Fi</html>", "text/html", "web page"),
        ('{"unexpected": true}', "application/json", "unexpected shape"),
        ("[]", "application/json", "unexpected shape"),
    ],
    ids=["bad-json", "html-200", "wrong-object", "wrong-array"],
)
def test_an_unreadable_2xx_is_a_malformed_answer(
    server: HTTPServer, case: Case, clock: ManualClock, data: str, content_type: str, said: str
) -> None:
    expect(server, case).respond_with_data(data, content_type=content_type)
    with pytest.raises(MalformedAnswer) as caught:
        client_for(case, server, clock).screen(case.chain, EVM)
    assert said in str(caught.value) and caught.value.attempts == 1


def test_a_slow_answer_times_out_as_transient(
    server: HTTPServer, case: Case, clock: ManualClock
) -> None:
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(2)
        return Response(body(case), content_type="application/json")

    server.expect_request(case.path, method=case.method).respond_with_handler(slow)
    # One attempt: the fake server is single-threaded, a second one would queue
    # behind the slow one and arrive after this test.
    client = client_for(case, server, clock, read_timeout=0.05, retry=RetryPolicy(attempts=1))
    try:
        with pytest.raises(TransientError) as caught:
            client.screen(case.chain, EVM)
    finally:
        release.set()
    assert not caught.value.offline and "did not answer within 0.05 s" in str(caught.value)


def test_an_unreachable_host_is_offline(case: Case, clock: ManualClock, refused_url: str) -> None:
    client = case.build(fast(case.default, refused_url), clock)
    with pytest.raises(Offline) as caught:
        client.screen(case.chain, EVM)
    assert caught.value.offline and "could not be reached" in str(caught.value)
    assert KEY not in str(caught.value)


def test_a_refused_key_is_an_auth_error_tried_once_and_never_shown(
    server: HTTPServer, case: Case, clock: ManualClock
) -> None:
    # A provider that echoes every header it got (the key, TRM's Basic token)
    # back in its refusal; for Elliptic the secret too, which it never sends.
    def echo(request: Request) -> Response:
        said = " ".join(f"{k}={v}" for k, v in request.headers.items() if k.lower() in SENT)
        if case.id == "elliptic":
            said += f" secret={SECRET}"
        return Response(json.dumps({"message": said}), status=401)

    expect(server, case).respond_with_handler(echo)
    client = client_for(case, server, clock)
    with pytest.raises(AuthError) as caught:
        client.screen(case.chain, EVM)
    error: IntegrationError = caught.value
    assert error.attempts == 1 and error.status == 401
    shown = "".join(traceback.format_exception(error)) + repr(error) + str(error.args)
    token = base64.b64encode(f"{KEY}:{KEY}".encode()).decode()
    assert KEY not in shown and SECRET not in shown and token not in shown
    assert "***" in str(error)
    assert error.__cause__ is None and error.__context__ is None


def test_check_key_makes_one_request(server: HTTPServer, case: Case, clock: ManualClock) -> None:
    def answer(request: Request) -> Response:
        good = body(case)
        if case.id == "elliptic":  # GET /v2/customers: any JSON will do
            good = b"[]"
        return Response(good, content_type="application/json")

    server.expect_request(
        "", method=case.method if case.id == "trm" else "GET"
    ).respond_with_handler(answer)
    called = client_for(case, server, clock).check_key()
    assert len(server.log) == 1 and called.split()[0] in ("GET", "POST")


def test_a_key_echoed_where_messages_are_cut_leaves_no_prefix(
    server: HTTPServer, case: Case, clock: ManualClock
) -> None:
    # Error messages quote an error body up to 160 characters; the key is
    # blanked from the body before the cut, so none of it survives the cut.
    expect(server, case).respond_with_json({"message": "x" * 150 + " " + KEY}, status=403)
    with pytest.raises(AuthError) as caught:
        client_for(case, server, clock).screen(case.chain, EVM)
    assert KEY[:6] not in str(caught.value)
