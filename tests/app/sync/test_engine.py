"""Two vaults syncing through a real folder and a real WebDAV server (wsgidav on
127.0.0.1): events arrive whole with receipts, the chains verify, bad files are
quarantined and never half applied, files gone from the target delete nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.screening.secrets import set_key
from app.sync import push
from app.sync.desk import SyncError, create_desk, devices
from app.sync.local import load
from app.sync.run import sync_run
from app.sync.status import sync_status
from tests.app.sync.conftest import (
    MakeVault,
    Pair,
    dav_target,
    event_ids,
    join,
    notes,
    put_signed,
    run,
)
from tests.conftest import PASSPHRASE
from tests.integrations.sync_servers import DAV_PASSWORD, S3_KEY, S3_SECRET, DavServer, new_bucket
from tests.vault.helpers import flip_byte
from vault.backup import backup, restore
from vault.keys import Keychain
from vault.store import Vault
from vault.sync import cursors, event_rows
from vault.unlock import Credentials, open_vault
from vault.verify import verify_vault


def _segments(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.seg"))


def _verify(vault: Vault, keychain: Keychain) -> None:
    path = vault.paths.db
    vault.close()
    report = verify_vault(path, Credentials(passphrase=PASSPHRASE), keychain=keychain)
    assert report.ok, report.summary()


@pytest.mark.parametrize("kind", ["folder", "webdav", "s3"])
def test_events_of_each_reach_the_other_with_receipts_and_both_verify(
    kind: str,
    make_vault: MakeVault,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    no_keychain: Keychain,
) -> None:
    a, b = make_vault("a"), make_vault("b")
    endpoint: str | None = None
    if kind == "folder":
        target = f"folder:{tmp_path / 'target'}"
        (tmp_path / "target").mkdir()
    elif kind == "webdav":
        served: DavServer = request.getfixturevalue("dav")
        target = dav_target(served)
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        target = f"s3:{new_bucket(endpoint)}/team/sync"
    notes(a, "first", "second")
    create_desk(a, target=target, name="OTC desk", endpoint=endpoint)
    join(b, desk_of=a)
    if kind == "webdav":  # b keeps the password where `strongroom keys set webdav` puts it
        set_key(b, "webdav", DAV_PASSWORD)
    if kind == "s3":  # where `strongroom keys set s3 --with-secret` puts the keys
        for vault in (a, b):
            set_key(vault, "s3", S3_KEY, S3_SECRET)

    first = run(a)
    assert (first.pushed, first.pulled) == (1, 0)
    got = sync_run(b, env={}) if kind != "folder" else run(b)
    assert got.ok and (got.pulled, got.pushed) == (1, 0)
    mine = event_ids(a, a.device)
    assert event_ids(b, a.device) == mine
    # Rows byte for byte as a holds them, each with its receipt.
    columns = "id, seq, lamport, type, payload, author, created_at, prev_hash, hash"
    sql = f"SELECT {columns} FROM events WHERE device = ? ORDER BY seq"
    rows_a = a.conn.execute(sql, (a.device,)).fetchall()
    assert b.conn.execute(sql, (a.device,)).fetchall() == rows_a
    receipts = dict(
        b.conn.execute(
            "SELECT e.type, r.projection FROM event_receipts r JOIN events e ON e.id = r.event_id"
        ).fetchall()
    )
    assert receipts["note.added"] == "applied"  # replayed by its projection
    assert receipts["vault.created"] == "none"
    [(receipted,)] = b.conn.execute("SELECT count(*) FROM event_receipts").fetchall()
    assert got.applied == len(mine) == receipted
    assert sync_status(b)["awaiting_projection"] == 0

    notes(b, "from b")
    assert run(b).pushed == 1
    back = run(a)
    assert back.pulled == 1 and event_ids(a, b.device) == event_ids(b, b.device)
    assert back.state == sync_status(b)["state"]
    # Nothing new: nothing moves, on either side.
    for vault in (a, b):
        again = sync_run(vault, env={"STRONGROOM_WEBDAV_PASSWORD": DAV_PASSWORD})
        assert (again.pushed, again.pulled, again.applied, again.quarantined) == (0, 0, 0, 0)
    assert {d["trust"] for d in devices(a)} == {"self", "desk_key"}
    if kind == "webdav":
        assert "LOCK" not in served.methods
    _verify(a, no_keychain)
    _verify(b, no_keychain)


def test_a_flipped_byte_is_quarantined_and_none_of_it_applied(pair: Pair) -> None:
    a, b, folder = pair
    notes(a, "one")
    run(a)
    notes(a, "two", "three")
    run(a)
    _, second = _segments(folder)
    pristine = second.read_bytes()
    flip_byte(second, len(pristine) // 2)

    got = sync_run(b)
    assert (got.pulled, got.quarantined) == (1, 1)
    texts = {r[0] for r in b.conn.execute("SELECT payload FROM events WHERE type = 'note.added'")}
    assert texts == {b'{"text":"one"}'}  # the first segment whole, nothing of the second
    [held] = sync_status(b)["quarantined"]
    assert held["name"].endswith("00000002.seg") and held["reason"] == "bad_signature"
    assert "quarantined (bad_signature)" in " ".join(got.targets[0].notes)

    # Someone deletes the damaged file; a puts its own copy back, byte for byte.
    second.unlink()
    fixed = run(a)
    assert fixed.pushed == 1 and "put back" in " ".join(fixed.targets[0].notes)
    assert second.read_bytes() == pristine
    healed = run(b)
    assert (healed.pulled, healed.quarantined) == (1, 0)
    assert sync_status(b)["quarantined"] == []
    assert event_ids(b, a.device) == event_ids(a, a.device)


def test_files_deleted_on_the_target_delete_nothing_here_and_are_reported(pair: Pair) -> None:
    a, b, folder = pair
    notes(a, "kept")
    run(a)
    run(b)
    held = event_ids(b, a.device)
    for path in _segments(folder):
        path.unlink()
    got = run(b)
    assert (got.pulled, got.applied) == (0, 0)
    assert event_ids(b, a.device) == held
    said = " ".join(got.targets[0].notes)
    assert f"segments 1 of device {load(a).device} are gone from the target" in said
    assert "nothing was deleted here" in said


@pytest.mark.parametrize("forgery", ["an altered copy of a held event", "a next event"])
def test_a_signed_segment_whose_events_break_the_chain_is_quarantined(
    forgery: str, pair: Pair
) -> None:
    """A desk device's valid signature does not let it rewrite its own history."""
    a, b, folder = pair
    notes(a, "honest")
    run(a)
    run(b)
    rows = event_rows.own_events(a.conn, device=a.device, after=0, limit=100)
    event = dict(rows[-1], payload="eyJ0ZXh0IjoiZm9yZ2VkIn0=")  # {"text":"forged"}
    if forgery == "a next event":
        event.update(id="0190aaaa-0000-7000-8000-000000000001", seq=event["seq"] + 1)
        event["prev_hash"] = rows[-1]["hash"]
    put_signed(a, folder, [event])
    before = event_ids(b, a.device)
    got = sync_run(b)
    assert got.quarantined == 1 and got.applied == 0
    [held] = sync_status(b)["quarantined"]
    assert held["reason"] == "bad_events"
    assert event_ids(b, a.device) == before


