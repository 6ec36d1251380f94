"""The `state` digest: the same projected rows give the same value; audit-only events and
events that change no table do not count."""

from __future__ import annotations

from app.sync.state import state_digest
from tests.app.approvals.conftest import add_customer
from tests.app.sync.conftest import MakeVault, Pair, run


def test_audit_only_events_leave_the_state_alone_and_changes_do_not(
    make_vault: MakeVault,
) -> None:
    a = make_vault("a")
    before = state_digest(a.conn)
    a.audit("vault.backup_created", {"to": "somewhere"})
    a.audit("export.created", {"rows": 3})
    assert state_digest(a.conn) == before
    add_customer(a, "C-1")
    changed = state_digest(a.conn)
    assert changed != before
    a.audit("vault.locked")
    assert state_digest(a.conn) == changed


def test_two_devices_that_saw_the_same_events_print_the_same_state(pair: Pair) -> None:
    a, b, _ = pair
    add_customer(a, "C-1", "on a")
    add_customer(b, "C-2", "on b")
    assert state_digest(a.conn) != state_digest(b.conn)
    run(a)
    run(b)
    assert state_digest(a.conn) != state_digest(b.conn)  # a has not seen b's yet
    run(a)
    assert state_digest(a.conn) == state_digest(b.conn)
