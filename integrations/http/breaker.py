"""A circuit breaker per provider: stop calling a provider that keeps failing.

closed ──N failures in a row──▶ open ──cool-down──▶ half-open ──trial ok──▶ closed
                                  ▲                     │
                                  └────trial failed─────┘

While open, and while the one half-open trial is under way, calls fail fast
with `CircuitOpen`, which says when calls resume.
"""

from __future__ import annotations

import threading
from enum import StrEnum

from integrations.http.clock import Clock
from integrations.http.errors import CircuitOpen


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Thread-safe; `before_call` then exactly one of `succeeded`, `failed`, `abandoned`."""

    def __init__(self, *, threshold: int, cool_down: float, clock: Clock) -> None:
        if threshold < 1 or cool_down < 0:
            raise ValueError("threshold must be at least 1 and cool_down not negative")
        self.threshold = threshold
        self.cool_down = cool_down
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False
        self._last_failure: str | None = None

    @property
    def state(self) -> CircuitState:
        with self._lock:
            return self._state()

    def reopens_in(self) -> float:
        """Seconds until a trial call is allowed; 0 when calls go through."""
        with self._lock:
            if self._opened_at is None:
                return 0.0
            return max(self._opened_at + self.cool_down - self._clock.monotonic(), 0.0)

    def before_call(self) -> None:
        """Let a call through, or raise `CircuitOpen`."""
        with self._lock:
            state = self._state()
            if state is CircuitState.CLOSED:
                return
            if state is CircuitState.HALF_OPEN and not self._trial_running:
                self._trial_running = True
                return
            assert self._opened_at is not None
            wait = self._opened_at + self.cool_down - self._clock.monotonic()
            raise CircuitOpen(reopens_in=wait, last_failure=self._last_failure)

    def succeeded(self) -> None:
        """The provider answered (even with an error that is not its fault)."""
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial_running = False
            self._last_failure = None

    def failed(self, kind: str) -> None:
        """The provider failed; `kind` is the error kind, kept for the open message."""
        with self._lock:
            self._failures += 1
            self._last_failure = kind
            if self._trial_running or self._failures >= self.threshold:
                self._opened_at = self._clock.monotonic()
            self._trial_running = False

    def abandoned(self) -> None:
        """The call ended without a verdict (e.g. interrupted): free the trial slot."""
        with self._lock:
            self._trial_running = False

    def _state(self) -> CircuitState:
        if self._opened_at is None:
            return CircuitState.CLOSED
        if self._clock.monotonic() - self._opened_at >= self.cool_down:
            return CircuitState.HALF_OPEN
        return CircuitState.OPEN
