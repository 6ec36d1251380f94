"""Explorer settings and the factory that builds explorers from them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from integrations.explorers import (
    DEFAULT_CHAINS,
    ChainSettings,
    Explorers,
    ExplorerSettings,
    ProviderKind,
)
from integrations.explorers.blockscout import BlockscoutExplorer
from integrations.explorers.esplora import EsploraExplorer
from integrations.explorers.etherscan import EtherscanExplorer
from integrations.explorers.jsonrpc import JsonRpcExplorer
from integrations.explorers.trongrid import TronGridExplorer
from integrations.http import CircuitState, ManualClock, TransientError

Load = Callable[[str], Any]
KEY = "etherscan-key-77aa"
NODE_KEY = "node-path-key-31337"


def test_defaults_cover_the_apps_chains() -> None:
    settings = ExplorerSettings()
    assert settings.version == 1
    assert {c.chain for c in settings.chains} == {
        "ethereum",
        "polygon",
        "base",
        "arbitrum",
        "optimism",
        "bsc",
        "bitcoin",
        "tron",
    }
    ethereum = settings.for_chain("ethereum")
    assert ethereum.provider is ProviderKind.ETHERSCAN_V2 and ethereum.chain_id == 1
    assert ethereum.base_url == "https://api.etherscan.io/v2/api"
    assert {c.key_id for c in settings.chains if c.provider is ProviderKind.ETHERSCAN_V2} == {
        "etherscan"
    }
    assert ethereum.rate(has_key=True) == 3.0  # Etherscan free plan
    assert settings.for_chain("bitcoin").key_id == "esplora:blockstream.info"
    tron = settings.for_chain("tron")
    assert tron.rate(has_key=True) == 15.0 and tron.rate(has_key=False) == 5.0
    assert tron.tokens[0].symbol == "USDT" and tron.tokens[0].decimals == 6
    with pytest.raises(KeyError):
        settings.for_chain("dogecoin")


def test_a_desk_can_point_a_chain_at_its_own_node() -> None:
    own = ChainSettings(
        "ethereum", ProviderKind.JSON_RPC, "http://10.0.0.5:8545", "ETH", 18, rate_per_second=50
    )
    settings = ExplorerSettings().with_chain(own)
    assert settings.for_chain("ethereum") == own and len(settings.chains) == len(DEFAULT_CHAINS)
    assert own.rate(has_key=False) == 50 and own.key_id == "json_rpc:ethereum"


def test_each_provider_kind_builds_its_explorer(clock: ManualClock) -> None:
    settings = ExplorerSettings(
        chains=(
            *DEFAULT_CHAINS,
            ChainSettings(
                "gnosis", ProviderKind.BLOCKSCOUT_V2, "https://gnosis.blockscout.com", "xDAI", 18
            ),
            ChainSettings(
                "eth-bs", ProviderKind.ETHERSCAN_COMPAT, "https://eth.blockscout.com/api", "ETH", 18
            ),
            ChainSettings("own", ProviderKind.JSON_RPC, "http://10.0.0.5:8545", "ETH", 18),
        )
    )
    explorers = Explorers(settings, keys={"etherscan": KEY}, clock=clock)
    kinds = {chain: type(explorers.for_chain(chain)) for chain in explorers.chains}
    assert kinds["ethereum"] is EtherscanExplorer and kinds["eth-bs"] is EtherscanExplorer
    assert kinds["gnosis"] is BlockscoutExplorer and kinds["bitcoin"] is EsploraExplorer
    assert kinds["tron"] is TronGridExplorer and kinds["own"] is JsonRpcExplorer
    assert explorers.for_chain("polygon").source == "Etherscan (chain 137)"
    # six Etherscan chains, one key: one client, one rate limit, one breaker
    names = [s.name for s in explorers.statuses()]
    assert names.count("Etherscan") == 1 and len(names) == 6
    assert all(s.circuit is CircuitState.CLOSED for s in explorers.statuses())
    with pytest.raises(KeyError, match="dogecoin"):
        explorers.for_chain("dogecoin")
    explorers.close()


def test_etherscan_chains_send_their_chainid_and_the_key(
    server: HTTPServer, documented: Load, clock: ManualClock
) -> None:
    base = server.url_for("/v2/api")
    chains = tuple(replace(c, base_url=base) for c in DEFAULT_CHAINS[:2])
    explorers = Explorers(ExplorerSettings(chains=chains), keys={"etherscan": KEY}, clock=clock)
    server.expect_request(
        "/v2/api",
        query_string={
            "chainid": "137",
            "module": "account",
            "action": "balance",
            "address": "0x" + "ab" * 20,
            "tag": "latest",
            "apikey": KEY,
        },
    ).respond_with_json(documented("etherscan/balance.json"))
    server.expect_request("/v2/api").respond_with_json(documented("etherscan/empty.json"))
    summary = explorers.for_chain("polygon").summary("0x" + "AB" * 20)
    assert summary.native.amount == 172774397764084972158218
    assert summary.native.asset.symbol == "POL" and summary.chain == "polygon"
    explorers.close()


def test_a_node_key_in_the_url_path_stays_secret(
    server: HTTPServer, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    url = server.url_for("/v3/") + "{api_key}"
    node = ChainSettings("ethereum", ProviderKind.JSON_RPC, url, "ETH", 18)
    explorers = Explorers(
        ExplorerSettings(chains=(node,)), keys={"json_rpc:ethereum": NODE_KEY}, clock=clock
    )
    server.expect_request(f"/v3/{NODE_KEY}", method="POST").respond_with_data("down", status=502)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(TransientError) as caught:
        explorers.for_chain("ethereum").summary("0x" + "ab" * 20)
    assert caught.value.status == 502 and len(server.log) == 4  # it did reach the node
    assert NODE_KEY not in str(caught.value) and "/v3/" not in str(caught.value)
    assert str(caught.value).startswith("Node at 127.0.0.1: had a server error (HTTP 502)")
    ours = [r.getMessage() for r in caplog.records if r.name != "werkzeug"]
    assert any("/v3/***" in line for line in ours)
    assert not any(NODE_KEY in line for line in ours)
    explorers.close()
