"""TronGrid v1 for Tron (trongrid.md).

What it returns:

- summary: TRX balance in sun; TRC-20 balances from the account's `trc20`
  list (raw units; symbol and decimals from the chain's token settings, None
  for tokens it does not list); first activity = the account's
  `create_time`; last activity = the later of `latest_opration_time` and the
  newest TRC-20 transfer. No transaction count: not in the account answer.
- transfers: TRC-20 `Transfer` rows (`Approval` rows are skipped), newest
  first, following `meta.fingerprint`. Native TRX transactions are left out:
  the document does not give the item shape of `/transactions`.

Addresses are base58 (`T...`): the TRC-20 route answers in base58, and that
is what transfers are matched against.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import requests

from integrations.explorers.base import as_int, check_limit, from_unix_ms, optional_int, wall_time
from integrations.explorers.models import AddressSummary, Asset, Balance, Transfer
from integrations.explorers.settings import TokenSpec
from integrations.http.client import HttpClient
from integrations.http.errors import ProviderError, QuotaError
from integrations.http.responses import error_text, json_body, message_in

T = TypeVar("T")

#: "limit (default 20, max 200)"
MAX_PAGE = 200
#: "The key exceeds the frequency limit(15), and the query server is suspended for 30s"
_SUSPENDED = re.compile(r"suspended for (\d+)\s*s", re.IGNORECASE)


class TronGridExplorer:
    """Tron through TronGrid (or a compatible host). Blocking; run on the network pool."""

    def __init__(
        self,
        client: HttpClient,
        *,
        native: Asset,
        tokens: Iterable[TokenSpec] = (),
        api_key: str | None = None,
    ) -> None:
        self._client = client
        self._native = native
        self._tokens = {t.contract: t for t in tokens}
        self._api_key = api_key or None

    @property
    def chain(self) -> str:
        return self._native.chain

    @property
    def source(self) -> str:
        return self._client.config.name

    def summary(self, address: str) -> AddressSummary:
        path = f"/v1/accounts/{quote(address, safe='')}"
        native, tokens, created, operated = self._get(path, then=self._account)
        newest, _ = self._trc20_page(address, limit=1, fingerprint=None)
        last = [from_unix_ms(operated)] if operated else []
        last += [t.timestamp for t in newest if t.timestamp is not None]
        return AddressSummary(
            chain=self.chain,
            address=address,
            native=native,
            tokens=tokens,
            tx_count=None,
            nonce=None,
            first_seen=from_unix_ms(created) if created else None,
            last_seen=max(last, default=None),
            source=self.source,
            fetched_at=wall_time(self._client.clock),
        )

    def transfers(self, address: str, *, limit: int = 100) -> list[Transfer]:
        check_limit(limit)
        found: list[Transfer] = []
        fingerprint: str | None = None
        while len(found) < limit:
            page, fingerprint = self._trc20_page(
                address, limit=min(limit - len(found), MAX_PAGE), fingerprint=fingerprint
            )
            found.extend(page)
            if fingerprint is None:
                break
        return found[:limit]

    def _trc20_page(
        self, address: str, *, limit: int, fingerprint: str | None
    ) -> tuple[list[Transfer], str | None]:
        """One page of TRC-20 rows, newest first, and the cursor of the next page.

        "When more results exist, meta.fingerprint holds an opaque cursor ...
        Last page: neither key is present."
        """

        def parse(body: dict[str, Any]) -> tuple[list[Transfer], str | None]:
            data = body["data"]
            rows = [self._transfer(r, address) for r in data if r["type"] == "Transfer"]
            following = body.get("meta", {}).get("fingerprint")
            return rows, str(following) if following else None

        params: dict[str, str | int] = {"limit": limit, "order_by": "block_timestamp,desc"}
        if fingerprint is not None:
            params["fingerprint"] = fingerprint
        path = f"/v1/accounts/{quote(address, safe='')}/transactions/trc20"
        return self._get(path, then=parse, params=params)

    def _transfer(self, row: dict[str, Any], address: str) -> Transfer:
        info = row["token_info"]
        value = as_int(row["value"])  # a string of raw units
        asset = Asset(
            chain=self.chain,
            symbol=info.get("symbol") or None,
            decimals=as_int(info["decimals"]),
            contract=str(info["address"]),
        )
        return Transfer(
            chain=self.chain,
            tx_hash=str(row["transaction_id"]),
            asset=asset,
            inflow=value if row["to"] == address else 0,
            outflow=value if row["from"] == address else 0,
            timestamp=from_unix_ms(as_int(row["block_timestamp"])),
            block=None,  # not in the TRC-20 rows
            sender=str(row["from"]),
            recipient=str(row["to"]),
        )

    def _account(
        self, body: dict[str, Any]
    ) -> tuple[Balance, tuple[Balance, ...], int | None, int | None]:
        """Balance, token balances, `create_time` and `latest_opration_time` (ms)."""
        data = body["data"]
        if not isinstance(data, list):
            raise TypeError("data is not a list")
        if not data:  # never activated: "widely handled by clients as balance 0"
            return Balance(self._native, 0), (), None, None
        account = data[0]
        return (
            Balance(self._native, as_int(account.get("balance", 0))),
            tuple(self._token_balances(account.get("trc20") or [])),
            optional_int(account.get("create_time")),
            optional_int(account.get("latest_opration_time")),  # sic, as the API spells it
        )

    def _token_balances(self, entries: list[Any]) -> Iterable[Balance]:
        """`trc20`: "a trc20 array of single-key objects mapping token contract to
        balance string", e.g. [{"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t": "15500000"}]."""
        for entry in entries:
            for contract, amount in dict(entry).items():
                spec = self._tokens.get(contract)
                asset = Asset(
                    chain=self.chain,
                    symbol=spec.symbol if spec else None,
                    decimals=spec.decimals if spec else None,
                    contract=contract,
                )
                yield Balance(asset, as_int(amount))

    def _get(
        self,
        path: str,
        *,
        then: Callable[[Any], T],
        params: Mapping[str, str | int] | None = None,
    ) -> T:
        # trongrid.md, "Base URLs and auth": the key goes in a header
        headers = {"TRON-PRO-API-KEY": self._api_key} if self._api_key else None

        def decode(response: requests.Response) -> T:
            return then(_body(response))

        return self._client.get(path, params=params, headers=headers, decode=decode)


def _body(response: requests.Response) -> Any:
    """JSON with TronGrid's refusals (trongrid.md, "Rate limits and errors").

    Over the rate the answer is 503 (with a key) or 403 (without; "a
    30-second block"), with a body whose key case varies ("Error" or
    "error"): both mean "slow down", not "bad key".
    """
    if response.status_code in (403, 503):
        said = error_text(response)
        if "frequency limit" in said.lower():
            pause = _SUSPENDED.search(said)
            raise QuotaError(
                f"is rate limiting us ({said})",
                status=response.status_code,
                retryable=True,
                retry_after=float(pause.group(1)) if pause else None,
            )
    body = json_body(response)
    if not isinstance(body, dict):
        raise TypeError("the answer is not an object")
    success = {str(k).lower(): v for k, v in body.items()}.get("success")
    if success is False:
        raise ProviderError(f"refused the request ({message_in(body) or 'no reason given'})")
    return body
