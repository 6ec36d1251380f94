"""HttpClient against a real HTTP server on 127.0.0.1: retries, Retry-After,
timeouts, bad bodies, offline, the breaker, and keys kept out of every text."""

from __future__ import annotations

import logging
import threading
import traceback
from email.utils import formatdate

import pytest
import requests
import urllib3.exceptions
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from integrations.http import (
    AuthError,
    CircuitOpen,
    CircuitState,
    HttpClient,
    IntegrationError,
    ManualClock,
    Offline,
    ProviderConfig,
    ProviderError,
    QuotaError,
    RetryPolicy,
    TransientError,
)
from integrations.http.client import unreachable
from integrations.http.responses import json_body
from tests.integrations.conftest import MakeClient

KEY = "SECRETKEY-5f2b9c1e"


def shape(body: object) -> dict[str, int]:
    """A decoder that insists on {"n": int}, like a provider parser would."""
    assert isinstance(body, dict)
    return {"n": int(body["n"])}


def get_n(client: HttpClient, *, params: dict[str, str | int] | None = None) -> dict[str, int]:
    return client.get("/data", params=params, decode=lambda r: shape(json_body(r)))


def test_a_good_answer_comes_back_decoded(server: HTTPServer, make_client: MakeClient) -> None:
    server.expect_request("/data").respond_with_json({"n": 1})
    assert get_n(make_client()) == {"n": 1}


def test_every_request_carries_both_timeouts(make_client: MakeClient) -> None:
    seen: list[object] = []

    class Recording(requests.Session):
        def request(self, *args: object, **kwargs: object) -> requests.Response:
            seen.append(kwargs.get("timeout"))
            raise requests.ConnectTimeout("no")

    client = HttpClient(
        ProviderConfig("P", "http://127.0.0.1:1", connect_timeout=1.5, read_timeout=7.0),
        clock=ManualClock(),
        session_factory=Recording,
    )
    with pytest.raises(Offline):
        client.get("/x", decode=json_body)
    assert seen and all(t == (1.5, 7.0) for t in seen)


def test_5xx_is_retried_with_jittered_backoff_then_succeeds(
    server: HTTPServer, make_client: MakeClient, clock: ManualClock
) -> None:
    server.expect_ordered_request("/data").respond_with_data("busy", status=503)
    server.expect_ordered_request("/data").respond_with_data("oops", status=500)
    server.expect_ordered_request("/data").respond_with_json({"n": 2})
    assert get_n(make_client()) == {"n": 2}
    # full jitter: first wait in [0, 0.5], second in [0, 1.0]
    assert len(clock.sleeps) == 2
    assert 0 <= clock.sleeps[0] <= 0.5 and 0 <= clock.sleeps[1] <= 1.0


def test_5xx_to_the_end_is_a_transient_error(server: HTTPServer, make_client: MakeClient) -> None:
    server.expect_request("/data").respond_with_data("down", status=502)
    with pytest.raises(TransientError) as caught:
        get_n(make_client())
    assert caught.value.kind == "transient" and caught.value.status == 502
    assert caught.value.attempts == 3
    assert not caught.value.offline


def test_429_waits_exactly_the_retry_after_seconds(
    server: HTTPServer, make_client: MakeClient, clock: ManualClock
) -> None:
    server.expect_ordered_request("/data").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    server.expect_ordered_request("/data").respond_with_json({"n": 3})
    assert get_n(make_client()) == {"n": 3}
    assert clock.sleeps == [7.0]


def test_429_with_an_http_date_waits_until_that_date(
    server: HTTPServer, make_client: MakeClient, clock: ManualClock
) -> None:
    when = formatdate(clock.time() + 12, usegmt=True)
    server.expect_ordered_request("/data").respond_with_data(
        "", status=429, headers={"Retry-After": when}
    )
    server.expect_ordered_request("/data").respond_with_json({"n": 4})
    assert get_n(make_client()) == {"n": 4}
    assert len(clock.sleeps) == 1 and clock.sleeps[0] == pytest.approx(12, abs=1)


def test_a_retry_after_beyond_the_cap_is_not_waited_out(
    server: HTTPServer, make_client: MakeClient, clock: ManualClock
) -> None:
    server.expect_request("/data").respond_with_data(
        "", status=429, headers={"Retry-After": "3600"}
    )
    with pytest.raises(QuotaError) as caught:
        get_n(make_client())
    assert clock.sleeps == []
    assert caught.value.retry_after == 3600.0 and caught.value.attempts == 1
    assert len(server.log) == 1


