"""Passphrase change and re-key, including a re-key cut short at each step."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE
from tests.vault.helpers import raw_key
from vault import connection, keyops
from vault.connection import DatabaseError
from vault.errors import WrongPassphraseError
from vault.keys import Keychain
from vault.paths import VaultPaths
from vault.store import UnlockMethod
from vault.unlock import Credentials, create_vault, open_vault
from vault.verify import verify_vault

NEW = "a brand new passphrase"


def _open(path: Path, keychain: Keychain, passphrase: str = PASSPHRASE):  # type: ignore[no-untyped-def]
    return open_vault(path, Credentials(passphrase=passphrase), keychain=keychain)


def test_change_passphrase(closed_vault: tuple[Path, str], no_keychain: Keychain) -> None:
    path, recovery = closed_vault
    vault = _open(path, no_keychain)
    with pytest.raises(WrongPassphraseError):
        keyops.check_passphrase(vault, "not it at all")
    keyops.change_passphrase(vault, new_passphrase=NEW)
    vault.close()
    with pytest.raises(WrongPassphraseError):
        _open(path, no_keychain)
    _open(path, no_keychain, NEW).close()
    open_vault(path, Credentials(recovery_key=recovery), keychain=no_keychain).close()


def test_rekey_replaces_the_page_key_and_keeps_everything(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, recovery = closed_vault
    old_key = raw_key(path)
    vault = _open(path, no_keychain)
    count = vault.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    keyops.rekey(vault, passphrase=PASSPHRASE)
    vault.close()
    assert raw_key(path) != old_key
    with pytest.raises(DatabaseError):
        connection.connect(path, old_key, readonly=True)
    paths = VaultPaths.of(path)
    assert not paths.rekey_journal.exists() and not paths.rekey_backup_db.exists()
    vault = open_vault(path, Credentials(recovery_key=recovery), keychain=no_keychain)
    try:
        types = [r[0] for r in vault.conn.execute("SELECT type FROM events")]
        assert len(types) >= count + 2 and "vault.rekeyed" in types
    finally:
        vault.close()
    assert verify_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain).ok


def test_rekey_updates_the_keychain(vault_path: Path, secret_service: Keychain) -> None:
    create_vault(vault_path, passphrase=PASSPHRASE, keychain=secret_service).vault.close()
    vault = open_vault(vault_path, Credentials(), keychain=secret_service)
    keyops.rekey(vault, passphrase=PASSPHRASE)
    vault.close()
    again = open_vault(vault_path, Credentials(), keychain=secret_service)
    assert again.unlock.method is UnlockMethod.KEYCHAIN
    again.close()


class Crash(BaseException):
    """Stands in for the process dying at a given step."""


@pytest.mark.parametrize("finisher", ["unlock", "verify"])
@pytest.mark.parametrize("step", ["before_rekey", "after_rekey", "after_header"])
def test_interrupted_rekey_is_finished_at_next_unlock(
    closed_vault: tuple[Path, str],
    no_keychain: Keychain,
    monkeypatch: pytest.MonkeyPatch,
    step: str,
    finisher: str,
) -> None:
    """`verify` finishes it too, as any unlock does (it refused before)."""
    path, recovery = closed_vault
    vault = _open(path, no_keychain)
    count = vault.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    real_execute_rekey = keyops.write_header

    if step == "before_rekey":
        real_atomic = keyops.write_atomic

        def crash_after_journal(target: Path, data: bytes) -> None:
            real_atomic(target, data)
            raise Crash

        monkeypatch.setattr(keyops, "write_atomic", crash_after_journal)
    elif step == "after_rekey":
        monkeypatch.setattr(keyops, "write_header", lambda *a: (_ for _ in ()).throw(Crash()))
    else:

        def crash_after_header(*args: object) -> None:
            real_execute_rekey(*args)  # type: ignore[arg-type]
            raise Crash

        monkeypatch.setattr(keyops, "write_header", crash_after_header)
    with pytest.raises(Crash):
        keyops.rekey(vault, passphrase=PASSPHRASE)
    # The process "died": drop the connection and the lock without any clean-up.
    vault._conn.close()  # type: ignore[union-attr]
    vault._lock.release()
    monkeypatch.undo()
    assert VaultPaths.of(path).rekey_journal.exists()
    if finisher == "verify":
        assert verify_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain).ok
        assert not VaultPaths.of(path).rekey_journal.exists()
    again = _open(path, no_keychain)
    try:
        assert again.conn.execute("SELECT count(*) FROM events").fetchone()[0] >= count
    finally:
        again.close()
    paths = VaultPaths.of(path)
    assert not paths.rekey_journal.exists() and not paths.rekey_backup_db.exists()
    assert verify_vault(path, Credentials(recovery_key=recovery), keychain=no_keychain).ok
