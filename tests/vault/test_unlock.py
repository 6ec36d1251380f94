"""Creating and opening vaults, and every bad input: clear error, files untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE
from tests.vault.helpers import flip_byte, snapshot
from vault import verify
from vault.errors import (
    CorruptVaultError,
    NoUnlockMethodError,
    VaultBusyError,
    VaultExistsError,
    VaultNotFoundError,
    WrongPassphraseError,
    WrongRecoveryKeyError,
)
from vault.keys import Keychain
from vault.paths import VaultPaths
from vault.store import UnlockMethod
from vault.unlock import Credentials, create_vault, open_vault


def test_create_then_open_with_passphrase(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    vault = open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    try:
        assert vault.unlock.method is UnlockMethod.PASSPHRASE
        assert vault.unlock.keychain_note is not None
        assert "No OS keychain" in vault.unlock.keychain_note
        types = [r[0] for r in vault.conn.execute("SELECT type FROM events ORDER BY rowid_")]
        assert types[0] == "vault.created"
        assert types.count("test.note") == 5
        assert types[-1] == "vault.unlocked"
    finally:
        vault.close()


def test_recovery_key_opens_and_is_forgiving_about_format(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, recovery = closed_vault
    typed = recovery.lower().replace("-", " ")
    vault = open_vault(path, Credentials(recovery_key=typed), keychain=no_keychain)
    assert vault.unlock.method is UnlockMethod.RECOVERY_KEY
    vault.close()


def test_wrong_passphrase_is_clear_and_touches_nothing(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    before = snapshot(path)
    with pytest.raises(WrongPassphraseError) as err:
        open_vault(path, Credentials(passphrase="not the passphrase"), keychain=no_keychain)
    assert str(path) in err.value.message
    assert "recovery key" in err.value.message
    assert snapshot(path) == before


def test_failed_unlock_is_audited_at_the_next_unlock(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    for _ in range(2):
        with pytest.raises(WrongPassphraseError):
            open_vault(path, Credentials(passphrase="guess-guess"), keychain=no_keychain)
    vault = open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    try:
        rows = vault.conn.execute(
            "SELECT payload FROM events WHERE type = 'vault.unlock_failed'"
        ).fetchall()
        assert len(rows) == 2
        assert json.loads(rows[0][0])["method"] == "passphrase"
        assert "guess" not in b"".join(bytes(r[0]) for r in rows).decode()
    finally:
        vault.close()
    assert not VaultPaths.of(path).failures.exists()


def test_wrong_recovery_key_from_another_vault(
    closed_vault: tuple[Path, str], tmp_path: Path, no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    other = create_vault(tmp_path / "other.vault", passphrase=PASSPHRASE, keychain=no_keychain)
    other.vault.close()
    before = snapshot(path)
    with pytest.raises(WrongRecoveryKeyError) as err:
        open_vault(path, Credentials(recovery_key=other.recovery_key), keychain=no_keychain)
    assert "another vault" in err.value.message
    assert snapshot(path) == before


def test_mistyped_recovery_key_names_the_typo(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, recovery = closed_vault
    typo = ("Z" if recovery[0] != "Z" else "Y") + recovery[1:]
    with pytest.raises(WrongRecoveryKeyError) as err:
        open_vault(path, Credentials(recovery_key=typo), keychain=no_keychain)
    assert "typing mistake" in err.value.message
    with pytest.raises(WrongRecoveryKeyError) as err:
        open_vault(path, Credentials(recovery_key=recovery[:-5]), keychain=no_keychain)
    assert "missing" in err.value.message


def test_nothing_offered_without_keychain(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    with pytest.raises(NoUnlockMethodError) as err:
        open_vault(path, Credentials(), keychain=no_keychain)
    assert "No OS keychain" in err.value.message
    assert "passphrase" in err.value.message


@pytest.mark.parametrize("existing", ["db", "header", "wal"])
def test_never_creates_over_an_existing_file(
    vault_path: Path, no_keychain: Keychain, existing: str
) -> None:
    paths = VaultPaths.of(vault_path)
    target = {"db": paths.db, "header": paths.header, "wal": paths.wal}[existing]
    target.write_bytes(b"precious data")
    with pytest.raises(VaultExistsError) as err:
        create_vault(vault_path, passphrase=PASSPHRASE, keychain=no_keychain)
    assert str(target) in err.value.message
    assert target.read_bytes() == b"precious data"


def test_never_creates_over_an_existing_vault(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    before = snapshot(path)
    with pytest.raises(VaultExistsError):
        create_vault(path, passphrase=PASSPHRASE, keychain=no_keychain)
    assert snapshot(path) == before


def test_short_passphrase_refused(vault_path: Path, no_keychain: Keychain) -> None:
    with pytest.raises(WrongPassphraseError):
        create_vault(vault_path, passphrase="short", keychain=no_keychain)
    assert not vault_path.exists()


def test_missing_vault(tmp_path: Path, no_keychain: Keychain) -> None:
    with pytest.raises(VaultNotFoundError) as err:
        open_vault(
            tmp_path / "nope.vault", Credentials(passphrase=PASSPHRASE), keychain=no_keychain
        )
    assert "strongroom init" in err.value.message


def test_missing_header(closed_vault: tuple[Path, str], no_keychain: Keychain) -> None:
    path, _ = closed_vault
    paths = VaultPaths.of(path)
    paths.header.unlink()
    db_before = paths.db.read_bytes()
    with pytest.raises(VaultNotFoundError) as err:
        open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    assert str(paths.header) in err.value.message
    assert "backup" in err.value.message
    assert paths.db.read_bytes() == db_before


def test_header_not_json(closed_vault: tuple[Path, str], no_keychain: Keychain) -> None:
    path, _ = closed_vault
    paths = VaultPaths.of(path)
    paths.header.write_bytes(b"{ this is not json")
    before = snapshot(path)
    with pytest.raises(CorruptVaultError) as err:
        open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    assert str(paths.header) in err.value.message
    assert snapshot(path) == before


def test_header_field_edited_is_detected(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    paths = VaultPaths.of(path)
    doc = json.loads(paths.header.read_text())
    doc["created_at"] = "2020-01-01T00:00:00+00:00"
    paths.header.write_text(json.dumps(doc))
    before = snapshot(path)
    with pytest.raises(CorruptVaultError) as err:
        open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    assert "was edited" in err.value.message
    assert snapshot(path) == before


def test_header_wrapped_key_edited(closed_vault: tuple[Path, str], no_keychain: Keychain) -> None:
    path, _ = closed_vault
    paths = VaultPaths.of(path)
    doc = json.loads(paths.header.read_text())
    doc["vault_id"] = "00000000-0000-4000-8000-000000000000"
    paths.header.write_text(json.dumps(doc))
    before = snapshot(path)
    # The vault id is bound into the wrap: the passphrase can no longer unwrap it.
    with pytest.raises(WrongPassphraseError):
        open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    assert snapshot(path) == before


def test_header_from_another_vault(
    closed_vault: tuple[Path, str], tmp_path: Path, no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    other = create_vault(tmp_path / "other.vault", passphrase=PASSPHRASE, keychain=no_keychain)
    other.vault.close()
    paths = VaultPaths.of(path)
    paths.header.write_bytes(VaultPaths.of(tmp_path / "other.vault").header.read_bytes())
    before = snapshot(path)
    with pytest.raises(CorruptVaultError) as err:
        open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    assert str(path) in err.value.message
    assert snapshot(path) == before


@pytest.mark.parametrize("keep", [0, 100, 4096, 0.5])
def test_truncated_database(
    closed_vault: tuple[Path, str], no_keychain: Keychain, keep: float
) -> None:
    path, _ = closed_vault
    data = path.read_bytes()
    size = int(len(data) * keep) if isinstance(keep, float) else keep
    path.write_bytes(data[:size])
    before = snapshot(path)
    with pytest.raises(CorruptVaultError) as err:
        open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    assert str(path) in err.value.message
    assert "backup" in err.value.message
    assert snapshot(path) == before


def test_flipped_page_found_by_verify_and_file_untouched(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    page = 4096
    assert path.stat().st_size >= 3 * page
    flip_byte(path, 2 * page + 100)  # the middle of page 3
    before = snapshot(path)
    report = verify.verify_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    assert not report.ok
    assert "page 3" in report.summary()
    assert str(path) in report.summary()
    assert snapshot(path) == before


def test_flipped_first_page_refuses_to_open(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    flip_byte(path, 200)
    before = snapshot(path)
    with pytest.raises(CorruptVaultError) as err:
        open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    assert "damaged" in err.value.message
    assert snapshot(path) == before


def test_second_opener_is_refused(closed_vault: tuple[Path, str], no_keychain: Keychain) -> None:
    path, _ = closed_vault
    first = open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    try:
        with pytest.raises(VaultBusyError) as err:
            open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
        assert "another Strongroom process" in err.value.message
        assert str(path) in err.value.message
    finally:
        first.close()
    again = open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    again.close()


def test_no_plaintext_on_disk(vault_path: Path, no_keychain: Keychain) -> None:
    marker = "MARKER-7f3a-Jane-Doe-jane@example.com"
    made = create_vault(vault_path, passphrase=PASSPHRASE, keychain=no_keychain)
    vault = made.vault
    with vault.transaction() as tx:
        tx.execute("CREATE TABLE test_notes (body TEXT)")
        tx.execute("INSERT INTO test_notes VALUES (?)", (marker,))
        tx.event("test.note", {"body": marker})
    paths = VaultPaths.of(vault_path)
    # While open, the newest pages are in the WAL: it must be encrypted too.
    assert paths.wal.exists() and paths.wal.stat().st_size > 0
    files = [paths.db, paths.wal, paths.header]
    for file in files:
        data = file.read_bytes()
        assert marker.encode() not in data, file
        assert marker.encode("utf-16-le") not in data, file
        assert PASSPHRASE.encode() not in data, file
    key = vault.key_bytes()
    vault.close()
    for file in (paths.db, paths.header):
        data = file.read_bytes()
        assert marker.encode() not in data
        assert key not in data and key.hex().encode() not in data
