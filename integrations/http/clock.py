"""Time as the HTTP machinery sees it, injectable so tests never really sleep."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (rate limits, cool-downs)."""
        ...

    def time(self) -> float:
        """Wall-clock Unix seconds (HTTP dates in Retry-After, fetched_at)."""
        ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class ManualClock:
    """A clock that moves only when slept on or advanced; records every sleep.

    For tests and simulations. Thread-safe, but a sleeping thread advances time
    for everyone, so concurrent sleepers add up.
    """

    def __init__(self, *, start: float = 1_700_000_000.0) -> None:
        self._lock = threading.Lock()
        self._elapsed = 0.0
        self._start = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        with self._lock:
            return self._elapsed

    def time(self) -> float:
        with self._lock:
            return self._start + self._elapsed

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._elapsed += max(seconds, 0.0)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._elapsed += seconds