def test_a_push_killed_before_it_was_noted_is_not_written_twice(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    a = make_vault("a")
    folder = tmp_path / "target"
    folder.mkdir()
    create_desk(a, target=f"folder:{folder}")
    notes(a, "once")
    run(a)
    [segment] = _segments(folder)
    written = segment.read_bytes()
    # As if the process died between the put and noting it.
    with a.transaction() as tx:
        tx.execute("DELETE FROM sync_pushed")
    got = run(a)
    assert got.pushed == 0 and _segments(folder) == [segment]
    assert segment.read_bytes() == written
    assert cursors.pushed(a.conn, f"folder:{folder}") == {1}


def test_a_vault_in_a_desk_cannot_enter_another_and_targets_are_checked(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    a = make_vault("a")
    with pytest.raises(SyncError, match="folder:DIR, webdav:URL or s3"):
        create_desk(a, target="ftp://example.org")
    with pytest.raises(SyncError, match="not part of a desk"):
        sync_run(a)
    create_desk(a, target=f"folder:{tmp_path}")
    with pytest.raises(SyncError, match="already a device of a desk"):
        create_desk(a, target=f"folder:{tmp_path}")


def test_many_events_travel_in_several_segments_and_own_events_order_after_them(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, folder = pair
    monkeypatch.setattr(push, "MAX_EVENTS", 3)
    monkeypatch.setattr(push, "MAX_PAYLOAD", 40)  # two small notes fill a segment
    notes(a, *(f"note {i}" for i in range(7)))
    sent = run(a)
    assert sent.pushed == len(_segments(folder)) >= 4
    got = run(b)
    assert got.pulled == sent.pushed and event_ids(b, a.device) == event_ids(a, a.device)
    # b's next event comes after everything it received (DESIGN: lamport order).
    [(newest,)] = b.conn.execute("SELECT max(lamport) FROM events WHERE device = ?", (a.device,))
    notes(b, "after")
    [(mine,)] = b.conn.execute(
        "SELECT lamport FROM events WHERE device = ? ORDER BY seq DESC LIMIT 1", (b.device,)
    )
    assert mine > newest


def test_a_restored_vault_does_not_write_over_its_own_later_segments(
    pair: Pair, tmp_path: Path, no_keychain: Keychain
) -> None:
    """Segments on the target beyond what the vault knows it wrote: it was restored from a
    backup (or copied); pushing on would fork its chain, so it stops and says so."""
    a, _, folder = pair
    notes(a, "one")
    run(a)
    backup(a, tmp_path / "before-two.backup")
    notes(a, "two")
    run(a)
    path = a.paths.db
    a.close()
    creds = Credentials(passphrase=PASSPHRASE, use_keychain=False)
    restore(tmp_path / "before-two.backup", path, creds, replace=True, keychain=no_keychain)
    on_target = {p: p.read_bytes() for p in _segments(folder)}
    restored = open_vault(path, creds, keychain=no_keychain)
    try:
        for _ in range(2):
            got = run(restored)
            assert got.pushed == 0
            assert "restored from a backup or copied" in " ".join(got.targets[0].notes)
            notes(restored, "three")  # a new event makes a new segment 2: still refused
        assert {p: p.read_bytes() for p in _segments(folder)} == on_target
    finally:
        restored.close()
