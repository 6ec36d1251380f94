"""Which provider answers for which chain, declared in one place with defaults.

A desk can point any chain at its own explorer or node by replacing its
`ChainSettings`. No secret lives here: API keys come from the keychain or
the vault, looked up by `ChainSettings.key_id`. A JSON-RPC URL that needs a
key in its path writes `{api_key}` where the key goes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from urllib.parse import urlsplit

VERSION = 1


class ProviderKind(StrEnum):
    #: Etherscan API V2: one key, `chainid` per request
    ETHERSCAN_V2 = "etherscan_v2"
    #: the Etherscan-style `/api` (module/action) that every Blockscout serves
    ETHERSCAN_COMPAT = "etherscan_compat"
    BLOCKSCOUT_V2 = "blockscout_v2"
    ESPLORA = "esplora"
    TRONGRID = "trongrid"
    JSON_RPC = "json_rpc"


#: Requests per second when a chain sets none, (without key, with key).
DEFAULT_RATES: dict[ProviderKind, tuple[float, float]] = {
    # etherscan.md, "Plan limits (per key)": "Free | 3" calls/second. V2
    # expects a key on every call, so there is no keyless figure.
    ProviderKind.ETHERSCAN_V2: (3.0, 3.0),
    # blockscout.md, "Rate limits": "no key = 5 requests/s from a shared pool,
    # key = 10 requests/s per key". Instances differ; 429s do the rest.
    ProviderKind.ETHERSCAN_COMPAT: (5.0, 10.0),
    ProviderKind.BLOCKSCOUT_V2: (5.0, 10.0),
    # esplora.md, "Rate limits": no published numbers (both answer 429 when
    # "too aggressive"). 2/s is our own conservative choice.
    ProviderKind.ESPLORA: (2.0, 2.0),
    # trongrid.md, "Rate limits and errors": with a key "about 15–20
    # requests/second" (we take 15); without one the limit is dynamic, so we
    # use the 5 QPS the same page gives for a throttled key.
    ProviderKind.TRONGRID: (5.0, 15.0),
    # evm-json-rpc.md documents no limit (a desk's own node has none); 10/s
    # keeps a hosted endpoint's free tier happy.
    ProviderKind.JSON_RPC: (10.0, 10.0),
}


@dataclass(frozen=True)
class TokenSpec:
    """A token the desk cares about: balances by `balanceOf` (JSON-RPC), names for
    providers that give only a contract and a raw number (TronGrid balances)."""

    contract: str
    symbol: str
    decimals: int


@dataclass(frozen=True)
class ChainSettings:
    chain: str
    provider: ProviderKind
    base_url: str
    native_symbol: str
    native_decimals: int
    #: the `chainid` parameter of Etherscan V2
    chain_id: int | None = None
    tokens: tuple[TokenSpec, ...] = ()
    #: requests per second; None takes DEFAULT_RATES
    rate_per_second: float | None = None
    connect_timeout: float = 3.05
    read_timeout: float = 15.0
    #: JSON-RPC: how many recent blocks to search for Transfer logs
    log_window_blocks: int = 5_000
    #: Esplora: confirmed pages (25 transactions each) walked to find the first one
    history_pages: int = 4

    @property
    def key_id(self) -> str:
        """The name the API key is stored under. One Etherscan key serves all chains."""
        if self.provider is ProviderKind.ETHERSCAN_V2:
            return "etherscan"
        if self.provider is ProviderKind.JSON_RPC:
            return f"json_rpc:{self.chain}"
        return f"{self.provider.value}:{urlsplit(self.base_url).hostname or self.base_url}"

    def rate(self, *, has_key: bool) -> float:
        if self.rate_per_second is not None:
            return self.rate_per_second
        return DEFAULT_RATES[self.provider][1 if has_key else 0]


ETHERSCAN_V2_URL = "https://api.etherscan.io/v2/api"  # etherscan.md, "Base URL"
ESPLORA_URL = "https://blockstream.info/api"  # esplora.md, "Base URLs and auth"
TRONGRID_URL = "https://api.trongrid.io"  # trongrid.md, "Base URLs and auth"
#: trongrid.md, the TRC-20 example's token_info
TRON_USDT = TokenSpec("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "USDT", 6)


def _etherscan(chain: str, chain_id: int, symbol: str) -> ChainSettings:
    return ChainSettings(
        chain, ProviderKind.ETHERSCAN_V2, ETHERSCAN_V2_URL, symbol, 18, chain_id=chain_id
    )


#: Chain ids 1, 137 and 8453 are the examples in etherscan.md; the others are
#: the chains' EIP-155 ids. Etherscan's free plan does not cover every chain
#: ("Free API access is not supported for this chain"): point those at a
#: Blockscout instance or a node.
DEFAULT_CHAINS: tuple[ChainSettings, ...] = (
    _etherscan("ethereum", 1, "ETH"),
    _etherscan("polygon", 137, "POL"),
    _etherscan("base", 8453, "ETH"),
    _etherscan("arbitrum", 42161, "ETH"),
    _etherscan("optimism", 10, "ETH"),
    _etherscan("bsc", 56, "BNB"),
    ChainSettings("bitcoin", ProviderKind.ESPLORA, ESPLORA_URL, "BTC", 8),
    ChainSettings(
        "tron", ProviderKind.TRONGRID, TRONGRID_URL, "TRX", 6, tokens=(TRON_USDT,)
    ),  # 1 TRX = 1,000,000 sun (trongrid.md)
)


@dataclass(frozen=True)
class ExplorerSettings:
    version: int = VERSION
    chains: tuple[ChainSettings, ...] = DEFAULT_CHAINS

    def for_chain(self, chain: str) -> ChainSettings:
        for settings in self.chains:
            if settings.chain == chain:
                return settings
        raise KeyError(f"no explorer is set up for {chain!r}")

    def with_chain(self, chain: ChainSettings) -> ExplorerSettings:
        """These settings with `chain` added, or replacing the one of the same name."""
        others = tuple(c for c in self.chains if c.chain != chain.chain)
        return replace(self, chains=(*others, chain))
