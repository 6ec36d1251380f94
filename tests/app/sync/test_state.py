"""The `state` digest: the same projected rows give the same value; audit-only events and
events that change no table do not count."""

from __future__ import annotations

import pytest

from app.sync.state import compute, state_digest
from tests.app.approvals.conftest import add_customer
from tests.app.sync.conftest import MakeVault, Pair, run
from vault.store import Vault


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


def _reads(vault: Vault) -> list[str]:
    """The statements the next `state_digest` of `vault` runs that read a table."""
    seen: list[str] = []
    vault.conn.set_trace_callback(seen.append)
    try:
        state_digest(vault.conn)
    finally:
        vault.conn.set_trace_callback(None)
    return [s for s in seen if s.lstrip().upper().startswith("SELECT") and " main." not in s]


def test_the_state_of_unchanged_tables_is_not_read_again(make_vault: MakeVault) -> None:
    a = make_vault("a")
    add_customer(a, "C-1")
    first = state_digest(a.conn)
    assert not [s for s in _reads(a) if "customers" in s]  # nothing changed: all kept
    assert state_digest(a.conn) == first == compute(a.conn)
    with a.transaction() as tx:
        tx.execute(
            "INSERT INTO custom_fields (name, label, type, position) VALUES ('x', 'X', 'text', 1)"
        )
    again = [s for s in _reads(a) if "FROM" in s and "temp." not in s]
    assert again and all("custom_fields" in s for s in again)  # only what reads it
    assert state_digest(a.conn) == compute(a.conn) != first


def test_the_kept_state_follows_rollbacks_and_other_connections(make_vault: MakeVault) -> None:
    a = make_vault("a")
    add_customer(a, "C-1")
    before = state_digest(a.conn)
    with pytest.raises(RuntimeError), a.transaction() as tx:
        tx.execute("UPDATE customers SET country = 'DE'")
        assert state_digest(a.conn) != before
        raise RuntimeError("rolled back")
    assert state_digest(a.conn) == before == compute(a.conn)
    # A reader's kept state goes when the writer commits (`PRAGMA data_version`).
    reader = a.reader()
    seen = state_digest(reader)
    assert seen == before
    add_customer(a, "C-3")
    assert state_digest(reader) == compute(a.conn) != before
