"""TRM Labs wallet screening (trm-labs.md).

`POST https://api.trmlabs.com/public/v2/screening/addresses` with a JSON
array of `{address, chain}` and HTTP Basic auth, the key "as **both** user
name and password". One address per request: the app screens one at a time,
and one item per answer leaves no doubt which result is whose ("order
guarantee *unconfirmed*").
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from types import MappingProxyType

import requests

from integrations.http.client import HttpClient, ProviderConfig, ProviderStatus
from integrations.http.clock import Clock
from integrations.http.errors import IntegrationError, ProviderError
from integrations.http.responses import error_text, status_error
from integrations.kyt.base import AddressRejected, Screened, UnsupportedChain, decoder
from integrations.kyt.trm.models import ScreenedAddress, parse_screening

CONFIG = ProviderConfig(
    name="TRM Labs",
    base_url="https://api.trmlabs.com",
    # "Per-key rate limits and batch-size limits are *unconfirmed*
    # (contract-specific)": one request a second stays under any plan we know
    # of; a 429's Retry-After is honoured either way.
    rate_per_second=1.0,
)

PATH = "/public/v2/screening/addresses"

#: our chain -> TRM chain slug. trm-labs.md names only these ("e.g. `ethereum`,
#: `bitcoin`, `tron`, `polygon` (full list *unconfirmed*)"); arbitrum,
#: optimism, base and bsc have no documented slug and are not guessed at.
CHAINS: Mapping[str, str] = MappingProxyType(
    {"ethereum": "ethereum", "bitcoin": "bitcoin", "tron": "tron", "polygon": "polygon"}
)

#: the address of the docs' clean example (trm-labs.md, "Example: clean address")
PROBE = ("ethereum", "0x0000000000000000000000000000000000000000")


class TrmClient:
    """Blocking; run on the network pool. Thread-safe (one HttpClient inside)."""

    def __init__(
        self,
        *,
        key: str,
        config: ProviderConfig = CONFIG,
        clock: Clock | None = None,
        chains: Mapping[str, str] = CHAINS,
    ) -> None:
        """`chains` can add slugs from TRM's own (login-only) list."""
        if not key:
            raise ValueError("TRM needs an API key")
        token = base64.b64encode(f"{key}:{key}".encode()).decode("ascii")
        self._authorization = f"Basic {token}"
        self._chains = chains
        self._http = HttpClient(config, secrets=(key, token), clock=clock)
        self._decode = decoder(
            parse_screening, clock=self._http.clock, refuse=refuse, secrets=(key, token)
        )

    @property
    def name(self) -> str:
        return self._http.config.name

    def supports(self, chain: str) -> bool:
        return chain in self._chains

    def screen(self, chain: str, address: str) -> Screened[ScreenedAddress]:
        slug = self._chains.get(chain)
        if slug is None:
            error = UnsupportedChain(f"has no documented chain slug for {chain[:40]!r}")
            error.provider = self.name
            raise error
        body = json.dumps([{"address": address, "chain": slug}], separators=(",", ":"))
        return self._http.request(
            "POST",
            PATH,
            decode=self._decode,
            headers={
                "Authorization": self._authorization,
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
            body=body.encode(),
        )

    def check_key(self) -> str:
        """Screens the docs' clean example address: TRM documents no cheaper call,
        so this one counts as a screening on plans that bill per screening."""
        chain, address = PROBE
        self.screen(chain, address)
        return f"POST {PATH} ({address} on {chain})"

    def status(self) -> ProviderStatus:
        return self._http.status()

    def close(self) -> None:
        self._http.close()


def refuse(response: requests.Response) -> IntegrationError:
    """trm-labs.md, "Errors and rate limits". 400 is "malformed body, unsupported
    chain, or invalid address"; the (undocumented) message tells which, if any."""
    if response.status_code != 400:
        return status_error(response)
    said = error_text(response)
    detail = f" ({said})" if said else ""
    lowered = said.lower()
    if "support" in lowered and "chain" in lowered:  # "unsupported chain", "chain not supported"
        return UnsupportedChain(f"does not cover this chain (HTTP 400){detail}", status=400)
    if "address" in lowered:
        return AddressRejected(f"rejected the address (HTTP 400){detail}", status=400)
    if "chain" in lowered:
        return UnsupportedChain(f"does not cover this chain (HTTP 400){detail}", status=400)
    return ProviderError(f"rejected the request (HTTP 400){detail}", status=400)
