"""Etherscan API V2, and the V1-compatible `/api` that Blockscout also serves.

What it returns (etherscan.md, "Endpoints"; blockscout.md "Etherscan-compatible /api"):

- summary: native balance (`balance`); first and last activity from the
  oldest and newest `txlist` and `tokentx` rows. No transaction count, nonce
  or token balances: the account actions documented do not give them.
- transfers: the newest `txlist` (native) and `tokentx` (ERC-20) rows, merged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import requests

from integrations.explorers.base import activity_summary, as_int, check_limit, newest_first
from integrations.explorers.etherscan import envelope
from integrations.explorers.etherscan.parse import normal_transfer, token_transfer
from integrations.explorers.models import AddressSummary, Asset, Balance, Transfer
from integrations.http.client import HttpClient

#: etherscan.md, "Pagination": free-tier keys get at most 1,000 records per
#: request from 1 July 2026 (10,000 before); one page of this size is enough
#: for "recent" transfers.
MAX_PAGE = 1_000
T = TypeVar("T")

#: txlist/tokentx defaults (etherscan.md, "Endpoints"): the whole chain
_ALL_BLOCKS = {"startblock": 0, "endblock": 9_999_999_999}


class EtherscanExplorer:
    """One chain through an Etherscan-style API. Blocking; run on the network pool."""

    def __init__(
        self,
        client: HttpClient,
        *,
        native: Asset,
        chain_id: int | None,
        api_key: str | None = None,
    ) -> None:
        """`chain_id` is Etherscan V2's `chainid`; None for a V1-style `/api` (Blockscout)."""
        self._client = client
        self._native = native
        self._chain_id = chain_id
        self._api_key = api_key or None

    @property
    def chain(self) -> str:
        return self._native.chain

    @property
    def source(self) -> str:
        name = self._client.config.name
        return f"{name} (chain {self._chain_id})" if self._chain_id is not None else name

    def summary(self, address: str) -> AddressSummary:
        address = address.lower()
        wei = self._account("balance", then=as_int, address=address, tag="latest")
        activity = [
            *self._transfers("txlist", address, limit=1, sort="asc"),
            *self._transfers("txlist", address, limit=1, sort="desc"),
            *self._transfers("tokentx", address, limit=1, sort="asc"),
            *self._transfers("tokentx", address, limit=1, sort="desc"),
        ]
        return activity_summary(
            chain=self.chain,
            address=address,
            native=Balance(self._native, wei),
            activity=activity,
            tx_count=None,
            source=self.source,
            clock=self._client.clock,
        )

    def transfers(self, address: str, *, limit: int = 100) -> list[Transfer]:
        check_limit(limit)
        address = address.lower()
        found = [
            *self._transfers("txlist", address, limit=limit, sort="desc"),
            *self._transfers("tokentx", address, limit=limit, sort="desc"),
        ]
        found.sort(key=newest_first, reverse=True)
        return found[:limit]

    def _transfers(self, action: str, address: str, *, limit: int, sort: str) -> list[Transfer]:
        def parse(row: dict[str, Any]) -> Transfer:
            if action == "txlist":
                return normal_transfer(row, address=address, native=self._native)
            return token_transfer(row, address=address, chain=self.chain)

        def rows(result: Any) -> list[Transfer]:
            if not isinstance(result, list):
                raise TypeError(f"{action} result is not a list")
            return [parse(row) for row in result]

        return self._account(
            action,
            then=rows,
            address=address,
            page=1,
            offset=min(limit, MAX_PAGE),
            sort=sort,
            **_ALL_BLOCKS,
        )

    def _account(self, action: str, *, then: Callable[[Any], T], **params: str | int) -> T:
        """One `module=account` call; `then` turns its result into data (inside the
        client, so a surprising shape becomes a ProviderError)."""
        query: dict[str, str | int] = {"module": "account", "action": action, **params}
        if self._chain_id is not None:
            query = {"chainid": self._chain_id, **query}
        if self._api_key:
            query["apikey"] = self._api_key  # V2: "No header auth" (etherscan.md)

        def decode(response: requests.Response) -> T:
            return then(envelope.decode(response))

        return self._client.get("", params=query, decode=decode)
