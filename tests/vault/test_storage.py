"""A read-only location and a full disk: a clear error, and the vault intact."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE
from tests.vault.helpers import make_read_only, snapshot, undo_read_only
from vault.errors import StorageError
from vault.keys import Keychain
from vault.unlock import Credentials, create_vault, open_vault
from vault.verify import verify_vault


def test_create_in_read_only_folder(tmp_path: Path, no_keychain: Keychain) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    make_read_only(folder)
    try:
        with pytest.raises(StorageError) as err:
            create_vault(folder / "x.vault", passphrase=PASSPHRASE, keychain=no_keychain)
        assert "read-only" in err.value.message
        assert str(folder) in err.value.message
        assert list(folder.iterdir()) == []
    finally:
        undo_read_only(folder)


def test_open_in_read_only_folder_reads_and_refuses_writes(
    tmp_path: Path, no_keychain: Keychain
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "x.vault"
    create_vault(path, passphrase=PASSPHRASE, keychain=no_keychain).vault.close()
    (folder / "x.vault.lock").unlink()
    before = snapshot(path)
    names = sorted(p.name for p in folder.iterdir())
    make_read_only(folder)
    try:
        vault = open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
        try:
            assert vault.read_only
            assert vault.conn.execute("SELECT count(*) FROM events").fetchone()[0] > 0
            with pytest.raises(StorageError) as err, vault.transaction() as tx:
                tx.event("test.note", {})
            assert "read-only" in err.value.message
            assert "backup" not in err.value.message.replace("backed up", "")
        finally:
            vault.close()
        assert snapshot(path) == before
        assert sorted(p.name for p in folder.iterdir()) == names
    finally:
        undo_read_only(folder)


def test_full_disk_keeps_every_committed_write(small_disk: Path, no_keychain: Keychain) -> None:
    path = small_disk / "x.vault"
    ballast = small_disk / "other-files"
    ballast.write_bytes(b"\0" * 600_000)
    vault = create_vault(path, passphrase=PASSPHRASE, keychain=no_keychain).vault
    committed = 0
    with pytest.raises(StorageError) as err:
        for _ in range(10_000):
            with vault.transaction() as tx:
                tx.event("test.fill", {"pad": "x" * 2000, "n": committed})
            committed += 1
    assert "full" in err.value.message
    assert str(path) in err.value.message
    assert committed > 10
    vault.close(audit=False)
    # Free space (as the user would), then everything committed is there and verifies.
    ballast.unlink()
    vault = open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    try:
        n = vault.conn.execute("SELECT count(*) FROM events WHERE type = 'test.fill'").fetchone()[0]
        assert n == committed
    finally:
        vault.close(audit=False)
    assert verify_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain).ok


def test_full_disk_at_create_leaves_nothing(small_disk: Path, no_keychain: Keychain) -> None:
    filler = small_disk / "filler"
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    with pytest.raises(StorageError) as err:
        create_vault(small_disk / "x.vault", passphrase=PASSPHRASE, keychain=no_keychain)
    assert "full" in err.value.message
    assert sorted(p.name for p in small_disk.iterdir()) in (["filler"], ["filler", "x.vault.lock"])
