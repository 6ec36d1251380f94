"""The session use cases the GUI and CLI share."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.session import LockedError, VaultSession
from tests.conftest import PASSPHRASE
from vault.errors import WrongPassphraseError
from vault.keys import Keychain
from vault.unlock import Credentials


def test_reset_passphrase_only_after_recovery_unlock(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, recovery = closed_vault
    session = VaultSession(path, keychain=no_keychain)
    session.unlock(Credentials(passphrase=PASSPHRASE))
    with pytest.raises(LockedError):
        session.reset_passphrase(new="another passphrase")
    session.lock()
    session.unlock(Credentials(recovery_key=recovery))
    session.reset_passphrase(new="another passphrase")
    session.lock()
    with pytest.raises(WrongPassphraseError):
        session.unlock(Credentials(passphrase=PASSPHRASE))
    session.unlock(Credentials(passphrase="another passphrase"))
    assert session.is_unlocked
    session.lock()
    assert not session.is_unlocked


def test_forget_keychain(vault_path: Path, secret_service: Keychain) -> None:
    session = VaultSession(vault_path, keychain=secret_service)
    created = session.create(passphrase=PASSPHRASE)
    assert secret_service.get(created.vault.vault_id) is not None
    session.forget_keychain()
    assert secret_service.get(created.vault.vault_id) is None
    session.lock()


def test_verify_and_audit_pages(closed_vault: tuple[Path, str], no_keychain: Keychain) -> None:
    path, _ = closed_vault
    session = VaultSession(path, keychain=no_keychain)
    session.unlock(Credentials(passphrase=PASSPHRASE))
    seen: list[tuple[str, int, int]] = []
    report = session.verify(lambda phase, done, total: seen.append((phase, done, total)))
    assert report.ok and seen
    assert session.audit_count() >= 9
    page = session.audit_page(offset=0, limit=3)
    assert page[0].type == "vault.verified"
    session.lock()


def test_audit_page_counts_the_rows_of_a_batch_event(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    session = VaultSession(path, keychain=no_keychain)
    session.unlock(Credentials(passphrase=PASSPHRASE))
    rows = [["uid", "ethereum", f"0x{n:040x}", None, None] for n in range(2000)]
    session.vault.audit("addresses.imported", {"columns": ["customer"], "rows": rows})
    (row,) = session.audit_page(offset=0, limit=1)
    assert row.details == "columns: ['customer'], rows: 2000 rows"
    session.lock()