def test_429_beyond_the_retries_is_a_quota_error(
    server: HTTPServer, make_client: MakeClient, clock: ManualClock
) -> None:
    server.expect_request("/data").respond_with_data("", status=429, headers={"Retry-After": "2"})
    with pytest.raises(QuotaError) as caught:
        get_n(make_client())
    assert clock.sleeps == [2.0, 2.0]
    assert caught.value.kind == "quota" and caught.value.attempts == 3


def test_a_slow_answer_times_out_as_transient(server: HTTPServer, make_client: MakeClient) -> None:
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(2)
        return Response('{"n": 5}', content_type="application/json")

    server.expect_request("/data").respond_with_handler(slow)
    client = make_client(read_timeout=0.05, retry=RetryPolicy(attempts=2))
    try:
        with pytest.raises(TransientError) as caught:
            get_n(client)
    finally:
        release.set()
    assert "did not answer within 0.05 s" in str(caught.value)
    assert not isinstance(caught.value, Offline)
    assert caught.value.attempts == 2


def test_connection_refused_is_offline(clock: ManualClock, refused_url: str) -> None:
    config = ProviderConfig("Etherscan", f"{refused_url}/v2/api", rate_per_second=100, burst=10)
    client = HttpClient(config, clock=clock, secrets=(KEY,))
    with pytest.raises(Offline) as caught:
        client.get("", params={"apikey": KEY}, decode=json_body)
    error = caught.value
    assert error.offline and error.kind == "offline"
    assert isinstance(error, TransientError)  # callers that only know transient still queue it
    assert str(error).startswith("Etherscan: could not be reached")
    assert error.attempts == 4 and len(clock.sleeps) == 3  # backoff only: the bucket had room


def test_dns_failure_counts_as_unreachable() -> None:
    # The shape requests raises when a name does not resolve (no network needed).
    cause = urllib3.exceptions.NameResolutionError("nowhere.invalid", None, OSError("no name"))  # type: ignore[arg-type]
    wrapped = requests.ConnectionError(
        urllib3.exceptions.MaxRetryError(None, "/x?apikey=K", cause)  # type: ignore[arg-type]
    )
    assert unreachable(wrapped)
    dropped = requests.ConnectionError(urllib3.exceptions.ProtocolError("Connection aborted."))
    assert not unreachable(dropped)


def test_malformed_json_is_a_provider_error(server: HTTPServer, make_client: MakeClient) -> None:
    server.expect_request("/data").respond_with_data('{"n": 1', content_type="application/json")
    with pytest.raises(ProviderError, match="malformed JSON") as caught:
        get_n(make_client())
    assert caught.value.kind == "fatal" and caught.value.attempts == 1


def test_an_html_page_is_a_provider_error_with_what_to_do(
    server: HTTPServer, make_client: MakeClient
) -> None:
    page = "<!DOCTYPE html><html><body><h1>Sign in to the hotel Wi-Fi</h1></body></html>"
    server.expect_request("/data").respond_with_data(page, content_type="text/html")
    with pytest.raises(ProviderError) as caught:
        get_n(make_client())
    assert "web page instead of data" in str(caught.value)
    assert "captive portal" in caught.value.hint
    assert "hotel" not in str(caught.value)


def test_an_unexpected_shape_is_a_provider_error(
    server: HTTPServer, make_client: MakeClient
) -> None:
    server.expect_request("/data").respond_with_json({"count": 1})
    with pytest.raises(ProviderError, match="unexpected shape") as caught:
        get_n(make_client())
    assert "KeyError" in str(caught.value)


def test_401_is_an_auth_error_and_not_retried(server: HTTPServer, make_client: MakeClient) -> None:
    server.expect_request("/data").respond_with_json({"message": "Wrong API key"}, status=401)
    with pytest.raises(AuthError) as caught:
        get_n(make_client())
    assert caught.value.kind == "auth" and len(server.log) == 1
    assert "Enter the API key again" in str(caught.value)


