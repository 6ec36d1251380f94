"""KYT (know-your-transaction) risk providers: Chainalysis, Elliptic, TRM Labs.

One subpackage per provider, each client implementing `KytClient`: it speaks
the provider's API through `integrations.http.HttpClient` (timeouts, rate
limit, retries with Retry-After, circuit breaker, keys redacted from every
error) and returns the provider's own answer parsed into its dataclasses,
with the raw body bytes kept as evidence (`Screened`). Mapping answers onto
the app's risk model is the app's job (app/screening/providers): nothing here
knows it. API keys are passed in by the caller and never stored or logged.
"""

from __future__ import annotations

from integrations.kyt.base import (
    AddressRejected,
    KytClient,
    MalformedAnswer,
    NotReady,
    Screened,
    UnknownAddress,
    UnsupportedChain,
)

__all__ = [
    "AddressRejected",
    "KytClient",
    "MalformedAnswer",
    "NotReady",
    "Screened",
    "UnknownAddress",
    "UnsupportedChain",
]
