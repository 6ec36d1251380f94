"""Chainalysis Address Screening / Entity Risking API (chainalysis.md §2).

`GET https://api.chainalysis.com/api/risk/v2/entities/{address}` with the key
in `Token`. The address alone, no chain parameter: every chain is supported.

Registration: "since 4 Dec 2024 the POST registration is no longer required;
the GET alone returns risk; the POST keeps working" (§2, "what's new"). So
the GET comes first; only a 404 ("address not registered ... the old
POST-first workflow") makes us register with `POST /v2/entities` and ask again.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import requests

from integrations.http.client import HttpClient, ProviderConfig, ProviderStatus
from integrations.http.clock import Clock
from integrations.kyt.base import Screened, decoder, scrubbed
from integrations.kyt.chainalysis.errors import NotRegistered, refuse
from integrations.kyt.chainalysis.models import EntityRisk, parse_entity

CONFIG = ProviderConfig(
    name="Chainalysis Address Screening",
    base_url="https://api.chainalysis.com/api/risk",
    # chainalysis.md §2: "Rate limit | 40 requests/second; excess gets HTTP 429"
    rate_per_second=40.0,
)

#: the address of the docs' examples (chainalysis.md §2, "Register (POST)")
PROBE = "0x8589427373d6d84e98730d7795d8f6f8731fda16"


class ScreeningClient:
    """Blocking; run on the network pool. Thread-safe (one HttpClient inside)."""

    def __init__(
        self, *, key: str, config: ProviderConfig = CONFIG, clock: Clock | None = None
    ) -> None:
        if not key:
            raise ValueError("Chainalysis Address Screening needs an API token")
        self._key = key
        self._http = HttpClient(config, secrets=(key,), clock=clock)
        self._decode = decoder(parse_entity, clock=self._http.clock, refuse=refuse, secrets=(key,))

    @property
    def name(self) -> str:
        return self._http.config.name

    def supports(self, chain: str) -> bool:
        return True  # the address alone

    def screen(self, chain: str, address: str) -> Screened[EntityRisk]:
        try:
            return self._get(address)
        except NotRegistered:
            self.register(address)
            return self._get(address)

    def register(self, address: str) -> None:
        """`POST /v2/entities {"address": ...}`; the answer echoes the address."""
        body = json.dumps({"address": address}, separators=(",", ":")).encode()
        headers = {**self._headers(), "Content-Type": "application/json"}
        self._http.request(
            "POST", "/v2/entities", decode=self._accepted, headers=headers, body=body
        )

    def check_key(self) -> str:
        """GET the docs' example address; any answer but a refusal proves the key
        (a 404 from a legacy account included), and nothing is registered."""
        path = f"/v2/entities/{PROBE}"
        self._http.get(path, decode=self._known_or_not, headers=self._headers())
        return f"GET {path}"

    def status(self) -> ProviderStatus:
        return self._http.status()

    def close(self) -> None:
        self._http.close()

    def _get(self, address: str) -> Screened[EntityRisk]:
        return self._http.get(
            f"/v2/entities/{quote(address, safe='')}", decode=self._decode, headers=self._headers()
        )

    def _accepted(self, response: requests.Response) -> None:
        if not 200 <= response.status_code < 300:
            raise refuse(scrubbed(response, (self._key,)))

    def _known_or_not(self, response: requests.Response) -> None:
        if response.status_code != 404:
            self._accepted(response)

    def _headers(self) -> dict[str, str]:
        return {"Token": self._key, "Accept": "application/json"}