def test_other_4xx_is_fatal_and_names_the_reason(
    server: HTTPServer, make_client: MakeClient
) -> None:
    server.expect_request("/data").respond_with_data("Invalid Bitcoin address", status=400)
    with pytest.raises(ProviderError, match=r"HTTP 400\) \(Invalid Bitcoin address\)"):
        get_n(make_client())


def test_the_breaker_opens_fails_fast_and_half_opens(
    server: HTTPServer, make_client: MakeClient, clock: ManualClock
) -> None:
    server.expect_request("/data").respond_with_data("down", status=500)
    client = make_client(
        name="Blockscout",
        breaker_threshold=2,
        breaker_cool_down=30.0,
        retry=RetryPolicy(attempts=1),
    )
    for _ in range(2):
        with pytest.raises(TransientError):
            get_n(client)
    assert client.status().circuit is CircuitState.OPEN
    asked = len(server.log)

    with pytest.raises(CircuitOpen) as caught:
        get_n(client)
    assert len(server.log) == asked  # failed fast: nothing was sent
    assert caught.value.kind == "circuit_open" and caught.value.reopens_in == 30.0
    assert "Blockscout: paused after repeated failures (last: transient)" in str(caught.value)

    clock.advance(30.0)
    assert client.status().circuit is CircuitState.HALF_OPEN
    with pytest.raises(TransientError) as trial:  # the one trial call fails: open again
        get_n(client)
    assert not isinstance(trial.value, CircuitOpen)
    assert client.status().circuit is CircuitState.OPEN

    clock.advance(30.0)
    server.clear()
    server.expect_request("/data").respond_with_json({"n": 9})
    assert get_n(client) == {"n": 9}
    assert client.status().circuit is CircuitState.CLOSED


def test_an_open_circuit_after_offline_failures_says_offline(
    clock: ManualClock, refused_url: str
) -> None:
    config = ProviderConfig("Node", refused_url, breaker_threshold=1, retry=RetryPolicy(1))
    client = HttpClient(config, clock=clock)
    with pytest.raises(Offline):
        client.get("", decode=json_body)
    with pytest.raises(CircuitOpen) as caught:
        client.get("", decode=json_body)
    assert caught.value.offline and caught.value.last_failure == "offline"


def test_auth_errors_do_not_open_the_breaker(server: HTTPServer, make_client: MakeClient) -> None:
    server.expect_request("/data").respond_with_data("", status=401)
    client = make_client(breaker_threshold=1)
    for _ in range(3):
        with pytest.raises(AuthError):
            get_n(client)
    assert client.status().circuit is CircuitState.CLOSED


def test_the_key_never_shows_in_errors_tracebacks_or_logs(
    server: HTTPServer, make_client: MakeClient, caplog: pytest.LogCaptureFixture, refused_url: str
) -> None:
    # A provider that echoes the key back in its error, a refused connection
    # (whose requests exception text holds the whole URL), and a debug log.
    server.expect_request("/data").respond_with_json({"message": f"key {KEY} is wrong"}, status=403)
    client = make_client(secrets=(KEY,))
    offline = HttpClient(
        ProviderConfig("P", refused_url, retry=RetryPolicy(1)),
        clock=ManualClock(),
    )
    caplog.set_level(logging.DEBUG)
    errors: list[IntegrationError] = []
    with pytest.raises(AuthError) as refused:
        get_n(client, params={"apikey": KEY})
    errors.append(refused.value)
    with pytest.raises(Offline) as unreached:
        offline.get("/x", params={"apikey": KEY}, decode=json_body, secrets=(KEY,))
    errors.append(unreached.value)
    for error in errors:
        text = "".join(traceback.format_exception(error))
        assert KEY not in text and KEY not in repr(error) and KEY not in str(error.args)
        assert "apikey" not in str(error) and "?" not in str(error)
        assert error.__cause__ is None and error.__context__ is None
    assert "***" in str(refused.value)
    ours = [r.getMessage() for r in caplog.records if r.name != "werkzeug"]  # the fake server
    assert any("/data?apikey=***" in line for line in ours)
    assert not any(KEY in line for line in ours)
    offline.close()


def test_a_long_error_body_never_keeps_part_of_a_word() -> None:
    from integrations.http.responses import _short

    key = "K" * 40
    text = "x " * 70 + key + " tail"
    short = _short(text)
    assert len(short) <= 160
    assert "K" not in short  # the key straddled the cut: left out whole
