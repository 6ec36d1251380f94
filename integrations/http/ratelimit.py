"""A token bucket per provider, so a desk stays under the provider's published rate."""

from __future__ import annotations

import threading

from integrations.http.clock import Clock


class TokenBucket:
    """`rate` tokens per second, holding at most `burst`; each request takes one.

    Thread-safe. A caller that finds the bucket empty reserves the next token
    under the lock and sleeps outside it, so concurrent callers queue up in
    order instead of waking together and overshooting the rate.
    """

    def __init__(self, *, rate: float, burst: int = 1, clock: Clock) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens = float(burst)
        self._updated = clock.monotonic()

    def acquire(self) -> float:
        """Take one token, sleeping until it is there; returns the seconds waited."""
        with self._lock:
            now = self._clock.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self._tokens -= 1.0
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._clock.sleep(wait)
        return wait
