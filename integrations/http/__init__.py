"""Shared HTTP machinery for every provider: explorers now, KYT providers later.

`HttpClient` wraps `requests` with timeouts on every request, a token-bucket
rate limit, retries with full-jitter backoff (429 honours Retry-After), a
circuit breaker, and errors sorted into the classes of `errors`. Nothing
here knows a provider; each provider passes a decoder that turns its
answers into data or into the right error.
"""

from __future__ import annotations

from integrations.http.breaker import CircuitBreaker, CircuitState
from integrations.http.client import Decoder, HttpClient, ProviderConfig, ProviderStatus
from integrations.http.clock import Clock, ManualClock, SystemClock
from integrations.http.errors import (
    AuthError,
    CircuitOpen,
    IntegrationError,
    Offline,
    ProviderError,
    QuotaError,
    TransientError,
)
from integrations.http.ratelimit import TokenBucket
from integrations.http.retry import RetryPolicy, parse_retry_after

__all__ = [
    "AuthError",
    "CircuitBreaker",
    "CircuitOpen",
    "CircuitState",
    "Clock",
    "Decoder",
    "HttpClient",
    "IntegrationError",
    "ManualClock",
    "Offline",
    "ProviderConfig",
    "ProviderError",
    "ProviderStatus",
    "QuotaError",
    "RetryPolicy",
    "SystemClock",
    "TokenBucket",
    "TransientError",
    "parse_retry_after",
]
