"""The real OS keychain (Secret Service via gnome-keyring in a private D-Bus session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE
from tests.vault.helpers import snapshot
from vault.errors import NoUnlockMethodError
from vault.header import read_header
from vault.keys import SERVICE, Keychain
from vault.paths import VaultPaths
from vault.store import UnlockMethod
from vault.unlock import Credentials, create_vault, open_vault, restore_keychain_entry


def _vault_id(path: Path) -> str:
    return read_header(VaultPaths.of(path).header).vault_id


def test_created_lock_unlock_through_keychain(vault_path: Path, secret_service: Keychain) -> None:
    made = create_vault(vault_path, passphrase=PASSPHRASE, keychain=secret_service)
    assert made.keychain_stored
    made.vault.close()
    vault = open_vault(vault_path, Credentials(), keychain=secret_service)
    try:
        assert vault.unlock.method is UnlockMethod.KEYCHAIN
        assert vault.unlock.keychain_note is None
    finally:
        vault.close()
    # The entry is a real Secret Service item, not something the app keeps itself.
    from keyring.backends import SecretService

    stored = SecretService.Keyring().get_password(SERVICE, _vault_id(vault_path))
    assert stored is not None and len(bytes.fromhex(stored)) == 32


def test_missing_entry_falls_back_to_passphrase_with_a_note(
    vault_path: Path, secret_service: Keychain
) -> None:
    create_vault(vault_path, passphrase=PASSPHRASE, keychain=secret_service).vault.close()
    secret_service.delete(_vault_id(vault_path))
    before = snapshot(vault_path)
    with pytest.raises(NoUnlockMethodError) as err:
        open_vault(vault_path, Credentials(), keychain=secret_service)
    assert "no entry for this vault" in err.value.message
    assert snapshot(vault_path) == before
    vault = open_vault(vault_path, Credentials(passphrase=PASSPHRASE), keychain=secret_service)
    try:
        assert vault.unlock.method is UnlockMethod.PASSPHRASE
        assert vault.unlock.keychain_note and "no entry" in vault.unlock.keychain_note
        assert restore_keychain_entry(vault)
    finally:
        vault.close()
    again = open_vault(vault_path, Credentials(), keychain=secret_service)
    assert again.unlock.method is UnlockMethod.KEYCHAIN
    again.close()


def test_wrong_entry_is_not_trusted(vault_path: Path, secret_service: Keychain) -> None:
    create_vault(vault_path, passphrase=PASSPHRASE, keychain=secret_service).vault.close()
    secret_service.put(_vault_id(vault_path), bytes(32))
    before = snapshot(vault_path)
    with pytest.raises(NoUnlockMethodError) as err:
        open_vault(vault_path, Credentials(), keychain=secret_service)
    assert "does not open this vault" in err.value.message
    assert snapshot(vault_path) == before
    vault = open_vault(vault_path, Credentials(passphrase=PASSPHRASE), keychain=secret_service)
    assert vault.unlock.method is UnlockMethod.PASSPHRASE
    vault.close()


def test_garbage_entry_is_not_trusted(vault_path: Path, secret_service: Keychain) -> None:
    create_vault(vault_path, passphrase=PASSPHRASE, keychain=secret_service).vault.close()
    from keyring.backends import SecretService

    SecretService.Keyring().set_password(SERVICE, _vault_id(vault_path), "not hex at all")
    with pytest.raises(NoUnlockMethodError):
        open_vault(vault_path, Credentials(), keychain=secret_service)


def test_no_keychain_flag_keeps_key_out(vault_path: Path, secret_service: Keychain) -> None:
    made = create_vault(
        vault_path, passphrase=PASSPHRASE, keychain=secret_service, use_keychain=False
    )
    assert not made.keychain_stored
    made.vault.close()
    assert secret_service.get(_vault_id(vault_path)) is None


def test_no_backend_at_all_uses_passphrase(vault_path: Path, no_keychain: Keychain) -> None:
    assert not no_keychain.status().usable
    made = create_vault(vault_path, passphrase=PASSPHRASE, keychain=no_keychain)
    assert not made.keychain_stored
    assert made.vault.unlock.keychain_note and "No OS keychain" in made.vault.unlock.keychain_note
    made.vault.close()
    vault = open_vault(vault_path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    assert vault.unlock.method is UnlockMethod.PASSPHRASE
    vault.close()
