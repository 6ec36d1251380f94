"""Shared by the test_screening_* files (no tests here): providers at the edge.

`SanctionsApi` is a small provider over the real `integrations.http.HttpClient`
(timeouts, token bucket, retries, breaker) speaking the Chainalysis Sanctions
API's documented shape (../shared/reference/chainalysis.md §1): it raises
`IntegrationError`s as the service's `RiskProvider` protocol allows.
`ScriptedProvider` is an in-memory provider for orchestration logic: it counts
its calls and answers, or fails, as told. The vault is always a real one.
"""

from __future__ import annotations

import json
import random
import re
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import requests
from werkzeug import Request, Response

from app.screening.risk import Level, RiskResult, utc_now
from integrations.http import (
    AuthError,
    HttpClient,
    Offline,
    ProviderConfig,
    ProviderError,
    QuotaError,
    RetryPolicy,
)
from integrations.http.responses import json_body
from vault.keys import Keychain
from vault.store import Vault
from vault.unlock import Credentials, create_vault, open_vault

PASSPHRASE = "screening tests passphrase"
NAME = "chainalysis-sanctions"
SANCTIONED = "0x1da5821544e25c636c1417ba96ade4cf6d2f9b5a"  # chainalysis.md §1 sample
IDENTIFICATION = {
    "category": "sanctions",
    "name": "SANCTIONS: OFAC SDN Secondeye Solution 2021-04-15 "
    "1da5821544e25c636c1417ba96ade4cf6d2f9b5a",
    "description": "Pakistan-based Secondeye Solution (SES), also known as Forwarderz, is a "
    "synthetic identity document vendor that was added to the OFAC SDN list in April 2021.",
    "url": "https://home.treasury.gov/news/press-releases/jy0126",
}
ADDRESS_PATH = re.compile(r"^/api/v1/address/(?P<address>[^/]+)$")


def new_vault(path: Path) -> Vault:
    return create_vault(path, passphrase=PASSPHRASE, keychain=Keychain.disabled()).vault


def reopen(path: Path) -> Vault:
    return open_vault(
        path, Credentials(passphrase=PASSPHRASE, use_keychain=False), keychain=Keychain.disabled()
    )


def evm(i: int) -> str:
    """A distinct lower-case EVM address per i (book addresses are normalised)."""
    return "0x" + f"{i:040x}"


def sanctions_answer(address: str) -> dict[str, object]:
    """The documented body: one identification for the sample address, none otherwise."""
    return {"identifications": [IDENTIFICATION] if address.lower() == SANCTIONED else []}


def sanctions_handler(request: Request) -> Response:
    """A pytest-httpserver handler answering GET /api/v1/address/{address} as documented."""
    if request.headers.get("X-API-Key") != "test-key":
        return Response(
            json.dumps({"message": "Invalid API Key"}), 401, mimetype="application/json"
        )
    found = ADDRESS_PATH.match(request.path)
    assert found is not None, request.path
    body = sanctions_answer(found["address"])
    return Response(json.dumps(body), 200, mimetype="application/json")


class SanctionsApi:
    """The Chainalysis Sanctions API over the shared HTTP client (see the module text)."""

    name = NAME

    def __init__(
        self,
        base_url: str,
        *,
        key: str = "test-key",
        rate: float = 1000.0,
        burst: int = 1,
        attempts: int = 2,
        session_factory: Callable[[], requests.Session] = requests.Session,
    ) -> None:
        self._key = key
        config = ProviderConfig(
            name="Chainalysis Sanctions API",
            base_url=base_url.rstrip("/"),
            connect_timeout=2.0,
            read_timeout=5.0,
            rate_per_second=rate,
            burst=burst,
            retry=RetryPolicy(attempts=attempts, base_delay=0.01, max_delay=0.05),
        )
        self.http = HttpClient(
            config, secrets=(key,), rng=random.Random(3), session_factory=session_factory
        )

    def screen(self, chain: str, address: str) -> RiskResult:
        def decode(response: requests.Response) -> tuple[bytes, object]:
            return response.content, json_body(response)

        raw, body = self.http.get(
            f"/api/v1/address/{address}",
            decode=decode,
            headers={"X-API-Key": self._key, "Accept": "application/json"},
        )
        assert isinstance(body, dict)
        hits = [i for i in body["identifications"] if i["category"] == "sanctions"]
        return RiskResult(
            chain=chain,
            address=address,
            provider=NAME,
            level=Level.SEVERE if hits else Level.NONE,
            score=100 if hits else 0,
            fetched_at=utc_now(),
            sanctioned=bool(hits),
            categories=("sanctions",) if hits else (),
            source="Chainalysis Sanctions API",
            sanctioned_party=hits[0]["name"] if hits else None,
            raw=raw,
        )

    def close(self) -> None:
        self.http.close()


class ScriptedProvider:
    """Counts calls per address; `mode` says how to answer: ok, offline, auth, quota,
    fatal; `gate` (if set) is waited on before answering, to hold calls in flight."""

    def __init__(self, name: str = NAME, mode: str = "ok") -> None:
        self.name = name
        self.mode = mode
        self.calls: Counter[tuple[str, str]] = Counter()
        self.gate: threading.Event | None = None
        self._lock = threading.Lock()

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.calls.values())

    def screen(self, chain: str, address: str) -> RiskResult:
        with self._lock:
            self.calls[(chain, address)] += 1
        if self.gate is not None:
            assert self.gate.wait(30)
        if self.mode == "offline":
            raise Offline("could not be reached", retryable=True)
        if self.mode == "auth":
            raise AuthError("refused the API key (HTTP 401)", status=401)
        if self.mode == "quota":
            raise QuotaError("is rate limiting us (HTTP 429)", status=429, retry_after=120.0)
        if self.mode == "fatal":
            raise ProviderError("answered with malformed JSON", status=200)
        return RiskResult(
            chain=chain,
            address=address,
            provider=self.name,
            level=Level.LOW,
            score=10,
            fetched_at=utc_now(),
            source="Scripted",
            raw=json.dumps({"address": address, "risk": "Low"}).encode(),
        )
