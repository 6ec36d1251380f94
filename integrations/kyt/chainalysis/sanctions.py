"""Chainalysis Sanctions Screening API, the free one (chainalysis.md §1).

`GET https://public.chainalysis.com/api/v1/address/{address}` with the key in
`X-API-Key`. It takes any address string and no chain: "matching is on
Chainalysis' sanctions list (all chains)", so every chain is supported.
"""

from __future__ import annotations

from urllib.parse import quote

from integrations.http.client import HttpClient, ProviderConfig, ProviderStatus
from integrations.http.clock import Clock
from integrations.kyt.base import Screened, decoder
from integrations.kyt.chainalysis.errors import refuse
from integrations.kyt.chainalysis.models import SanctionsAnswer, parse_sanctions

CONFIG = ProviderConfig(
    name="Chainalysis Sanctions API",
    base_url="https://public.chainalysis.com",
    # chainalysis.md §1: "secondary summaries state 5,000 requests per 5
    # minutes per key (*unconfirmed* in primary docs)": 16.7/s, spread evenly.
    rate_per_second=5000 / 300,
)

#: the designated address the docs' sample response names (chainalysis.md §1)
PROBE = "0x1da5821544e25c636c1417ba96ade4cf6d2f9b5a"


class SanctionsClient:
    """Blocking; run on the network pool. Thread-safe (one HttpClient inside)."""

    def __init__(
        self, *, key: str, config: ProviderConfig = CONFIG, clock: Clock | None = None
    ) -> None:
        if not key:
            raise ValueError("the Chainalysis Sanctions API needs an API key")
        self._key = key
        self._http = HttpClient(config, secrets=(key,), clock=clock)
        self._decode = decoder(
            parse_sanctions, clock=self._http.clock, refuse=refuse, secrets=(key,)
        )

    @property
    def name(self) -> str:
        return self._http.config.name

    def supports(self, chain: str) -> bool:
        return True  # address only, "all chains"

    def screen(self, chain: str, address: str) -> Screened[SanctionsAnswer]:
        return self._http.get(
            f"/api/v1/address/{quote(address, safe='')}",
            decode=self._decode,
            headers={"X-API-Key": self._key, "Accept": "application/json"},
        )

    def check_key(self) -> str:
        """Screens the documented sample address: the API has no cheaper call."""
        self.screen("ethereum", PROBE)
        return f"GET /api/v1/address/{PROBE}"

    def status(self) -> ProviderStatus:
        return self._http.status()

    def close(self) -> None:
        self._http.close()
