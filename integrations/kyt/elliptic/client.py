"""Elliptic AML API v2 synchronous wallet screening (elliptic.md).

`POST https://aml-api.elliptic.co/v2/wallet/synchronous`, HMAC-signed
(`signing`). Every chain of ours is screened "holistic" (all-chain), as the
docs' `HolisticWalletAnalysisRequest` does; the specific asset/blockchain pairs
are documented only for BCH, BTC Lightning, ZEC and ZEN, none of them ours.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import requests

from integrations.http.client import HttpClient, ProviderConfig, ProviderStatus
from integrations.http.clock import Clock, SystemClock
from integrations.http.errors import AuthError, IntegrationError, ProviderError, QuotaError
from integrations.http.responses import error_text, status_error
from integrations.http.retry import parse_retry_after
from integrations.kyt.base import Screened, UnknownAddress, UnsupportedChain, decoder
from integrations.kyt.elliptic.models import WalletAnalysis, parse_wallet
from integrations.kyt.elliptic.signing import EllipticAuth, decode_secret
from vault import bounded_json

CONFIG = ProviderConfig(
    name="Elliptic",
    base_url="https://aml-api.elliptic.co",
    # "Global ceiling: 500 requests per minute across all endpoints"; the
    # synchronous screening limit (15/s) is higher, so the global one binds.
    rate_per_second=500 / 60,
    # A synchronous analysis computes the exposure while we wait; how long it
    # may take is not documented. Twice the default, still well under a minute.
    read_timeout=30.0,
)

WALLET_PATH = "/v2/wallet/synchronous"
#: listed under "Other" endpoints and signed in the docs' own test vector
CHECK_PATH = "/v2/customers"

_HOLISTIC = ("holistic", "holistic")
#: our chain -> (subject.asset, subject.blockchain)
SUBJECTS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        chain: _HOLISTIC
        for chain in (
            "ethereum",
            "arbitrum",
            "optimism",
            "base",
            "polygon",
            "bsc",
            "bitcoin",
            "tron",
        )
    }
)


class EllipticClient:
    """Blocking; run on the network pool. Thread-safe (one HttpClient inside)."""

    def __init__(
        self,
        *,
        key: str,
        secret: str,
        config: ProviderConfig = CONFIG,
        clock: Clock | None = None,
        subjects: Mapping[str, tuple[str, str]] = SUBJECTS,
    ) -> None:
        """Raises AuthError when the secret is not Base64 (it could never sign)."""
        if not key or not secret:
            raise ValueError("Elliptic needs an API key and its secret")
        try:
            hmac_key = decode_secret(secret)
        except AuthError as error:
            error.provider = config.name
            raise
        clock = clock or SystemClock()
        auth = EllipticAuth(key=key, secret=hmac_key, clock=clock)

        def signed_session() -> requests.Session:
            session = requests.Session()
            session.auth = auth
            return session

        self._subjects = subjects
        self._secrets = (key, secret)
        self._http = HttpClient(
            config, secrets=(key, secret), clock=clock, session_factory=signed_session
        )
        self._decode = decoder(
            parse_wallet, clock=clock, refuse=self._refuse, secrets=self._secrets
        )

    @property
    def name(self) -> str:
        return self._http.config.name

    def supports(self, chain: str) -> bool:
        return chain in self._subjects

    def screen(self, chain: str, address: str) -> Screened[WalletAnalysis]:
        if chain not in self._subjects:
            error = UnsupportedChain(f"has no asset/blockchain naming for {chain[:40]!r}")
            error.provider = self.name
            raise error
        asset, blockchain = self._subjects[chain]
        request = {
            "subject": {
                "asset": asset,
                "blockchain": blockchain,
                "type": "address",
                "hash": address,
            },
            "type": "wallet_exposure",
        }
        # Serialise once and send exactly these bytes: they are what is signed.
        body = json.dumps(request, separators=(",", ":")).encode()
        return self._http.request(
            "POST",
            WALLET_PATH,
            decode=self._decode,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            body=body,
        )

    def check_key(self) -> str:
        """`GET /v2/customers`: signed like every call, screens nothing."""
        self._http.get(
            CHECK_PATH,
            decode=decoder(
                _anything, clock=self._http.clock, refuse=self._refuse, secrets=self._secrets
            ),
            headers={"Accept": "application/json"},
        )
        return f"GET {CHECK_PATH}"

    def status(self) -> ProviderStatus:
        return self._http.status()

    def close(self) -> None:
        self._http.close()

    def _refuse(self, response: requests.Response) -> IntegrationError:
        return refuse(response, now=self._http.clock.time())


def refuse(response: requests.Response, *, now: float) -> IntegrationError:
    """elliptic.md, "Errors": bodies are `{"name", "message"}` except 401, a plain string."""
    code = response.status_code
    said = error_text(response)
    detail = f" ({said})" if said else ""
    name = _error_name(response)
    if code == 401:  # "bad key, bad signature, or stale timestamp"
        return AuthError(
            f"refused the key or the request signature (HTTP 401){detail}",
            hint="Enter the API key and secret again, and check this computer's clock "
            "(every request is signed with the time)",
            status=code,
        )
    if code == 403:
        return AuthError(
            f"refused access (HTTP 403){detail}",
            hint="Use a key whose role may screen wallets",
            status=code,
        )
    if code == 400 and "asset" in said.lower() and "blockchain" in said.lower():
        # "subject.asset and subject.blockchain combination not recognised"
        return UnsupportedChain(f"does not cover this chain (HTTP 400){detail}", status=code)
    if code == 404 and name == "NotInBlockchain":
        return UnknownAddress(
            "has no record of this address: not yet processed, or not on the blockchain",
            status=code,
        )
    if code == 429:
        return QuotaError(
            f"is rate limiting us (HTTP 429){detail}",
            status=code,
            retryable=True,
            retry_after=_wait(response, now=now),
        )
    if code == 400:
        return ProviderError(f"rejected the request (HTTP 400){detail}", status=code)
    return status_error(response)


def _wait(response: requests.Response, *, now: float) -> float | None:
    """Retry-After if sent, else `X-RateLimit-Reset`: "Unix epoch seconds when
    the window resets; seconds-vs-milliseconds *unconfirmed*" (elliptic.md,
    "Rate limits"). A value too large for seconds is read as milliseconds."""
    after = parse_retry_after(response.headers.get("Retry-After"), now=now)
    if after is not None:
        return after
    reset = response.headers.get("X-RateLimit-Reset", "").strip()
    if not reset.isdigit():
        return None
    when = int(reset) / 1000 if int(reset) > 10**11 else int(reset)
    return max(when - now, 0.0)


def _error_name(response: requests.Response) -> str:
    try:
        body = bounded_json.loads(response.content)
    except ValueError:
        return ""
    return str(body.get("name", "")) if isinstance(body, dict) else ""


def _anything(body: Any) -> None:
    """Any JSON answer will do: the call only proves the key and the signing."""
