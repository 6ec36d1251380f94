"""Property-based fuzzing of what explorers and KYT providers answer: a local server
(127.0.0.1) answers every call with a documented body changed at random (values of
other types, keys gone, huge numbers, deep nesting), or with bytes that are not JSON,
under any status. The client returns an answer or raises an IntegrationError with a
message; nothing else escapes."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from integrations.explorers import Asset
from integrations.explorers.blockscout import BlockscoutExplorer
from integrations.explorers.esplora import EsploraExplorer
from integrations.explorers.etherscan import EtherscanExplorer
from integrations.explorers.settings import TRON_USDT
from integrations.explorers.trongrid import TronGridExplorer
from integrations.http import IntegrationError, ManualClock, ProviderError, RetryPolicy
from integrations.http.responses import json_body
from integrations.kyt.chainalysis import SanctionsClient, ScreeningClient
from integrations.kyt.chainalysis import sanctions as sanctions_api
from integrations.kyt.chainalysis import screening as screening_api
from integrations.kyt.elliptic import EllipticClient
from integrations.kyt.elliptic import client as elliptic_api
from integrations.kyt.trm import TrmClient
from integrations.kyt.trm import client as trm_api
from tests.integrations.conftest import MakeClient

HERE = Path(__file__).parent
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=3000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize="FUZZ_EXAMPLES" not in os.environ,
)
ETH_ADDRESS = "0x4e83362442b8d1bec281594cea3050c8eb01311c"
BTC_ADDRESS = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
TRON_ADDRESS = "TXLAQ63Xg1NAzckPwKHvzw7CSEmLMEqcdj"
QUICK: dict[str, Any] = {
    "retry": RetryPolicy(attempts=2, base_delay=0.5, max_delay=1.0),
    "rate_per_second": 1000.0,
    "burst": 10_000,
}


def _documents(folder: Path) -> list[Any]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**80), 2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=16),
    st.sampled_from(["", "0", "-1", "1e999", "0x", "NaN", "not a number", "9" * 40]),
)
json_any = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(doc: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _paths(value, (*at, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc[:3]):
            yield from _paths(value, (*at, i))


def _set(doc: Any, path: tuple[Any, ...], value: Any, *, delete: bool) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(doc, dict):
        copy = dict(doc)
        if delete and not rest:
            copy.pop(head, None)
        else:
            copy[head] = _set(doc[head], rest, value, delete=delete)
        return copy
    copy_list = list(doc)
    if delete and not rest:
        del copy_list[head]
    else:
        copy_list[head] = _set(doc[head], rest, value, delete=delete)
    return copy_list


@st.composite
def _changed(draw: st.DrawFn, documents: list[Any]) -> Any:
    doc = draw(st.sampled_from(documents))
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(doc))
        path = draw(st.sampled_from(paths))
        delete = bool(path) and draw(st.booleans())
        doc = _set(doc, path, draw(json_any), delete=delete)
    return doc


def _answers(folder: Path) -> st.SearchStrategy[list[tuple[int, bytes]]]:
    """A few answers, served in turn: mostly changed documents with status 200."""
    documents = _documents(folder)
    body = st.one_of(
        _changed(documents).map(lambda d: json.dumps(d).encode()),
        st.binary(max_size=60),
        st.sampled_from([b"", b"null", b"[]", b"{}", b"<html>busy</html>", b"[" * 5000]),
    )
    status = st.one_of(st.just(200), st.sampled_from([200, 201, 204, 400, 401, 404, 429, 500]))
    return st.lists(st.tuples(status, body), min_size=1, max_size=6)


def _serve(server: HTTPServer, answers: list[tuple[int, bytes]]) -> None:
    server.clear_all_handlers()
    turn = iter(range(10**6))

    def handler(_request: Request) -> Response:
        status, body = answers[next(turn) % len(answers)]
        return Response(body, status=status, content_type="application/json")

    server.expect_request(re.compile(".*")).respond_with_handler(handler)


def _answered_or_refused(call: Callable[[], Any]) -> None:
    try:
        call()
    except IntegrationError as exc:
        message = str(exc)
        assert message.strip(), f"{type(exc).__name__} without a message"
        assert "Traceback" not in message and len(message) < 4000


EXPLORERS = HERE / "test_explorer_fixtures"


@FUZZ
@given(answers=_answers(EXPLORERS / "etherscan"))
def test_etherscan_answers(
    server: HTTPServer, make_client: MakeClient, answers: list[tuple[int, bytes]]
) -> None:
    explorer = EtherscanExplorer(
        make_client("/v2/api", name="Etherscan", secrets=("k",)),
        native=Asset("ethereum", "ETH", 18),
        chain_id=1,
        api_key="k",
    )
    _serve(server, answers)
    _answered_or_refused(lambda: explorer.summary(ETH_ADDRESS))
    _answered_or_refused(lambda: explorer.transfers(ETH_ADDRESS, limit=20))


@FUZZ
@given(answers=_answers(EXPLORERS / "blockscout"))
def test_blockscout_answers(
    server: HTTPServer, make_client: MakeClient, answers: list[tuple[int, bytes]]
) -> None:
    explorer = BlockscoutExplorer(
        make_client(name="Blockscout"), native=Asset("gnosis", "xDAI", 18)
    )
    _serve(server, answers)
    _answered_or_refused(lambda: explorer.summary(ETH_ADDRESS))
    _answered_or_refused(lambda: explorer.transfers(ETH_ADDRESS, limit=20))


@FUZZ
@given(answers=_answers(EXPLORERS / "esplora"))
def test_esplora_answers(
    server: HTTPServer, make_client: MakeClient, answers: list[tuple[int, bytes]]
) -> None:
    explorer = EsploraExplorer(
        make_client("/api", name="Esplora"), native=Asset("bitcoin", "BTC", 8)
    )
    _serve(server, answers)
    _answered_or_refused(lambda: explorer.summary(BTC_ADDRESS))
    _answered_or_refused(lambda: explorer.transfers(BTC_ADDRESS, limit=20))


@FUZZ
@given(answers=_answers(EXPLORERS / "trongrid"))
def test_trongrid_answers(
    server: HTTPServer, make_client: MakeClient, answers: list[tuple[int, bytes]]
) -> None:
    explorer = TronGridExplorer(
        make_client(name="TronGrid", secrets=("k",)),
        native=Asset("tron", "TRX", 6),
        tokens=(TRON_USDT,),
        api_key="k",
    )
    _serve(server, answers)
    _answered_or_refused(lambda: explorer.summary(TRON_ADDRESS))
    _answered_or_refused(lambda: explorer.transfers(TRON_ADDRESS, limit=20))


KYT = HERE / "kyt_fixtures"


def _config(base: Any, server: HTTPServer, path: str = "/") -> Any:
    return replace(base, base_url=server.url_for(path).rstrip("/"), **QUICK)


@FUZZ
@given(answers=_answers(KYT / "chainalysis"))
def test_chainalysis_answers(
    server: HTTPServer, clock: ManualClock, answers: list[tuple[int, bytes]]
) -> None:
    sanctions = SanctionsClient(key="k", config=_config(sanctions_api.CONFIG, server), clock=clock)
    screening = ScreeningClient(
        key="k", config=_config(screening_api.CONFIG, server, "/api/risk"), clock=clock
    )
    _serve(server, answers)
    try:
        _answered_or_refused(lambda: sanctions.screen("ethereum", ETH_ADDRESS))
        _answered_or_refused(lambda: screening.screen("ethereum", ETH_ADDRESS))
    finally:
        sanctions.close()
        screening.close()


@FUZZ
@given(answers=_answers(KYT / "elliptic"))
def test_elliptic_answers(
    server: HTTPServer, clock: ManualClock, answers: list[tuple[int, bytes]]
) -> None:
    client = EllipticClient(
        key="k", secret="c2VjcmV0", config=_config(elliptic_api.CONFIG, server), clock=clock
    )
    _serve(server, answers)
    try:
        _answered_or_refused(lambda: client.screen("ethereum", ETH_ADDRESS))
    finally:
        client.close()


@FUZZ
@given(answers=_answers(KYT / "trm"))
def test_trm_answers(
    server: HTTPServer, clock: ManualClock, answers: list[tuple[int, bytes]]
) -> None:
    client = TrmClient(key="k", config=_config(trm_api.CONFIG, server), clock=clock)
    _serve(server, answers)
    try:
        _answered_or_refused(lambda: client.screen("ethereum", ETH_ADDRESS))
    finally:
        client.close()


#: JSON nested past Python's recursion limit: json.loads raises RecursionError, which
#: escaped every client (found by the tests above)
DEEP = b"[" * 100_000


@pytest.mark.parametrize("status", [200, 400])
def test_json_nested_too_deep_is_a_malformed_answer(
    server: HTTPServer, make_client: MakeClient, status: int
) -> None:
    server.expect_request("/deep").respond_with_data(
        DEEP, status=status, content_type="application/json"
    )
    with pytest.raises(ProviderError) as caught:
        make_client().get("/deep", decode=json_body)
    expected = "HTTP 400" if status == 400 else "malformed JSON"
    assert expected in str(caught.value)


def test_an_elliptic_error_nested_too_deep_is_an_error(
    server: HTTPServer, clock: ManualClock
) -> None:
    client = EllipticClient(
        key="k", secret="c2VjcmV0", config=_config(elliptic_api.CONFIG, server), clock=clock
    )
    server.expect_request(re.compile(".*")).respond_with_data(
        DEEP, status=400, content_type="application/json"
    )
    try:
        with pytest.raises(IntegrationError):
            client.screen("ethereum", ETH_ADDRESS)
    finally:
        client.close()
