"""The customer import normalises 100k addresses within a 5 s budget that includes the
database, so each call must stay in the low microseconds (about 6 µs for EVM and
4-14 µs for the others on a 2-core CI box). The bounds here are loose so a busy
machine does not fail them; they catch an accidental slow path, not a few percent.
"""

from __future__ import annotations

import os
import time
import timeit

import pytest

from app.addresses import normalize, segwit
from app.addresses.base58 import b58check_encode
from app.addresses.evm import to_checksum_address

COUNT = 2_000
RAW = [os.urandom(20) for _ in range(COUNT)]
SAMPLES = {
    "ethereum": [to_checksum_address(raw) for raw in RAW],
    "polygon": ["0x" + raw.hex() for raw in RAW],
    "bitcoin": [segwit.encode("bc", version=1, program=raw + raw[:12]) for raw in RAW],
    "tron": [b58check_encode(b"\x41" + raw) for raw in RAW],
}
BUDGET_US = {"ethereum": 20.0, "polygon": 20.0, "bitcoin": 50.0, "tron": 50.0}


@pytest.mark.parametrize("chain", SAMPLES)
def test_normalize_is_fast(chain: str) -> None:
    addresses = SAMPLES[chain]

    def run() -> None:
        for address in addresses:
            normalize(chain, address)

    # CPU time, not wall time: on a busy machine the wall clock also counts the time
    # spent waiting for a core, which says nothing about the cost of a call.
    took = timeit.repeat(run, number=1, repeat=3, timer=time.process_time)
    per_call_us = min(took) / COUNT * 1e6
    assert per_call_us < BUDGET_US[chain], f"{per_call_us:.1f} µs per {chain} address"
