"""The projection hook: received events wait, counted, until their type has an applier;
one registered later replays the backlog in merge order, then keeps up with each pull."""

from __future__ import annotations

import json

import pytest

from app.sync.appliers import Appliers
from app.sync.project import default_appliers
from app.sync.projection import Projection
from app.sync.run import sync_run
from app.sync.status import sync_status
from tests.app.sync.conftest import Pair, notes, run
from vault.events import Event


def test_an_applier_registered_later_replays_the_backlog_then_keeps_up(pair: Pair) -> None:
    a, b, _ = pair
    notes(a, "x", "y")
    run(a)
    empty = Appliers()
    got = sync_run(b, appliers=empty)
    assert got.pulled == 1
    assert sync_status(b)["awaiting_projection"] == 2  # none registered: nothing lost

    seen: list[str] = []

    def note_applier(p: Projection, event: Event) -> None:
        assert p.conn.in_transaction
        seen.append(json.loads(event.payload)["text"])

    appliers = Appliers()
    appliers.register("note.added", note_applier)
    with b.transaction() as tx:
        assert appliers.apply_waiting(b, tx) == 2
    assert seen == ["x", "y"]
    assert sync_status(b)["awaiting_projection"] == 0

    notes(a, "z")
    run(a)
    got = sync_run(b, appliers=appliers)
    assert got.pulled == 1 and seen == ["x", "y", "z"]
    assert sync_status(b)["awaiting_projection"] == 0


def test_events_that_change_no_table_take_no_applier() -> None:
    with pytest.raises(ValueError, match="change no table"):
        Appliers().register("vault.unlocked", lambda conn, event: None)
    assert Appliers().projection("export.created") == "none"
    assert Appliers().projection("customer.created") == "waiting"


def test_every_type_the_book_and_approvals_write_has_an_applier() -> None:
    registry = default_appliers()
    for type_ in (
        "customer.created",
        "customer.updated",
        "customer.erased",
        "customer.merged",
        "address.added",
        "address.updated",
        "addresses.imported",
        "conflict.detected",
        "conflict.resolved",
        "note.added",
        "task.added",
        "task.done",
        "custom_field.defined",
        "custom_value.set",
        "approvals.member_added",
        "approvals.role_granted",
        "approvals.role_revoked",
        "approvals.policy_set",
        "approvals.requested",
        "approvals.decided",
        "approvals.finalized",
    ):
        assert registry.has(type_), type_
