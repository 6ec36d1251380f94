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

What the real service does that the document does not say (captured bodies in
tests/integrations/test_explorer_fixtures/captured/trongrid/, from
trustwallet/blockatlas):

- A transfer in a block that is not yet solidified is listed twice, once with
  `"_unconfirmed": true` and once without: the unconfirmed copy of a
  transaction that also has a confirmed row is dropped, rows are kept once by
  transaction id and position, and an unconfirmed row with no confirmed twin
  is kept as pending (no time, no block: the daily flows leave it out).
- A page can come back with no rows and a fingerprint all the same. Paging
  stops there, after `MAX_PAGES`, or when a cursor repeats, and the list says
  that the history was cut short (`TransferList.cut_short`).

Addresses are base58 (`T...`): the TRC-20 route answers in base58, and that
is what transfers are matched against.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import requests

from integrations.explorers.base import as_int, check_limit, from_unix_ms, optional_int, wall_time
from integrations.explorers.models import AddressSummary, Asset, Balance, Transfer, TransferList
from integrations.explorers.settings import TokenSpec
from integrations.http.client import HttpClient
from integrations.http.errors import ProviderError, QuotaError
from integrations.http.responses import error_text, json_body, message_in

T = TypeVar("T")

#: "limit (default 20, max 200)"
MAX_PAGE = 200
#: pages one `transfers` call follows at most: one or two are enough for the 100
#: recent transfers asked for; Approval rows and duplicates may need a few more,
#: and a provider that keeps answering with cursors must not keep us for ever
MAX_PAGES = 10
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
        newest = self._trc20_page(address, limit=1, fingerprint=None)
        last = [from_unix_ms(operated)] if operated else []
        last += [row.seen_at for row in newest.rows]  # a pending transfer is activity too
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

    def transfers(self, address: str, *, limit: int = 100) -> TransferList:
        check_limit(limit)
        rows: list[_Row] = []
        found: list[Transfer] = []
        fingerprint: str | None = None
        for _ in range(MAX_PAGES):
            page = self._trc20_page(
                address, limit=min(limit - len(found), MAX_PAGE), fingerprint=fingerprint
            )
            rows.extend(page.rows)
            found = distinct(rows)
            if page.following is None or len(found) >= limit:
                return TransferList(found[:limit])
            if page.empty:
                return TransferList(found, cut_short="TronGrid sent an empty page with a cursor")
            if page.following == fingerprint:
                return TransferList(found, cut_short="TronGrid sent the same cursor twice")
            fingerprint = page.following
        return TransferList(found, cut_short=f"TronGrid still had more after {MAX_PAGES} pages")

    def _trc20_page(self, address: str, *, limit: int, fingerprint: str | None) -> _Page:
        """One page of TRC-20 rows, newest first, and the cursor of the next page.

        "When more results exist, meta.fingerprint holds an opaque cursor ...
        Last page: neither key is present."
        """

        def parse(body: dict[str, Any]) -> _Page:
            data = body["data"]
            if not isinstance(data, list):
                raise TypeError("data is not a list")
            rows = self._rows([r for r in data if r["type"] == "Transfer"], address)
            following = body.get("meta", {}).get("fingerprint")
            return _Page(rows, str(following) if following else None, empty=not data)

        params: dict[str, str | int] = {"limit": limit, "order_by": "block_timestamp,desc"}
        if fingerprint is not None:
            params["fingerprint"] = fingerprint
        path = f"/v1/accounts/{quote(address, safe='')}/transactions/trc20"
        return self._get(path, then=parse, params=params)

    def _rows(self, items: list[dict[str, Any]], address: str) -> list[_Row]:
        """Transfers with their identity. TRC-20 rows carry no event index, so a row is
        known by what it moved and its position among identical rows of its
        transaction on the page: two equal transfers in one transaction stay two,
        the same row seen again (unconfirmed copy, next page) stays one."""
        counts: dict[tuple[Any, ...], int] = {}
        rows = []
        for item in items:
            confirmed = item.get("_unconfirmed") is not True
            info = item["token_info"]
            what = (
                item["transaction_id"],
                info["address"],
                item["from"],
                item["to"],
                item["value"],
            )
            position = counts.get((confirmed, *what), 0)
            counts[(confirmed, *what)] = position + 1
            seen_at = from_unix_ms(as_int(item["block_timestamp"]))
            rows.append(
                _Row(
                    transfer=self._transfer(item, address, when=seen_at if confirmed else None),
                    key=(*(str(part) for part in what), str(position)),
                    confirmed=confirmed,
                    seen_at=seen_at,
                )
            )
        return rows

    def _transfer(self, row: dict[str, Any], address: str, *, when: datetime | None) -> Transfer:
        """`when` is None for a row still `_unconfirmed`: pending, like a mempool entry."""
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
            timestamp=when,
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


@dataclass(frozen=True)
class _Row:
    transfer: Transfer
    #: transaction id, token, from, to, value and position (see `_rows`)
    key: tuple[str, ...]
    confirmed: bool
    #: the row's `block_timestamp`, kept for pending rows too (last activity)
    seen_at: datetime


@dataclass(frozen=True)
class _Page:
    rows: list[_Row]
    #: `meta.fingerprint`: the next page's cursor, None on the last page
    following: str | None
    #: the page had no rows at all (not even Approvals)
    empty: bool


def distinct(rows: Iterable[_Row]) -> list[Transfer]:
    """Each transfer once, in the order first seen: an unconfirmed row is dropped when
    its transaction also has a confirmed row, and a row seen again is dropped."""
    rows = list(rows)
    confirmed = {row.key[0] for row in rows if row.confirmed}
    seen: set[tuple[str, ...]] = set()
    kept = []
    for row in rows:
        if (not row.confirmed and row.key[0] in confirmed) or row.key in seen:
            continue
        seen.add(row.key)
        kept.append(row.transfer)
    return kept
