"""JSON-RPC explorer: on a real EVM (eth-tester + py-evm) with a real ERC-20, and
through HttpClient against a fake node answering the documented shapes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Any, cast

import pytest
from eth_account import Account
from pytest_httpserver import HTTPServer
from web3 import EthereumTesterProvider, Web3
from web3.types import TxParams
from werkzeug import Request, Response

from integrations.explorers import Asset, TokenSpec, daily_flows
from integrations.explorers.jsonrpc import TRANSFER_TOPIC, ClientRPCProvider, JsonRpcExplorer
from integrations.http import (
    HttpClient,
    ManualClock,
    Offline,
    ProviderConfig,
    ProviderError,
    RetryPolicy,
)
from tests.integrations.conftest import MakeClient

ETH = Asset("ethereum", "ETH", 18)
Load = Callable[[str], Any]

# --- a minimal ERC-20, assembled here: balanceOf, transfer, Transfer events ---

_OPCODES = {
    "ADD": 0x01,
    "SUB": 0x03,
    "GT": 0x11,
    "EQ": 0x14,
    "SHR": 0x1C,
    "CALLER": 0x33,
    "CALLDATALOAD": 0x35,
    "CODECOPY": 0x39,
    "MSTORE": 0x52,
    "SLOAD": 0x54,
    "SSTORE": 0x55,
    "JUMPI": 0x57,
    "JUMPDEST": 0x5B,
    "DUP1": 0x80,
    "DUP2": 0x81,
    "DUP3": 0x82,
    "SWAP1": 0x90,
    "LOG3": 0xA3,
    "RETURN": 0xF3,
    "REVERT": 0xFD,
}


def assemble(source: str) -> bytes:
    """Mnemonics to bytecode. `@name` marks a JUMPDEST; `PUSH2 @name` pushes its
    offset; `PUSHn` takes the next word as its operand. ';' starts a comment."""
    words = [w for line in source.splitlines() for w in line.split(";")[0].split()]
    items: list[tuple[str, str | None]] = []
    while words:
        word = words.pop(0)
        items.append((word, words.pop(0) if word.startswith("PUSH") else None))
    labels, offset = {}, 0
    for word, operand in items:
        if word.startswith("@"):
            labels[word] = offset
        offset += 1 + (int(word[4:]) if operand is not None else 0)
    code = bytearray()
    for word, operand in items:
        if word.startswith("@"):
            code.append(_OPCODES["JUMPDEST"])
        elif operand is not None:
            width = int(word[4:])
            value = labels[operand] if operand.startswith("@") else int(operand, 0)
            code += bytes([0x5F + width]) + value.to_bytes(width, "big")
        else:
            code.append(_OPCODES[word])
    return bytes(code)


RUNTIME = assemble(
    f"""
    PUSH1 0 CALLDATALOAD PUSH1 0xe0 SHR        ; the selector
    DUP1 PUSH4 0x70a08231 EQ PUSH2 @balance JUMPI
    DUP1 PUSH4 0xa9059cbb EQ PUSH2 @transfer JUMPI
    @fail
    PUSH1 0 DUP1 REVERT
    @balance                                   ; balanceOf(owner): storage[owner]
    PUSH1 4 CALLDATALOAD SLOAD PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
    @transfer                                  ; transfer(to, amount)
    CALLER SLOAD PUSH1 0x24 CALLDATALOAD       ; [amount, mine]
    DUP2 DUP2 GT PUSH2 @fail JUMPI             ; amount > mine: revert
    SWAP1 DUP2 SWAP1 SUB CALLER SSTORE         ; mine -= amount
    PUSH1 4 CALLDATALOAD DUP1 SLOAD DUP3 ADD SWAP1 SSTORE  ; theirs += amount
    PUSH1 0 MSTORE                             ; log data: the amount
    PUSH1 4 CALLDATALOAD CALLER PUSH32 {TRANSFER_TOPIC} PUSH1 32 PUSH1 0 LOG3
    PUSH1 1 PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
    """
)


def _constructor(supply: int, code_at: int) -> bytes:
    """Mint `supply` to the deployer (with its Transfer from 0), return RUNTIME."""
    return assemble(
        f"""
        PUSH32 {supply} CALLER SSTORE
        PUSH32 {supply} PUSH1 0 MSTORE
        CALLER PUSH1 0 PUSH32 {TRANSFER_TOPIC} PUSH1 32 PUSH1 0 LOG3
        PUSH2 {len(RUNTIME)} DUP1 PUSH2 {code_at} PUSH1 0 CODECOPY PUSH1 0 RETURN
        """
    )


def token_initcode(supply: int) -> bytes:
    head = len(_constructor(supply, 0))
    return _constructor(supply, head) + RUNTIME


# --- the chain ---

DAY1 = 2_208_988_800  # 2040-01-01 00:00 UTC: eth-tester cannot go back in time
DAY2 = DAY1 + 86_400 + 3_600


class Chain:
    def __init__(self) -> None:
        self.w3 = Web3(EthereumTesterProvider())
        self.tester = self.w3.provider.ethereum_tester  # type: ignore[attr-defined]
        accounts = list(self.w3.eth.accounts)
        self.bank, self.other = accounts[0], accounts[2]
        # A fresh account, so its balance is exactly what the test gave it minus gas.
        key = Account.create()
        self.tester.add_account(key.key.to_0x_hex())
        self.customer: str = key.address
        self.gas_paid = 0

    def send(self, sender: str, **tx: Any) -> Any:
        receipt = self.w3.eth.wait_for_transaction_receipt(
            self.w3.eth.send_transaction(cast(TxParams, {"from": sender, "gas": 200_000, **tx}))
        )
        assert receipt["status"] == 1
        if sender == self.customer:
            self.gas_paid += receipt["gasUsed"] * receipt["effectiveGasPrice"]
        return receipt

    def deploy(self, supply: int) -> str:
        return str(self.send(self.bank, data=token_initcode(supply))["contractAddress"])

    def token_transfer(self, token: str, sender: str, to: str, amount: int) -> None:
        data = "0xa9059cbb" + to[2:].lower().rjust(64, "0") + f"{amount:064x}"
        self.send(sender, to=token, data=data)

    def at(self, timestamp: int) -> None:
        self.tester.time_travel(timestamp)


@pytest.fixture(scope="module")
def chain() -> Iterator[tuple[Chain, str]]:
    """A customer who got 5 ETH and 1000 tokens on day 1, and on day 2 sent
    300, sent 50 to itself and got 20 back."""
    c = Chain()
    c.at(DAY1)
    token = c.deploy(10**6)
    c.send(c.bank, to=c.customer, value=5 * 10**18)
    c.token_transfer(token, c.bank, c.customer, 1000)
    c.send(c.bank, to=c.other, value=10**18)  # noise between others
    c.at(DAY2)
    c.token_transfer(token, c.customer, c.other, 300)
    c.token_transfer(token, c.customer, c.customer, 50)
    c.token_transfer(token, c.other, c.customer, 20)
    yield c, token


def explorer(c: Chain, token: str, **kwargs: Any) -> JsonRpcExplorer:
    spec = TokenSpec(token, "TKN", 2)
    return JsonRpcExplorer(c.w3, native=ETH, tokens=[spec], source="eth-tester", **kwargs)


def test_summary_on_a_real_evm(chain: tuple[Chain, str]) -> None:
    c, token = chain
    summary = explorer(c, token).summary(c.customer.lower())
    assert summary.address == c.customer
    assert summary.native.amount == 5 * 10**18 - c.gas_paid
    assert summary.nonce == 2  # the transfer to `other` and the one to itself
    (tkn,) = summary.tokens
    assert tkn.amount == 1000 - 300 + 20 and tkn.asset.symbol == "TKN"
    assert str(tkn.as_decimal()) == "7.20"
    assert summary.tx_count is None and summary.source == "eth-tester"


def test_transfer_logs_and_daily_totals_on_a_real_evm(chain: tuple[Chain, str]) -> None:
    c, token = chain
    found = explorer(c, token).transfers(c.customer)
    me = c.customer.lower()
    assert [(t.sender == me, t.recipient == me, t.inflow, t.outflow) for t in found] == [
        (False, True, 20, 0),
        (True, True, 50, 50),  # to itself: one transfer, both ways
        (True, False, 0, 300),
        (False, True, 1000, 0),
    ]
    assert all(t.asset == Asset("ethereum", "TKN", 2, token.lower()) for t in found)
    assert found[-1].timestamp is not None and found[-1].timestamp.date() == date(2040, 1, 1)
    flows = [(f.day, f.inflow, f.outflow, f.transfers) for f in daily_flows(found)]
    assert flows == [(date(2040, 1, 1), 1000, 0, 1), (date(2040, 1, 2), 70, 350, 3)]


def test_the_log_window_bounds_the_search(chain: tuple[Chain, str]) -> None:
    c, token = chain
    assert [t.inflow for t in explorer(c, token, log_window=1).transfers(c.customer)] == [20]
    assert len(explorer(c, token).transfers(c.customer, limit=2)) == 2


def test_a_text_that_is_no_address_is_refused(chain: tuple[Chain, str]) -> None:
    c, token = chain
    with pytest.raises(ProviderError, match="not an EVM address") as caught:
        explorer(c, token).summary("0x1234")
    assert caught.value.provider == "eth-tester"


# --- through HttpClient against a fake node (evm-json-rpc.md) ---

HOLDER = "0x21e21ba085289f81a86921de890eed30f1ad2375"
MKR = "0x9f8f72aa9304c8b593d555f12ef6589cc3a579a2"


class FakeNode:
    """ "One route (POST /) dispatching on method; echo id." Logs only for
    ranges of at most `max_range` blocks; larger ones get -32005."""

    def __init__(self, documented: Load, *, max_range: int = 10_000) -> None:
        self.spec = documented("jsonrpc/spec.json")
        self.logs = documented("jsonrpc/mkr_transfer_logs.json")["result"]
        self.max_range = max_range
        self.calls: list[dict[str, Any]] = []
        self.answers: dict[str, list[Response]] = {}

    def __call__(self, request: Request) -> Response:
        call = json.loads(request.data)
        self.calls.append(call)
        queued = self.answers.get(call["method"])
        if queued:
            return queued.pop(0)
        return Response(
            json.dumps({**self.answer(call), "id": call["id"]}), content_type="application/json"
        )

    def answer(self, call: dict[str, Any]) -> dict[str, Any]:
        method, params = call["method"], call.get("params") or []
        if method == "eth_blockNumber":
            return {"jsonrpc": "2.0", "result": "0x5b8513"}
        if method == "eth_getLogs":
            query = params[0]
            start, end = int(query["fromBlock"], 16), int(query["toBlock"], 16)
            if end - start + 1 > self.max_range:
                return {"jsonrpc": "2.0", "error": {"code": -32005, "message": "Limit exceeded"}}
            topics = query["topics"]
            wanted = [
                log
                for log in self.logs
                if start <= int(log["blockNumber"], 16) <= end
                and all(t is None or t == log["topics"][i] for i, t in enumerate(topics))
            ]
            return {"jsonrpc": "2.0", "result": wanted}
        if method == "eth_call":
            return {"jsonrpc": "2.0", "result": "0x" + f"{10**19:064x}"}
        return dict(self.spec[method])


@pytest.fixture
def node(server: HTTPServer, documented: Load) -> FakeNode:
    fake = FakeNode(documented)
    server.expect_request("/", method="POST").respond_with_handler(fake)
    return fake


@pytest.fixture
def remote(make_client: MakeClient) -> JsonRpcExplorer:
    return JsonRpcExplorer.over_http(
        make_client(name="Node at 127.0.0.1"),
        native=ETH,
        tokens=[TokenSpec(MKR, "MKR", 18)],
        log_window=4_000,
    )


def test_summary_over_http(node: FakeNode, remote: JsonRpcExplorer) -> None:
    # the account of the spec fixture tests/eth_getBalance/get-balance.io
    summary = remote.summary("0x7dcd17433742f4c0ca53122ab541d0ba67fc27df")
    assert summary.native.amount == 0x76 and summary.nonce == 1
    (mkr,) = summary.tokens
    assert mkr.amount == 10**19 and mkr.asset.contract == MKR
    balance = next(c for c in node.calls if c["method"] == "eth_getBalance")
    assert balance["params"] == [summary.address, "latest"]
    assert summary.address == Web3.to_checksum_address("0x7dcd17433742f4c0ca53122ab541d0ba67fc27df")
    call = next(c for c in node.calls if c["method"] == "eth_call")
    assert (
        call["params"][0]["data"]
        == "0x70a08231" + "0" * 24 + "7dcd17433742f4c0ca53122ab541d0ba67fc27df"
    )


def test_transfer_logs_over_http_use_block_timestamp(
    node: FakeNode, remote: JsonRpcExplorer
) -> None:
    (received,) = remote.transfers(HOLDER)
    assert received.inflow == 10 * 10**18 and received.outflow == 0
    assert received.sender == "0x4e83362442b8d1bec281594cea3050c8eb01311c"
    assert received.timestamp == datetime.fromtimestamp(1532086946, UTC)
    assert received.tx_hash == "0xd65b788c610949704a5f9aac2228c7c777434dfe11c863a12306f57fcbd8cdbb"
    assert received.block == 0x5B8513 and received.log_index == 0
    assert not any(c["method"] == "eth_getBlockByNumber" for c in node.calls)
    logs = [c["params"][0] for c in node.calls if c["method"] == "eth_getLogs"]
    padded = "0x" + "0" * 24 + HOLDER[2:]
    assert [q["topics"] for q in logs] == [[TRANSFER_TOPIC, padded], [TRANSFER_TOPIC, None, padded]]


def test_a_too_large_range_is_split_until_the_node_accepts_it(
    node: FakeNode, remote: JsonRpcExplorer
) -> None:
    node.max_range = 1_000
    (received,) = remote.transfers(HOLDER)
    assert received.inflow == 10 * 10**18
    served = [
        (int(q["fromBlock"], 16), int(q["toBlock"], 16))
        for c in node.calls
        if c["method"] == "eth_getLogs"
        for q in c["params"]
        if int(q["toBlock"], 16) - int(q["fromBlock"], 16) < 1_000
    ]
    head = 0x5B8513
    per_direction = sorted(set(served))
    assert per_direction[0][0] == head - 3_999 and per_direction[-1][1] == head
    assert all(a[1] + 1 == b[0] for a, b in pairwise(per_direction))


def test_http_429_and_rpc_limit_exceeded_are_retried(
    node: FakeNode, remote: JsonRpcExplorer, clock: ManualClock
) -> None:
    node.answers["eth_getBalance"] = [
        Response("", status=429, headers={"Retry-After": "3"}),
        Response(
            json.dumps(
                {"jsonrpc": "2.0", "id": 0, "error": {"code": -32005, "message": "Limit exceeded"}}
            ),
            content_type="application/json",
        ),
    ]
    assert remote.summary(HOLDER).native.amount == 0x76
    assert clock.sleeps[0] == 3.0 and len(clock.sleeps) == 2


def test_an_rpc_error_is_a_provider_error(node: FakeNode, remote: JsonRpcExplorer) -> None:
    node.answers["eth_getTransactionCount"] = [
        Response(
            json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": 0,
                    "error": {"code": -32601, "message": "Method not found"},
                }
            ),
            content_type="application/json",
        )
    ]
    with pytest.raises(
        ProviderError, match=r"Node at 127.0.0.1: refused the call \(Method not found\)"
    ):
        remote.summary(HOLDER)


def test_a_node_that_cannot_be_reached_is_not_connected(refused_url: str) -> None:
    config = ProviderConfig("Node", refused_url, retry=RetryPolicy(attempts=1))
    client = HttpClient(config, clock=ManualClock())
    provider = ClientRPCProvider(client)
    assert provider.is_connected() is False
    with pytest.raises(Offline):
        provider.is_connected(show_traceback=True)
