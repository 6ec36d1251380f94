"""Backoff, Retry-After parsing and the circuit breaker on their own."""

from __future__ import annotations

import random
from email.utils import formatdate

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integrations.http import (
    CircuitBreaker,
    CircuitOpen,
    CircuitState,
    ManualClock,
    RetryPolicy,
    parse_retry_after,
)

NOW = 1_700_000_000.0


@given(retry=st.integers(0, 30), seed=st.integers())
def test_full_jitter_stays_under_the_doubling_ceiling(retry: int, seed: int) -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=20.0)
    wait = policy.backoff(retry, random.Random(seed))
    assert 0.0 <= wait <= min(20.0, 0.5 * 2**retry)


def test_jitter_spreads_the_waits() -> None:
    rng = random.Random(1)
    waits = {round(RetryPolicy().backoff(3, rng), 3) for _ in range(50)}
    assert len(waits) > 40


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("0", 0.0),
        (formatdate(NOW + 90, usegmt=True), 90.0),
        (formatdate(NOW - 90, usegmt=True), 0.0),  # a date in the past: go now
        ("Sun Nov 14 22:15:20 2023", 120.0),  # asctime form, no zone: GMT
        (None, None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
    ],
)
def test_retry_after_is_seconds_or_an_http_date(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


def state(breaker: CircuitBreaker) -> CircuitState:
    return breaker.state  # a call, so mypy does not narrow it between checks


def test_the_breaker_opens_after_n_failures_in_a_row() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker(threshold=3, cool_down=10, clock=clock)
    for kind in ("transient", "transient"):
        breaker.before_call()
        breaker.failed(kind)
    breaker.before_call()
    breaker.succeeded()  # a success in between starts the count again
    for _ in range(2):
        breaker.before_call()
        breaker.failed("offline")
    assert state(breaker) is CircuitState.CLOSED
    breaker.before_call()
    breaker.failed("offline")
    assert state(breaker) is CircuitState.OPEN
    with pytest.raises(CircuitOpen) as caught:
        breaker.before_call()
    assert caught.value.reopens_in == 10 and caught.value.offline


def test_half_open_lets_one_trial_through() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker(threshold=1, cool_down=5, clock=clock)
    breaker.before_call()
    breaker.failed("transient")
    clock.advance(5)
    assert state(breaker) is CircuitState.HALF_OPEN
    breaker.before_call()  # the trial
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # everyone else waits for its verdict
    breaker.succeeded()
    assert state(breaker) is CircuitState.CLOSED
    breaker.before_call()


def test_an_abandoned_trial_frees_the_slot() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker(threshold=1, cool_down=5, clock=clock)
    breaker.before_call()
    breaker.failed("transient")
    clock.advance(5)
    breaker.before_call()
    breaker.abandoned()
    breaker.before_call()
