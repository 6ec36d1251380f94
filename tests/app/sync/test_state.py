"""The `state` digest: the same events give the same value; audit-only events do not count."""

from __future__ import annotations

from app.sync.state import state_digest
from tests.app.sync.conftest import MakeVault, Pair, notes, run


def test_audit_only_events_leave_the_state_alone_and_changes_do_not(
    make_vault: MakeVault,
) -> None:
    a = make_vault("a")
    before = state_digest(a.conn)
    a.audit("vault.backup_created", {"to": "somewhere"})
    a.audit("export.created", {"rows": 3})
    assert state_digest(a.conn) == before
    notes(a, "a change")
    changed = state_digest(a.conn)
    assert changed != before
    a.audit("vault.locked")
    assert state_digest(a.conn) == changed


def test_two_devices_that_saw_the_same_events_print_the_same_state(pair: Pair) -> None:
    a, b, _ = pair
    notes(a, "on a")
    notes(b, "on b")
    assert state_digest(a.conn) != state_digest(b.conn)
    run(a)
    run(b)
    assert state_digest(a.conn) != state_digest(b.conn)  # a has not seen b's yet
    run(a)
    assert state_digest(a.conn) == state_digest(b.conn)
