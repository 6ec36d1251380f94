"""The token bucket, on simulated time."""

from __future__ import annotations

import threading

import pytest

from integrations.http import ManualClock, TokenBucket


class FrozenClock(ManualClock):
    """Time stands still while threads sleep, so each wait shows its reserved slot."""

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def test_100_per_second_makes_1000_requests_take_10_seconds() -> None:
    clock = ManualClock()
    bucket = TokenBucket(rate=100, clock=clock)
    for _ in range(1000):
        bucket.acquire()
    assert clock.monotonic() == pytest.approx(9.99)  # the first token is there at once


def test_a_full_burst_goes_at_once_then_the_rate_holds() -> None:
    clock = ManualClock()
    bucket = TokenBucket(rate=100, burst=100, clock=clock)
    for _ in range(100):
        bucket.acquire()
    assert clock.monotonic() == 0
    for _ in range(900):
        bucket.acquire()
    assert clock.monotonic() == pytest.approx(9.0)


def test_idle_time_refills_but_never_beyond_the_burst() -> None:
    clock = ManualClock()
    bucket = TokenBucket(rate=3, burst=2, clock=clock)
    bucket.acquire()
    bucket.acquire()
    clock.advance(60)
    assert bucket.acquire() == 0 and bucket.acquire() == 0
    assert bucket.acquire() == pytest.approx(1 / 3)


def test_threads_each_get_their_own_slot() -> None:
    clock = FrozenClock()
    bucket = TokenBucket(rate=10, clock=clock)
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            wait = bucket.acquire()
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 200 requests at 10/s: slots 0, 0.1, ..., 19.9 s, none shared, none skipped
    assert sorted(round(w, 6) for w in waits) == [round(i / 10, 6) for i in range(200)]


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (1, 0)])
def test_a_bucket_needs_a_positive_rate_and_burst(rate: float, burst: int) -> None:
    with pytest.raises(ValueError):
        TokenBucket(rate=rate, burst=burst, clock=ManualClock())
