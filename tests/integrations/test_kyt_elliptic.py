"""Elliptic wallet screening: the request signing against the docs' own test
vectors, and the client against a fake server that checks every signature
the way elliptic.md's fixture checklist says."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from integrations.http import (
    AuthError,
    ManualClock,
    ProviderError,
    QuotaError,
    RetryPolicy,
    TransientError,
)
from integrations.kyt import MalformedAnswer, NotReady, UnknownAddress, UnsupportedChain
from integrations.kyt.elliptic import EllipticClient, decode_secret, signature
from integrations.kyt.elliptic import client as elliptic_api

FIXTURES = Path(__file__).parent / "kyt_fixtures" / "elliptic"
#: Elliptic's published example secret and timestamp (elliptic.md, "Official test vectors")
DOC_SECRET = "894f142d667e8cdaca6822ac173937af"
DOC_TIME = "1478692862000"
KEY = "elliptic-KEY-93be"
ADDRESS = "0x8589427373d6d84e98730d7795d8f6f8731fda16"
QUICK: dict[str, Any] = {
    "retry": RetryPolicy(attempts=3, base_delay=0.5, max_delay=4.0),
    "rate_per_second": 1000.0,
    "burst": 10_000,
}


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def doc(name: str) -> Any:
    return json.loads(raw(name))


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        (
            "POST",
            "/v2/analyses",
            '[{"customer_reference":"123456","subject":{"asset":"BTC","hash":"accf5c09cc027339a3'
            'beb2e28104ce9f406ecbbd29775b4a1a17ba213f1e035e","output_address":"15Hm2UEPaEuiAmgyN'
            'gd5mF3wugqLsYs3Wn","output_type":"address","type":"transaction"},"type":"source_of_f'
            'unds"}]',
            "65mQHB2o95lL3I+N/bZYwDC9p2YvNwsVDnXr8u72hUk=",
        ),
        ("GET", "/v2/customers", None, "cN9fRUqeT7UnwwpkBZaNmnwxKAPHkhytdXelfUVvxMI="),
        (
            "POST",
            "/v2/wallet/synchronous",
            '{"subject":{"asset":"holistic","blockchain":"holistic","type":"address","hash":"0x858'
            '9427373d6d84e98730d7795d8f6f8731fda16"},"type":"wallet_exposure","customer_reference"'
            ':"cust-001"}',
            "juA/Imok0/8mPWQ9dW5jkKxBtnhAzg84elxC1rTwe6A=",
        ),
    ],
    ids=["doc-post-analyses", "doc-get-customers", "computed-wallet"],
)
def test_signature_matches_the_documented_vectors(
    method: str, path: str, body: str | None, expected: str
) -> None:
    sent = None if body is None else body.encode()
    secret = decode_secret(DOC_SECRET)
    assert signature(secret=secret, timestamp=DOC_TIME, method=method, path=path, body=sent) == (
        expected
    )
    # the path is lower-cased and the method upper-cased before signing
    shouted = signature(
        secret=secret, timestamp=DOC_TIME, method=method.lower(), path=path.upper(), body=sent
    )
    assert shouted == expected


def test_the_wallet_vector_is_the_documented_request_body() -> None:
    compact = json.dumps(doc("wallet_request.json"), separators=(",", ":")).encode()
    assert (
        signature(
            secret=decode_secret(DOC_SECRET),
            timestamp=DOC_TIME,
            method="POST",
            path="/v2/wallet/synchronous",
            body=compact,
        )
        == "juA/Imok0/8mPWQ9dW5jkKxBtnhAzg84elxC1rTwe6A="
    )


@pytest.mark.parametrize("bad", ["not base64!", "", "   ", "abc"])
def test_a_secret_that_is_not_base64_is_an_auth_error(bad: str) -> None:
    with pytest.raises(AuthError, match="not valid Base64"):
        decode_secret(bad)


def test_the_client_names_itself_in_a_bad_secret_error() -> None:
    with pytest.raises(AuthError) as caught:
        EllipticClient(key=KEY, secret="%%%")
    assert str(caught.value).startswith("Elliptic: ") and "%%%" not in str(caught.value)


class SigningServer:
    """Checks x-access-* on every request as Elliptic would; plain 401 on a mismatch."""

    def __init__(self, server: HTTPServer, *, secret: str) -> None:
        self.server = server
        self.secret = base64.b64decode(secret)
        self.seen: list[dict[str, str]] = []

    def verify(self, request: Request) -> bool:
        body = request.get_data() or b"{}"
        path = request.full_path.rstrip("?")
        stamp = request.headers.get("x-access-timestamp", "")
        text = stamp.encode() + request.method.encode() + path.lower().encode() + body
        expected = base64.b64encode(hmac.new(self.secret, text, hashlib.sha256).digest()).decode()
        self.seen.append(dict(request.headers))
        return request.headers.get("x-access-key") == KEY and hmac.compare_digest(
            request.headers.get("x-access-sign", ""), expected
        )

    def answer(self, *responses: Response) -> None:
        queue = list(responses)

        def handler(request: Request) -> Response:
            if not self.verify(request):
                return Response("Unauthorized", status=401, content_type="text/plain")
            return queue.pop(0) if len(queue) > 1 else queue[0]

        self.server.expect_request(elliptic_api.WALLET_PATH, method="POST").respond_with_handler(
            handler
        )


def json_response(body: Any, status: int = 200, **headers: str) -> Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Response(data, status=status, headers=headers, content_type="application/json")


@pytest.fixture
def fake(server: HTTPServer) -> SigningServer:
    return SigningServer(server, secret=DOC_SECRET)


@pytest.fixture
def elliptic(server: HTTPServer, clock: ManualClock) -> EllipticClient:
    config = replace(elliptic_api.CONFIG, base_url=server.url_for("/").rstrip("/"), **QUICK)
    return EllipticClient(key=KEY, secret=DOC_SECRET, config=config, clock=clock)


def test_the_documented_high_risk_answer(
    fake: SigningServer, elliptic: EllipticClient, clock: ManualClock
) -> None:
    fake.answer(json_response(raw("wallet_high.json")))
    screened = elliptic.screen("ethereum", ADDRESS)
    answer = screened.answer
    assert screened.raw == raw("wallet_high.json")
    assert answer.risk_score == Decimal("9.038007") and answer.asset_tier == "full"
    assert [(e.name, e.category) for e in answer.cluster_entities] == [("Mt.Gox", "Exchange")]
    (rule,) = answer.evaluations
    assert rule.direction == "source" and rule.rule_name == "Illict"
    (matched,) = rule.matched
    assert matched.category == "Dark Market"
    assert matched.contributions[0].entity == "AlphaBay"
    assert matched.contributions[0].is_sanctioned is None  # no risk_triggers in the example
    (flow,) = answer.contributions
    assert flow.indirect_usd == Decimal("395.47601131293095") and flow.counterparty_usd == 0
    # the request: holistic subject, wallet_exposure, signed with ms timestamps
    sent = fake.seen[0]
    assert sent["X-Access-Timestamp"] == str(int(clock.time() * 1000))
    assert sent["Content-Type"] == "application/json"


def test_the_request_body_is_the_documented_shape(
    server: HTTPServer, fake: SigningServer, elliptic: EllipticClient
) -> None:
    fake.answer(json_response(raw("wallet_high.json")))
    elliptic.screen("bitcoin", "bc1qwa8qddnn8g98kgqjhkh5gpcad8n2y87d6gzh6p")
    request, _ = server.log[0]
    expected = copy.deepcopy(doc("wallet_request.json"))
    del expected["customer_reference"]  # optional; we screen addresses, not customers
    expected["subject"]["hash"] = "bc1qwa8qddnn8g98kgqjhkh5gpcad8n2y87d6gzh6p"
    assert request.get_data() == json.dumps(expected, separators=(",", ":")).encode()


def test_a_wrong_secret_is_refused_with_what_to_check(
    server: HTTPServer, fake: SigningServer, clock: ManualClock
) -> None:
    fake.answer(json_response(raw("wallet_high.json")))
    other = base64.b64encode(b"another secret entirely").decode()
    config = replace(elliptic_api.CONFIG, base_url=server.url_for("/").rstrip("/"), **QUICK)
    client = EllipticClient(key=KEY, secret=other, config=config, clock=clock)
    with pytest.raises(AuthError) as caught:
        client.screen("ethereum", ADDRESS)
    text = str(caught.value)
    assert "(HTTP 401) (Unauthorized)" in text and "clock" in text and other not in text
    assert caught.value.attempts == 1


def test_each_retry_is_signed_afresh(
    fake: SigningServer, elliptic: EllipticClient, clock: ManualClock
) -> None:
    fake.answer(
        json_response(doc("errors.json")["429"], 429, **{"Retry-After": "5"}),
        json_response(raw("wallet_high.json")),
    )
    elliptic.screen("ethereum", ADDRESS)
    first, second = (int(s["X-Access-Timestamp"]) for s in fake.seen)
    assert second - first == 5000 and clock.sleeps == [5.0]


def test_429_waits_until_the_rate_limit_window_resets(
    fake: SigningServer, elliptic: EllipticClient, clock: ManualClock
) -> None:
    reset = str(int(clock.time()) + 4)  # epoch seconds, no Retry-After
    fake.answer(
        json_response(doc("errors.json")["429"], 429, **{"X-RateLimit-Reset": reset}),
        json_response(raw("wallet_high.json")),
    )
    elliptic.screen("ethereum", ADDRESS)
    assert clock.sleeps == [4.0]


def test_a_reset_in_milliseconds_is_read_as_such(
    fake: SigningServer, elliptic: EllipticClient, clock: ManualClock
) -> None:
    reset = str(int(clock.time() * 1000) + 3_000_000)  # 50 minutes: beyond what we wait
    fake.answer(json_response(doc("errors.json")["429"], 429, **{"X-RateLimit-Reset": reset}))
    with pytest.raises(QuotaError) as caught:
        elliptic.screen("ethereum", ADDRESS)
    assert caught.value.retry_after == pytest.approx(3000) and clock.sleeps == []


@pytest.mark.parametrize(
    ("status", "error", "said"),
    [
        ("400", UnsupportedChain, "combination not recognised"),
        ("403", AuthError, "enough privilege"),
        ("404", UnknownAddress, "no record of this address"),
        ("500", TransientError, "Something bad happened"),
    ],
)
def test_the_documented_errors(
    fake: SigningServer, elliptic: EllipticClient, status: str, error: type, said: str
) -> None:
    fake.answer(json_response(doc("errors.json")[status], int(status)))
    with pytest.raises(error, match=said):
        elliptic.screen("ethereum", ADDRESS)


def test_another_400_is_a_rejected_request(fake: SigningServer, elliptic: EllipticClient) -> None:
    fake.answer(json_response({"name": "BadRequestError", "message": "subject.hash missing"}, 400))
    with pytest.raises(ProviderError, match="rejected the request") as caught:
        elliptic.screen("ethereum", ADDRESS)
    assert type(caught.value) is ProviderError


def test_a_running_analysis_is_asked_again(
    fake: SigningServer, elliptic: EllipticClient, clock: ManualClock
) -> None:
    running = {**doc("wallet_high.json"), "process_status": "running", "process_status_id": 1}
    fake.answer(json_response(running), json_response(raw("wallet_high.json")))
    assert elliptic.screen("ethereum", ADDRESS).answer.risk_score == Decimal("9.038007")
    assert len(clock.sleeps) == 1


def test_an_analysis_that_stays_running_is_not_ready(
    fake: SigningServer, elliptic: EllipticClient
) -> None:
    fake.answer(json_response({**doc("wallet_high.json"), "process_status_id": 1}))
    with pytest.raises(NotReady):
        elliptic.screen("ethereum", ADDRESS)


def test_a_failed_analysis_says_why(fake: SigningServer, elliptic: EllipticClient) -> None:
    failed = {
        **doc("wallet_high.json"),
        "process_status": "error",
        "process_status_id": 3,
        "error": {"message": "analysis failed"},
    }
    fake.answer(json_response(failed))
    with pytest.raises(ProviderError, match=r"could not analyse the address \(analysis failed\)"):
        elliptic.screen("ethereum", ADDRESS)


def test_a_clean_wallet_has_no_score(fake: SigningServer, elliptic: EllipticClient) -> None:
    clean = {
        **doc("wallet_high.json"),
        "risk_score": None,
        "risk_score_detail": {"source": None, "destination": None},
        "evaluation_detail": {"source": [], "destination": []},
    }
    fake.answer(json_response(clean))
    answer = elliptic.screen("ethereum", ADDRESS).answer
    assert answer.risk_score is None and answer.evaluations == ()
    assert answer.contributions  # exposure without risk is still listed


@pytest.mark.parametrize(
    "change",
    [
        {"risk_score": 11},
        {"risk_score": "high"},
        {"process_status_id": 9},
        {"cluster_entities": {}},
    ],
    ids=["off-scale", "text-score", "unknown-status", "entities-object"],
)
def test_answers_off_the_schema_are_malformed(
    fake: SigningServer, elliptic: EllipticClient, change: dict[str, Any]
) -> None:
    fake.answer(json_response({**doc("wallet_high.json"), **change}))
    with pytest.raises(MalformedAnswer):
        elliptic.screen("ethereum", ADDRESS)


def test_an_unmapped_chain_is_refused_without_a_request(
    server: HTTPServer, elliptic: EllipticClient
) -> None:
    assert not elliptic.supports("litecoin") and elliptic.supports("tron")
    with pytest.raises(UnsupportedChain) as caught:
        elliptic.screen("litecoin", ADDRESS)
    assert str(caught.value).startswith("Elliptic: ") and server.log == []


def test_check_key_is_a_signed_get_of_customers(
    server: HTTPServer, fake: SigningServer, elliptic: EllipticClient
) -> None:
    def handler(request: Request) -> Response:
        if not fake.verify(request):
            return Response("Unauthorized", status=401)
        return json_response({"customers": []})

    server.expect_request("/v2/customers", method="GET").respond_with_handler(handler)
    assert elliptic.check_key() == "GET /v2/customers"
    assert fake.seen and "X-Access-Sign" in fake.seen[0]
