"""Encrypted backups: same keys open them; restore verifies before it replaces anything."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE
from tests.vault.helpers import snapshot
from vault import backup
from vault.errors import CorruptVaultError, VaultExistsError, WrongPassphraseError
from vault.keys import Keychain
from vault.unlock import Credentials, open_vault
from vault.verify import verify_vault

MARKER = "backup-marker-0042"


def _make_backup(path: Path, target: Path, keychain: Keychain) -> None:
    vault = open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=keychain)
    try:
        vault.audit("test.note", {"text": MARKER})
        backup.backup(vault, target)
    finally:
        vault.close()


def test_backup_is_encrypted_and_restores_with_same_keys(
    closed_vault: tuple[Path, str], tmp_path: Path, no_keychain: Keychain
) -> None:
    path, recovery = closed_vault
    target = tmp_path / "desk-backup.zip"
    _make_backup(path, target, no_keychain)
    assert MARKER.encode() not in target.read_bytes()
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    for i, credentials in enumerate(
        [Credentials(passphrase=PASSPHRASE), Credentials(recovery_key=recovery)]
    ):
        restored = tmp_path / f"restored{i}.vault"
        assert backup.restore(target, restored, credentials, keychain=no_keychain) is None
        vault = open_vault(restored, credentials, keychain=no_keychain)
        try:
            payloads = [bytes(r[0]) for r in vault.conn.execute("SELECT payload FROM events")]
            assert any(MARKER.encode() in p for p in payloads)
            types = [r[0] for r in vault.conn.execute("SELECT type FROM events")]
            assert "vault.restored" in types
        finally:
            vault.close()
        assert verify_vault(restored, credentials, keychain=no_keychain).ok


def test_backup_is_audited_and_never_overwrites(
    closed_vault: tuple[Path, str], tmp_path: Path, no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    target = tmp_path / "b.zip"
    target.write_bytes(b"an older file")
    vault = open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    try:
        with pytest.raises(VaultExistsError):
            backup.backup(vault, target)
        assert target.read_bytes() == b"an older file"
        backup.backup(vault, tmp_path / "c.zip")
        types = [r[0] for r in vault.conn.execute("SELECT type FROM events")]
        assert types.count("vault.backup_created") == 1
    finally:
        vault.close()


def test_restore_refuses_existing_vault_unless_replace(
    closed_vault: tuple[Path, str], tmp_path: Path, no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    target = tmp_path / "b.zip"
    _make_backup(path, target, no_keychain)
    before = snapshot(path)
    with pytest.raises(VaultExistsError) as err:
        backup.restore(target, path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    assert "--replace" in err.value.message
    assert snapshot(path) == before
    aside = backup.restore(
        target, path, Credentials(passphrase=PASSPHRASE), replace=True, keychain=no_keychain
    )
    assert aside is not None and (aside / path.name).read_bytes() == before[path.name]


def test_damaged_backup_is_refused_before_anything_changes(
    closed_vault: tuple[Path, str], tmp_path: Path, no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    target = tmp_path / "b.zip"
    _make_backup(path, target, no_keychain)
    # Rewrite the archive with one byte of the database copy flipped.
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(target) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = bytearray(src.read(item))
            if item.filename == "vault.db":
                data[5000] ^= 1
            dst.writestr(item, bytes(data))
    with pytest.raises(CorruptVaultError) as err:
        backup.restore(
            damaged,
            tmp_path / "new.vault",
            Credentials(passphrase=PASSPHRASE),
            keychain=no_keychain,
        )
    assert "damaged" in err.value.message
    assert not (tmp_path / "new.vault").exists()
    not_a_backup = tmp_path / "x.zip"
    not_a_backup.write_bytes(b"hello")
    with pytest.raises(CorruptVaultError):
        backup.restore(
            not_a_backup,
            tmp_path / "new.vault",
            Credentials(passphrase=PASSPHRASE),
            keychain=no_keychain,
        )
    assert not (tmp_path / "new.vault").exists()
    assert not list(tmp_path.glob(".strongroom-restore-*"))


def test_restore_with_wrong_passphrase_changes_nothing(
    closed_vault: tuple[Path, str], tmp_path: Path, no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    target = tmp_path / "b.zip"
    _make_backup(path, target, no_keychain)
    before = snapshot(path)
    with pytest.raises(WrongPassphraseError):
        backup.restore(
            target, path, Credentials(passphrase="wrong one!"), replace=True, keychain=no_keychain
        )
    assert snapshot(path) == before
