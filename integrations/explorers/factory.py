"""Explorers built from settings: one client per provider account, one explorer per chain."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

import requests

from integrations.explorers.base import Explorer
from integrations.explorers.blockscout import BlockscoutExplorer
from integrations.explorers.esplora import EsploraExplorer
from integrations.explorers.etherscan import EtherscanExplorer
from integrations.explorers.jsonrpc import JsonRpcExplorer
from integrations.explorers.models import Asset
from integrations.explorers.settings import ChainSettings, ExplorerSettings, ProviderKind
from integrations.explorers.trongrid import TronGridExplorer
from integrations.http.client import HttpClient, ProviderConfig, ProviderStatus
from integrations.http.clock import Clock, SystemClock

#: where a JSON-RPC URL wants the key, e.g. "https://node.example/v3/{api_key}"
KEY_PLACEHOLDER = "{api_key}"


class Explorers:
    """The explorer of each configured chain.

    Chains that use the same provider account (every Etherscan V2 chain, with
    its one key) share one `HttpClient`, hence one rate limit and one circuit
    breaker, as the provider counts them. `keys` maps `ChainSettings.key_id`
    to the API key, read from the keychain or the vault by the caller.
    """

    def __init__(
        self,
        settings: ExplorerSettings,
        *,
        keys: Mapping[str, str] | None = None,
        clock: Clock | None = None,
        session_factory: Callable[[], requests.Session] = requests.Session,
    ) -> None:
        self._keys = dict(keys or {})
        self._clock = clock or SystemClock()
        self._session_factory = session_factory
        self._clients: dict[tuple[ProviderKind, str, str], HttpClient] = {}
        self._explorers: dict[str, Explorer] = {c.chain: self._build(c) for c in settings.chains}

    @property
    def chains(self) -> tuple[str, ...]:
        return tuple(self._explorers)

    def for_chain(self, chain: str) -> Explorer:
        try:
            return self._explorers[chain]
        except KeyError:
            raise KeyError(f"no explorer is set up for {chain!r}") from None

    def statuses(self) -> list[ProviderStatus]:
        return [client.status() for client in self._clients.values()]

    def close(self) -> None:
        for client in self._clients.values():
            client.close()

    def _build(self, chain: ChainSettings) -> Explorer:
        key = self._keys.get(chain.key_id) or None
        client = self._client(chain, key)
        native = Asset(chain.chain, chain.native_symbol, chain.native_decimals)
        match chain.provider:
            case ProviderKind.ETHERSCAN_V2:
                return EtherscanExplorer(
                    client, native=native, chain_id=chain.chain_id, api_key=key
                )
            case ProviderKind.ETHERSCAN_COMPAT:
                return EtherscanExplorer(client, native=native, chain_id=None, api_key=key)
            case ProviderKind.BLOCKSCOUT_V2:
                return BlockscoutExplorer(client, native=native, api_key=key)
            case ProviderKind.ESPLORA:
                return EsploraExplorer(client, native=native, history_pages=chain.history_pages)
            case ProviderKind.TRONGRID:
                return TronGridExplorer(client, native=native, tokens=chain.tokens, api_key=key)
            case ProviderKind.JSON_RPC:
                return JsonRpcExplorer.over_http(
                    client, native=native, tokens=chain.tokens, log_window=chain.log_window_blocks
                )

    def _client(self, chain: ChainSettings, key: str | None) -> HttpClient:
        url = chain.base_url
        if KEY_PLACEHOLDER in url:
            url = url.replace(KEY_PLACEHOLDER, key or "")
        slot = (chain.provider, chain.base_url, chain.key_id)
        if slot not in self._clients:
            config = ProviderConfig(
                name=provider_name(chain),
                base_url=url,
                connect_timeout=chain.connect_timeout,
                read_timeout=chain.read_timeout,
                rate_per_second=chain.rate(has_key=key is not None),
            )
            self._clients[slot] = HttpClient(
                config,
                secrets=(key,) if key else (),
                clock=self._clock,
                session_factory=self._session_factory,
            )
        return self._clients[slot]


def provider_name(chain: ChainSettings) -> str:
    """How the provider is named to users; never includes a path, query or key."""
    host = urlsplit(chain.base_url).hostname or "?"
    match chain.provider:
        case ProviderKind.ETHERSCAN_V2:
            return "Etherscan"
        case ProviderKind.ETHERSCAN_COMPAT:
            return f"Explorer API at {host}"
        case ProviderKind.BLOCKSCOUT_V2:
            return f"Blockscout at {host}"
        case ProviderKind.ESPLORA:
            return f"Esplora at {host}"
        case ProviderKind.TRONGRID:
            return "TronGrid" if host == "api.trongrid.io" else f"TronGrid at {host}"
        case ProviderKind.JSON_RPC:
            return f"Node at {host}"
