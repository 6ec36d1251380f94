"""A pull takes its segments in batches: one transaction and one projection pass per
batch, each segment still taken whole or not at all."""

from __future__ import annotations

from typing import Any

import pytest

from app.sync import pull, push
from app.sync.local import load
from app.sync.project import default_appliers
from app.sync.run import sync_run
from app.sync.state import state_digest
from app.sync.status import sync_status
from tests.app.approvals.conftest import add_customer
from tests.app.sync.conftest import Pair, event_ids, put_signed, run
from vault.store import Transaction, Vault
from vault.sync import cursors, event_rows


class CountingAppliers:
    """The default appliers, counting the projection passes."""

    def __init__(self) -> None:
        self.inner = default_appliers()
        self.passes = 0

    def projection(self, type_: str) -> str:
        return self.inner.projection(type_)

    def apply_waiting(self, vault: Vault, tx: Transaction, **kw: Any) -> int:
        self.passes += 1
        return self.inner.apply_waiting(vault, tx, **kw)


def _customers(vault: Vault) -> set[str]:
    return {r[0] for r in vault.conn.execute("SELECT external_id FROM customers")}


@pytest.mark.parametrize("batch", [32, 2])
def test_the_segments_of_a_batch_are_projected_in_one_pass(
    pair: Pair, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    a, b, _ = pair
    monkeypatch.setattr(push, "MAX_EVENTS", 2)
    monkeypatch.setattr(pull, "BATCH_FILES", batch)
    for n in range(6):
        add_customer(a, f"C-{n}", f"Customer {n}")
    sent = run(a)
    assert sent.pushed >= 3
    counting = CountingAppliers()
    got = sync_run(b, appliers=counting)  # type: ignore[arg-type]
    assert got.ok and got.pulled == sent.pushed
    assert counting.passes == -(-sent.pushed // batch)  # one per batch
    assert _customers(b) == {f"C-{n}" for n in range(6)}
    assert state_digest(b.conn) == state_digest(a.conn)
    # Each customer is found by name once its search rows were written after the pass.
    found = b.conn.execute("SELECT count(*) FROM search WHERE search MATCH 'Customer'")
    assert found.fetchone()[0] == 6


def test_a_bad_segment_in_a_batch_leaves_the_whole_ones_before_it_taken(pair: Pair) -> None:
    a, b, folder = pair
    add_customer(a, "C-1", "Honest Ltd")
    run(a)
    rows = event_rows.own_events(a.conn, device=a.device, after=0, limit=100)
    forged = dict(rows[-1], payload="eyJ0ZXh0IjoiZm9yZ2VkIn0=", seq=rows[-1]["seq"] + 1)
    forged.update(id="0190aaaa-0000-7000-8000-000000000001", prev_hash=rows[-1]["hash"])
    number = put_signed(a, folder, [forged])
    got = sync_run(b)  # both segments of a in one batch
    assert got.pulled == 1 and got.quarantined == 1
    [held] = sync_status(b)["quarantined"]
    assert held["reason"] == "bad_events"
    assert event_ids(b, a.device) == event_ids(a, a.device)
    assert _customers(b) == {"C-1"}  # the good segment was projected too
    assert cursors.taken(b.conn)[load(a).device][0] == number - 1
