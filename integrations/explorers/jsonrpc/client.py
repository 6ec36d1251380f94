"""Any EVM node over JSON-RPC, through web3 (evm-json-rpc.md).

What it returns:

- summary: native balance (`eth_getBalance`), nonce = transactions sent
  (`eth_getTransactionCount`), ERC-20 balances by `balanceOf` (`eth_call`)
  for the chain's configured tokens. No transaction count or first/last
  activity: a node keeps no per-address index.
- transfers: ERC-20 `Transfer` logs from and to the address in the last
  `log_window` blocks (two `eth_getLogs` calls, "because OR-alternatives
  apply within one topic position, not across positions"), newest first,
  timed by `blockTimestamp` or, where a node omits it, the block's
  timestamp. Native transfers are not visible in logs and are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from eth_typing import ChecksumAddress, HexStr
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import Web3Exception, Web3RPCError

from integrations.explorers.base import as_int, check_limit, from_unix, newest_first, wall_time
from integrations.explorers.jsonrpc.provider import LIMIT_EXCEEDED, ClientRPCProvider
from integrations.explorers.models import AddressSummary, Asset, Balance, Transfer
from integrations.explorers.settings import TokenSpec
from integrations.http.client import HttpClient
from integrations.http.clock import Clock, SystemClock
from integrations.http.errors import IntegrationError, ProviderError, QuotaError

T = TypeVar("T")

#: keccak256("Transfer(address,address,uint256)") (evm-json-rpc.md, EIP-20)
TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
#: balanceOf(address)
BALANCE_OF = "0x70a08231"


class _RangeTooLarge(Exception):
    pass


class JsonRpcExplorer:
    """One chain through one node. Blocking; run on the network pool."""

    def __init__(
        self,
        w3: Web3,
        *,
        native: Asset,
        tokens: Iterable[TokenSpec] = (),
        source: str = "JSON-RPC node",
        log_window: int = 5_000,
        clock: Clock | None = None,
    ) -> None:
        self._w3 = w3
        self._native = native
        self._tokens = {t.contract.lower(): t for t in tokens}
        self._source = source
        self._log_window = log_window
        self._clock = clock or SystemClock()

    @classmethod
    def over_http(
        cls,
        client: HttpClient,
        *,
        native: Asset,
        tokens: Iterable[TokenSpec] = (),
        log_window: int = 5_000,
    ) -> JsonRpcExplorer:
        """Through `HttpClient`, so the node gets timeouts, limits and error classes."""
        return cls(
            Web3(ClientRPCProvider(client)),
            native=native,
            tokens=tokens,
            source=client.config.name,
            log_window=log_window,
            clock=client.clock,
        )

    @property
    def chain(self) -> str:
        return self._native.chain

    @property
    def source(self) -> str:
        return self._source

    def summary(self, address: str) -> AddressSummary:
        account = self._checksum(address)
        wei = self._rpc(lambda: self._w3.eth.get_balance(account))
        nonce = self._rpc(lambda: self._w3.eth.get_transaction_count(account))
        tokens = tuple(self._token_balance(spec, account) for spec in self._tokens.values())
        return AddressSummary(
            chain=self.chain,
            address=account,
            native=Balance(self._native, int(wei)),
            tokens=tokens,
            tx_count=None,
            nonce=int(nonce),
            first_seen=None,
            last_seen=None,
            source=self.source,
            fetched_at=wall_time(self._clock),
        )

    def transfers(self, address: str, *, limit: int = 100) -> list[Transfer]:
        check_limit(limit)
        account = self._checksum(address).lower()
        head = int(self._rpc(lambda: self._w3.eth.block_number))
        start = max(0, head - self._log_window + 1)
        padded = "0x" + "0" * 24 + account[2:]
        logs = [
            *self._logs([TRANSFER_TOPIC, padded], start=start, end=head),
            *self._logs([TRANSFER_TOPIC, None, padded], start=start, end=head),
        ]
        seen: dict[tuple[str, int], Transfer] = {}
        times: dict[int, datetime] = {}
        for log in logs:
            # ERC-721 Transfer has a fourth (token id) topic; removed logs were reorged away
            if len(log["topics"]) != 3 or log.get("removed"):
                continue
            transfer = self._transfer(log, account, times=times)
            seen[(transfer.tx_hash, transfer.log_index or 0)] = transfer
        found = sorted(seen.values(), key=newest_first, reverse=True)
        return found[:limit]

    def _transfer(self, log: Any, account: str, *, times: dict[int, datetime]) -> Transfer:
        """A Transfer log: topics[1] sender, topics[2] recipient, data the amount."""
        sender = "0x" + HexBytes(log["topics"][1]).hex()[-40:]
        recipient = "0x" + HexBytes(log["topics"][2]).hex()[-40:]
        value = int.from_bytes(HexBytes(log["data"]), "big")
        contract = str(log["address"]).lower()
        block = int(log["blockNumber"])
        if block not in times:
            times[block] = self._block_time(block, log.get("blockTimestamp"))
        spec = self._tokens.get(contract)
        asset = Asset(
            chain=self.chain,
            symbol=spec.symbol if spec else None,
            decimals=spec.decimals if spec else None,
            contract=contract,
        )
        return Transfer(
            chain=self.chain,
            tx_hash=HexBytes(log["transactionHash"]).to_0x_hex(),
            asset=asset,
            inflow=value if recipient == account else 0,
            outflow=value if sender == account else 0,
            timestamp=times[block],
            block=block,
            sender=sender,
            recipient=recipient,
            log_index=int(log["logIndex"]),
        )

    def _block_time(self, block: int, stamp: Any) -> datetime:
        """`blockTimestamp` is a "newer spec addition; older nodes omit it"."""
        if stamp is not None:
            return from_unix(int(stamp, 16) if isinstance(stamp, str) else as_int(stamp))
        header = self._rpc(lambda: self._w3.eth.get_block(block))
        return from_unix(int(header["timestamp"]))

    def _logs(self, topics: list[str | None], *, start: int, end: int) -> list[Any]:
        """eth_getLogs over [start, end], halving the range while the node
        refuses it as too large ("split the block range and retry on any
        range/limit error")."""
        query: Any = {"fromBlock": start, "toBlock": end, "topics": topics}
        try:
            return list(self._rpc(lambda: self._w3.eth.get_logs(query), ranged=True))
        except _RangeTooLarge:
            if start >= end:
                raise self._error(ProviderError("refuses logs even for a single block")) from None
        middle = (start + end) // 2
        return self._logs(topics, start=start, end=middle) + self._logs(
            topics, start=middle + 1, end=end
        )

    def _token_balance(self, spec: TokenSpec, account: ChecksumAddress) -> Balance:
        data = HexStr(BALANCE_OF + "0" * 24 + account[2:].lower())
        token = self._checksum(spec.contract)
        raw = self._rpc(lambda: self._w3.eth.call({"to": token, "data": data}))
        if len(raw) != 32:
            raise self._error(
                ProviderError(f"got no balanceOf answer from the {spec.symbol} contract")
            )
        asset = Asset(self.chain, spec.symbol, spec.decimals, spec.contract.lower())
        return Balance(asset, int.from_bytes(raw, "big"))

    def _rpc(self, call: Callable[[], T], *, ranged: bool = False) -> T:
        """Run a web3 call; its failures become IntegrationErrors (or _RangeTooLarge)."""
        failure: IntegrationError
        try:
            return call()
        except IntegrationError:
            raise  # from ClientRPCProvider: already classified and redacted
        except Web3RPCError as exc:
            code, message = _rpc_error(exc)
            if ranged and (code == LIMIT_EXCEEDED or _about_range(message)):
                raise _RangeTooLarge from None
            if code == LIMIT_EXCEEDED:
                failure = QuotaError(f"is rate limiting us ({message})")
            else:
                failure = ProviderError(f"refused the call ({message})")
        except (Web3Exception, ValueError, TypeError, KeyError) as exc:
            # web3's result formatters reject malformed values with ValueError
            failure = ProviderError(f"gave an unusable answer ({type(exc).__name__})")
        raise self._error(failure)

    def _checksum(self, address: str) -> ChecksumAddress:
        try:
            return Web3.to_checksum_address(address)
        except ValueError:
            failure = ProviderError("cannot look up this text: it is not an EVM address")
        raise self._error(failure)

    def _error(self, failure: IntegrationError) -> IntegrationError:
        failure.provider = self._source
        return failure


def _rpc_error(exc: Web3RPCError) -> tuple[int | None, str]:
    response: Any = exc.rpc_response or {}
    error = response.get("error") if isinstance(response, dict) else None
    if isinstance(error, dict):
        code = error.get("code")
        return (code if isinstance(code, int) else None), str(error.get("message", ""))
    return None, str(exc.message)


def _about_range(message: str) -> bool:
    text = message.lower()
    return "range" in text or "limit" in text
