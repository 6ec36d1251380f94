"""Blockscout REST API v2 (blockscout.md, "REST v2 endpoints used for address lookups").

What it returns:

- summary: native balance (`coin_balance`, null for a never-seen address),
  transaction count (`/counters` `transactions_count`), first and last
  activity from the oldest and newest transaction (`sort=block_number`,
  `order=asc|desc`). No token balances: the document gives no endpoint.
- transfers: native transactions, newest first, following `next_page_params`.
  Token transfers are left out: the document does not give the item shape
  of `/token-transfers`.

What real instances do beyond the document (captured bodies in
tests/integrations/test_explorer_fixtures/captured/blockscout/):

- `/counters` answers all zeros for a busy address while the instance is
  still counting it. A count of 0 beside transactions is "not counted yet":
  unknown (None), never 0.
- Older instances name a transaction's block `block`, not `block_number`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote

import requests

from integrations.explorers.base import activity_summary, as_int, check_limit, optional_int
from integrations.explorers.blockscout.limits import rate_limited
from integrations.explorers.models import AddressSummary, Asset, Balance, Transfer
from integrations.http.client import HttpClient
from integrations.http.errors import ProviderError
from integrations.http.responses import json_body

T = TypeVar("T")


class BlockscoutExplorer:
    """One Blockscout instance (one chain). Blocking; run on the network pool."""

    def __init__(self, client: HttpClient, *, native: Asset, api_key: str | None = None) -> None:
        self._client = client
        self._native = native
        self._api_key = api_key or None

    @property
    def chain(self) -> str:
        return self._native.chain

    @property
    def source(self) -> str:
        return self._client.config.name

    def summary(self, address: str) -> AddressSummary:
        base = f"/api/v2/addresses/{quote(address, safe='')}"
        balance = self._get(base, then=lambda body: optional_int(body["coin_balance"]) or 0)
        count = self._get(
            f"{base}/counters", then=lambda body: optional_int(body["transactions_count"])
        )
        oldest = self._page(address, order="asc", cursor={})[0]
        newest = self._page(address, order="desc", cursor={})[0]
        if count == 0 and (oldest or newest):
            count = None  # zero counters beside transactions: still counting
        return activity_summary(
            chain=self.chain,
            address=address,
            native=Balance(self._native, balance),
            activity=(*oldest[:1], *newest[:1]),
            tx_count=count,
            source=self.source,
            clock=self._client.clock,
        )

    def transfers(self, address: str, *, limit: int = 100) -> list[Transfer]:
        check_limit(limit)
        found: list[Transfer] = []
        cursor: Mapping[str, Any] | None = {}
        while cursor is not None and len(found) < limit:
            page, cursor = self._page(address, order="desc", cursor=cursor)
            found.extend(page)
        return found[:limit]

    def _page(
        self, address: str, *, order: str, cursor: Mapping[str, Any]
    ) -> tuple[list[Transfer], Mapping[str, Any] | None]:
        """One page of 50 and the next page's parameters (None on the last page).

        "to fetch the next page, send all of its keys back as query
        parameters (plus any filter/sort/order you used)".
        """
        lowered = address.lower()

        def parse(body: dict[str, Any]) -> tuple[list[Transfer], Mapping[str, Any] | None]:
            items = [self._transfer(item, lowered) for item in body["items"]]
            following = body["next_page_params"]
            if following is not None and not isinstance(following, dict):
                raise TypeError("next_page_params is neither an object nor null")
            return items, following

        params = {**cursor, "sort": "block_number", "order": order}
        path = f"/api/v2/addresses/{quote(address, safe='')}/transactions"
        return self._get(path, then=parse, params=params)

    def _transfer(self, item: dict[str, Any], address: str) -> Transfer:
        """A transaction item; `from`/`to` are address objects, `to` null on creation."""
        value = as_int(item["value"])
        sender = str(item["from"]["hash"]).lower()
        target = item["to"] or item.get("created_contract")
        recipient = str(target["hash"]).lower() if target else None
        stamp = item.get("timestamp")
        return Transfer(
            chain=self.chain,
            tx_hash=str(item["hash"]),
            asset=self._native,
            inflow=value if recipient == address else 0,
            outflow=value if sender == address else 0,
            timestamp=datetime.fromisoformat(stamp).astimezone(UTC) if stamp else None,
            # `block` on instances older than the rename to `block_number`
            block=optional_int(
                item["block_number"] if "block_number" in item else item.get("block")
            ),
            sender=sender,
            recipient=recipient,
            failed=item.get("status") == "error",  # "ok", "error", or null when pending
        )

    def _get(
        self,
        path: str,
        *,
        then: Callable[[Any], T],
        params: Mapping[str, Any] | None = None,
    ) -> T:
        query = {str(k): _param(v) for k, v in (params or {}).items() if v is not None}
        if self._api_key:
            query["apikey"] = self._api_key

        def decode(response: requests.Response) -> T:
            return then(_body(response))

        return self._client.get(path, params=query, decode=decode)


def _body(response: requests.Response) -> Any:
    """JSON, with Blockscout's error statuses (blockscout.md, "REST v2 errors")."""
    if response.status_code == 429:
        raise rate_limited(response)
    if response.status_code == 403:
        # "403 Restricted access: address hidden by the instance" - not a key problem
        raise ProviderError(
            "hides this address (HTTP 403 Restricted access)",
            hint="This instance does not show it; try another explorer",
            status=403,
        )
    return json_body(response)


def _param(value: Any) -> str | int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return str(value)
    return value
