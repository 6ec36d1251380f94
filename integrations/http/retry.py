"""How long to wait before trying a failed request again."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class RetryPolicy:
    #: HTTP requests per call, the first one included
    attempts: int = 4
    #: first backoff ceiling in seconds; doubles each retry ("full jitter")
    base_delay: float = 0.5
    #: the backoff ceiling never exceeds this
    max_delay: float = 20.0
    #: a Retry-After longer than this is not waited out: the call fails with
    #: QuotaError(retry_after=...) so the caller can schedule it instead
    max_retry_after: float = 60.0

    def backoff(self, retry: int, rng: random.Random) -> float:
        """Full jitter: uniform in [0, min(max_delay, base_delay * 2**retry)].

        `retry` counts from 0 for the first retry. Spreading the waits keeps
        many clients (or many threads) from retrying in lock-step.
        """
        ceiling = min(self.max_delay, self.base_delay * (2**retry))
        return rng.uniform(0.0, ceiling)


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (RFC 9110 §10.2.3).

    Either delta-seconds (`120`) or an HTTP date, judged against `now` (Unix
    seconds). None when absent or unreadable; never negative.
    """
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # the asctime form carries no zone: HTTP dates are GMT
        when = when.replace(tzinfo=UTC)
    return max(when.timestamp() - now, 0.0)
