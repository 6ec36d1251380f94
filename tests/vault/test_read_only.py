"""Reads never need a write: a vault on read-only media, in a read-only file or on a
full disk unlocks, verifies, exports and backs up, and the audit events of those
reads reach the chained log at the next unlock that can write."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE
from tests.vault.helpers import (
    fill_disk,
    flip_byte,
    make_file_read_only,
    make_read_only,
    raw_key,
    snapshot,
    undo_file_read_only,
    undo_read_only,
)
from vault import backup, keyops, page_check, pending_audit
from vault.errors import CorruptVaultError, StorageError
from vault.keys import Keychain
from vault.paths import VaultPaths
from vault.unlock import Credentials, create_vault, open_vault
from vault.verify import verify_vault

PW = Credentials(passphrase=PASSPHRASE)


def _late_events(path: Path, keychain: Keychain) -> list[tuple[str, dict[str, object]]]:
    """Open writable (which takes in the side journal) and list the late events."""
    vault = open_vault(path, PW, keychain=keychain)
    try:
        assert not vault.read_only
        rows = vault.conn.execute("SELECT type, payload FROM events ORDER BY rowid").fetchall()
    finally:
        vault.close()
    late = []
    for type_, payload in rows:
        body = json.loads(payload)
        if isinstance(body, dict) and body.get("recorded_late"):
            late.append((str(type_), body))
    return late


@pytest.mark.parametrize("lock_file", [True, False])
def test_verify_and_backup_in_read_only_folder(
    closed_vault: tuple[Path, str], no_keychain: Keychain, tmp_path: Path, lock_file: bool
) -> None:
    path, _ = closed_vault
    paths = VaultPaths.of(path)
    if not lock_file:
        paths.lock.unlink()
    folder = path.parent / "ro"
    folder.mkdir()
    for part in path.parent.iterdir():
        if part.name.startswith(path.name):
            part.rename(folder / part.name)
    path, paths = folder / path.name, VaultPaths.of(folder / path.name)
    before = snapshot(path)
    names = sorted(p.name for p in folder.iterdir())
    make_read_only(folder)
    try:
        report = verify_vault(path, PW, keychain=no_keychain)
        assert report.ok, report.summary()
        vault = open_vault(path, PW, keychain=no_keychain)
        try:
            assert vault.read_only
            made = backup.backup(vault, tmp_path / "copy.zip")
            assert made.path.exists()
            with pytest.raises(StorageError, match="read-only"):
                keyops.rekey(vault, passphrase=PASSPHRASE)
        finally:
            vault.close()
        assert snapshot(path) == before
        assert sorted(p.name for p in folder.iterdir()) == names
    finally:
        undo_read_only(folder)
    types = [t for t, _ in _late_events(path, no_keychain)]
    assert types == [
        "vault.verified",
        "vault.unlocked",
        "vault.backup_created",
        "vault.locked",
    ]
    assert not pending_audit.journal_path(paths, vault.vault_id).exists()
    assert verify_vault(path, PW, keychain=no_keychain).ok


def test_read_only_file_opens_read_only_and_leaves_no_stale_sidecar(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    paths = VaultPaths.of(path)
    make_file_read_only(path)
    try:
        assert verify_vault(path, PW, keychain=no_keychain).ok
        vault = open_vault(path, PW, keychain=no_keychain)
        try:
            assert vault.read_only
            assert vault.audit("test.note", {}) is None  # kept in the side journal
            with pytest.raises(StorageError) as err, vault.transaction():
                pass
            assert "read-only" in err.value.message
        finally:
            vault.close()
        assert not paths.wal.exists() and not paths.shm.exists()
    finally:
        undo_file_read_only(path)
    # Writable again: the read-only attempts block nothing, and were audited.
    assert [t for t, _ in _late_events(path, no_keychain)] == [
        "vault.verified",
        "vault.unlocked",
        "test.note",
        "vault.locked",
    ]


def test_stale_read_only_sidecars_do_not_block_writes(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    """What a read-only attempt by SQLite itself leaves behind: sidecars with the
    read-only file's permissions (0444)."""
    if os.geteuid() == 0:
        pytest.skip("root ignores permission bits: a read-only sidecar cannot block it")
    source, _ = closed_vault
    vault = open_vault(source, PW, keychain=no_keychain)
    try:
        with vault.transaction() as tx:
            tx.event("test.note", {"kept": "in the wal"})
        # A copy of the files as a killed process leaves them: the last commit in the WAL.
        copy = source.parent / "copy"
        copy.mkdir()
        for part in source.parent.iterdir():
            if part.name.startswith(source.name) and not part.name.endswith(".lock"):
                shutil.copy2(part, copy / part.name)
    finally:
        vault.close()
    path = copy / source.name
    paths = VaultPaths.of(path)
    assert paths.wal.stat().st_size > 0
    for sidecar in (paths.wal, paths.shm):
        sidecar.chmod(0o444)
    vault = open_vault(path, PW, keychain=no_keychain)
    try:
        assert not vault.read_only
        vault.audit("test.after", {})
        notes = vault.conn.execute("SELECT count(*) FROM events WHERE type LIKE 'test.%'")
        assert notes.fetchone()[0] == 5 + 2
    finally:
        vault.close()


def test_full_disk_reads_verify_export_and_backup(
    small_disk: Path, no_keychain: Keychain, tmp_path: Path
) -> None:
    path = small_disk / "x.vault"
    create_vault(path, passphrase=PASSPHRASE, keychain=no_keychain).vault.close()
    filler = small_disk / "filler"
    fill_disk(filler)
    before = snapshot(path)
    assert verify_vault(path, PW, keychain=no_keychain).ok
    vault = open_vault(path, PW, keychain=no_keychain)
    try:
        assert vault.read_only
        assert vault.write_refusal is not None and "full" in vault.write_refusal.message
        assert backup.backup(vault, tmp_path / "elsewhere.zip").path.exists()
        with pytest.raises(StorageError) as err, vault.transaction():
            pass
        assert "full" in err.value.message
    finally:
        vault.close()
    assert snapshot(path) == before
    filler.unlink()
    assert [t for t, _ in _late_events(path, no_keychain)] == [
        "vault.verified",
        "vault.unlocked",
        "vault.backup_created",
        "vault.locked",
    ]


def test_damage_found_at_unlock_stops_every_write(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    """The page check at unlock runs again whenever the file changed since Strongroom
    last closed it, and a damaged vault is then read but never written."""
    path, _ = closed_vault
    paths = VaultPaths.of(path)
    key = raw_key(path)
    first = open_vault(path, PW, keychain=no_keychain)
    first.close()
    assert page_check.unchanged(paths, vault_id=first.vault_id, key=key)
    flip_byte(path, 49 * 4096 + 64)
    assert not page_check.unchanged(paths, vault_id=first.vault_id, key=key)
    before = snapshot(path)
    vault = open_vault(path, PW, keychain=no_keychain)
    try:
        assert isinstance(vault.write_refusal, CorruptVaultError)
        assert "page 50" in vault.write_refusal.message
        with pytest.raises(CorruptVaultError), vault.transaction():
            pass
    finally:
        vault.close()
    assert snapshot(path) == before
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name)) == [
        path.name,
        paths.header.name,
        paths.lock.name,
    ]
