"""The hash chain: every edit, deletion or reordering is named by verify."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import PASSPHRASE
from tests.vault.helpers import raw_connection
from vault import verify
from vault.events import EventLog, canonical_payload, verify_chain
from vault.keys import Keychain
from vault.unlock import Credentials, open_vault


def _report(path: Path, keychain: Keychain) -> verify.VerifyReport:
    return verify.verify_vault(path, Credentials(passphrase=PASSPHRASE), keychain=keychain)


def test_intact_chain_verifies_and_run_is_logged(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    report = _report(path, no_keychain)
    assert report.ok, report.summary()
    assert report.chain is not None and report.chain.events_checked == 7  # created, 5 notes, locked
    vault = open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    try:
        types = [r[0] for r in vault.conn.execute("SELECT type FROM events")]
        assert "vault.verified" in types
    finally:
        vault.close()


def test_edited_payload_is_named(closed_vault: tuple[Path, str], no_keychain: Keychain) -> None:
    path, _ = closed_vault
    conn = raw_connection(path)
    conn.execute("UPDATE events SET payload = ? WHERE seq = 4", (canonical_payload({"i": 99}),))
    conn.close()
    report = _report(path, no_keychain)
    assert not report.ok
    assert report.chain is not None and report.chain.first_break is not None
    assert report.chain.first_break.seq == 4
    assert "edited" in report.summary()
    assert "event 4" in report.summary()


def test_deleted_middle_event_is_named(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    conn = raw_connection(path)
    conn.execute("DELETE FROM events WHERE seq = 3")
    conn.close()
    report = _report(path, no_keychain)
    assert report.chain is not None and report.chain.first_break is not None
    assert report.chain.first_break.seq == 4
    assert "events 3 to 3 before it were deleted" in report.summary()


def test_deleted_newest_events_are_caught_by_the_head(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    conn = raw_connection(path)
    last = conn.execute("SELECT max(seq) FROM events").fetchone()[0]
    conn.execute("DELETE FROM events WHERE seq >= ?", (last - 1,))
    conn.close()
    report = _report(path, no_keychain)
    assert not report.ok
    assert "were deleted" in report.summary()


def test_relinked_event_is_caught(closed_vault: tuple[Path, str], no_keychain: Keychain) -> None:
    path, _ = closed_vault
    conn = raw_connection(path)
    conn.execute("UPDATE events SET prev_hash = zeroblob(32) WHERE seq = 2")
    conn.close()
    report = _report(path, no_keychain)
    assert report.chain is not None and report.chain.first_break is not None
    assert report.chain.first_break.seq == 2


def test_verify_failure_writes_nothing(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    conn = raw_connection(path)
    conn.execute("UPDATE events SET author = 'mallory' WHERE seq = 2")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = path.read_bytes()
    assert not _report(path, no_keychain).ok
    assert path.read_bytes() == before


def test_rolled_back_change_leaves_no_event(created) -> None:  # type: ignore[no-untyped-def]
    vault = created.vault
    before = vault.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    with pytest.raises(RuntimeError), vault.transaction() as tx:
        tx.event("test.note", {"i": 1})
        raise RuntimeError("the change failed")
    assert vault.conn.execute("SELECT count(*) FROM events").fetchone()[0] == before
    vault.audit("test.after", {})
    assert verify_chain(vault.conn).ok


def test_events_need_a_transaction(created) -> None:  # type: ignore[no-untyped-def]
    log = EventLog(created.vault.conn, device="d", author="a")
    with pytest.raises(RuntimeError):
        log.append("test.note", {})


@settings(max_examples=25, deadline=None)
@given(
    payloads=st.lists(
        st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=10), max_size=3),
        min_size=1,
        max_size=12,
    ),
    victim=st.integers(min_value=0),
)
def test_any_single_edit_breaks_the_chain_at_that_event(
    tmp_path_factory: pytest.TempPathFactory, payloads: list[dict[str, object]], victim: int
) -> None:
    import sqlcipher3

    conn = sqlcipher3.connect(":memory:", isolation_level=None)
    from vault.migrations import MIGRATIONS

    conn.execute("BEGIN")
    for migration in MIGRATIONS:
        migration.apply(conn)
    log = EventLog(conn, device="dev", author="me")
    for payload in payloads:
        log.append("test", payload)
    log.flush()
    conn.execute("COMMIT")
    assert verify_chain(conn).ok
    seq = victim % len(payloads) + 1
    (body,) = conn.execute("SELECT payload FROM events WHERE seq = ?", (seq,)).fetchone()
    conn.execute("UPDATE events SET payload = ? WHERE seq = ?", (bytes(body) + b" ", seq))
    report = verify_chain(conn)
    assert report.first_break is not None and report.first_break.seq == seq


def test_bulk_extend_chains_like_single_appends(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    vault = open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    try:
        with vault.transaction() as tx:
            tx.event("one.before", {"n": 0})
            tx.events("many", [{"n": i, "customer": f"u{i % 3}"} for i in range(50)])
            tx.event("one.after", {"n": 51})
            tx.events("none", [])
        rows = vault.conn.execute(
            "SELECT seq, type, subject FROM events WHERE type IN ('one.before', 'many', "
            "'one.after', 'none') ORDER BY seq"
        ).fetchall()
        seqs = [r[0] for r in rows]
        assert seqs == list(range(seqs[0], seqs[0] + 52))
        assert [r[1] for r in rows] == ["one.before", *["many"] * 50, "one.after"]
        assert rows[5][2] == "u1"
        assert len({r[0] for r in vault.conn.execute("SELECT id FROM events")}) == seqs[-1]
        assert verify_chain(vault.conn).ok
    finally:
        vault.close()
