"""Esplora (Blockstream, mempool.space, or a desk's own electrs) for Bitcoin.

What it returns (esplora.md):

- summary: confirmed balance (`chain_stats` funded − spent) with the mempool
  change as `pending`, transaction count (chain + mempool `tx_count`), last
  activity (newest confirmed block time), first activity when the whole
  confirmed history fits in `history_pages` pages of 25.
- transfers: per transaction, the satoshis it paid to the address (inflow)
  and spent from it (outflow), mempool ones first (timestamp None).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import requests

from integrations.explorers.base import as_int, check_limit, from_unix, wall_time
from integrations.explorers.models import AddressSummary, Asset, Balance, Transfer
from integrations.http.client import HttpClient
from integrations.http.responses import json_body

#: `CHAIN_TXS_PER_PAGE = 25` in electrs src/rest.rs (esplora.md)
PAGE = 25


class EsploraExplorer:
    """Bitcoin through one Esplora base URL. Blocking; run on the network pool."""

    def __init__(self, client: HttpClient, *, native: Asset, history_pages: int = 4) -> None:
        self._client = client
        self._native = native
        self._history_pages = history_pages

    @property
    def chain(self) -> str:
        return self._native.chain

    @property
    def source(self) -> str:
        return self._client.config.name

    def summary(self, address: str) -> AddressSummary:
        def parse(response: requests.Response) -> tuple[Balance, int, int]:
            stats = json_body(response)
            chain, mempool = stats["chain_stats"], stats["mempool_stats"]
            balance = Balance(self._native, _net(chain), pending=_net(mempool))
            return balance, as_int(chain["tx_count"]), as_int(mempool["tx_count"])

        balance, confirmed, unconfirmed = self._client.get(
            f"/address/{_seg(address)}", decode=parse
        )
        # Walk to the oldest transaction only when it is a few pages away.
        needed = -(-confirmed // PAGE)
        whole = needed <= self._history_pages
        pages = self._confirmed_pages(address, max_pages=needed if whole else 1) if needed else []
        seen = [t.timestamp for page in pages for t in page if t.timestamp is not None]
        return AddressSummary(
            chain=self.chain,
            address=address,
            native=balance,
            tokens=(),
            tx_count=confirmed + unconfirmed,
            nonce=None,
            first_seen=min(seen, default=None) if whole else None,
            last_seen=max(seen, default=None),
            source=self.source,
            fetched_at=wall_time(self._client.clock),
        )

    def transfers(self, address: str, *, limit: int = 100) -> list[Transfer]:
        """`/txs` (mempool, then the newest 25 confirmed), then older confirmed pages."""
        check_limit(limit)
        first = self._txs(f"/address/{_seg(address)}/txs", address)
        found = list(first)
        confirmed = [t for t in first if t.timestamp is not None]
        if len(confirmed) == PAGE and len(found) < limit:
            for page in self._confirmed_pages(
                address, max_pages=None, after=confirmed[-1].tx_hash, want=limit - len(found)
            ):
                found.extend(page)
        return found[:limit]

    def _confirmed_pages(
        self,
        address: str,
        *,
        max_pages: int | None,
        after: str | None = None,
        want: int | None = None,
    ) -> list[list[Transfer]]:
        """Confirmed pages newest first, each cursor "the txid of the last
        transaction on the previous page"; a page shorter than 25 is the last."""
        pages: list[list[Transfer]] = []
        got = 0
        while max_pages is None or len(pages) < max_pages:
            path = f"/address/{_seg(address)}/txs/chain"
            if after is not None:
                path += f"/{_seg(after)}"
            page = self._txs(path, address)
            pages.append(page)
            got += len(page)
            if len(page) < PAGE or (want is not None and got >= want):
                break
            after = page[-1].tx_hash
        return pages

    def _txs(self, path: str, address: str) -> list[Transfer]:
        def parse(response: requests.Response) -> list[Transfer]:
            body = json_body(response)
            if not isinstance(body, list):
                raise TypeError("the transaction list is not a list")
            return [self._transfer(tx, address) for tx in body]

        return self._client.get(path, decode=parse)

    def _transfer(self, tx: dict[str, Any], address: str) -> Transfer:
        """ "sums vout[].value where scriptpubkey_address == X and subtracts
        vin[].prevout.value where vin[].prevout.scriptpubkey_address == X"
        (esplora.md): here kept apart as inflow and outflow."""
        mine = _same_address(address)
        inflow = sum(as_int(out["value"]) for out in tx["vout"] if mine(out))
        outflow = sum(
            as_int(vin["prevout"]["value"])
            for vin in tx["vin"]
            if vin["prevout"] is not None and mine(vin["prevout"])  # null for coinbase
        )
        status = tx["status"]
        confirmed = status["confirmed"] is True  # unconfirmed: exactly {"confirmed": false}
        return Transfer(
            chain=self.chain,
            tx_hash=str(tx["txid"]),
            asset=self._native,
            inflow=inflow,
            outflow=outflow,
            timestamp=from_unix(as_int(status["block_time"])) if confirmed else None,
            block=as_int(status["block_height"]) if confirmed else None,
        )


def _net(stats: dict[str, Any]) -> int:
    return as_int(stats["funded_txo_sum"]) - as_int(stats["spent_txo_sum"])


def _same_address(address: str) -> Callable[[dict[str, Any]], bool]:
    """Bech32 addresses compare case-insensitively; Base58 ones exactly."""
    bech32 = address.lower().startswith(("bc1", "tb1", "bcrt1"))
    wanted = address.lower() if bech32 else address

    def mine(output: dict[str, Any]) -> bool:
        # "scriptpubkey_address (omitted for scripts without an address, e.g. op_return)"
        found = output.get("scriptpubkey_address")
        if not isinstance(found, str):
            return False
        return (found.lower() if bech32 else found) == wanted

    return mine


def _seg(text: str) -> str:
    return quote(text, safe="")
