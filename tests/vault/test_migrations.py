"""Numbered migrations: one transaction each, a backup first, newer vaults refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE
from tests.vault.helpers import raw_connection, raw_key, snapshot
from vault import connection
from vault.connection import Connection
from vault.errors import VaultError, VaultTooNewError
from vault.keys import Keychain
from vault.migrations import LATEST, MIGRATIONS, Migration, discover
from vault.paths import VaultPaths
from vault.unlock import Credentials, open_vault
from vault.verify import verify_vault

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_migrations_are_numbered_from_one() -> None:
    found = discover()
    assert [m.version for m in found] == list(range(1, len(found) + 1))
    assert found[-1].version == LATEST


def _add_table(conn: Connection) -> None:
    conn.execute("CREATE TABLE test_extra (id INTEGER PRIMARY KEY, name TEXT)")


def _half_then_fail(conn: Connection) -> None:
    conn.execute("CREATE TABLE half_done (x)")
    raise connection.DatabaseError("simulated failure in the middle of a migration")


def test_pending_migration_runs_after_a_backup(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    plan = [*MIGRATIONS, Migration(LATEST + 1, "m_test_contacts", _add_table)]
    vault = open_vault(
        path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain, migrations=plan
    )
    try:
        assert vault.schema_version() == LATEST + 1
        vault.conn.execute("SELECT * FROM test_extra").fetchall()
    finally:
        vault.close()
    backup = VaultPaths.of(path).migration_backup(LATEST)
    assert backup.exists()
    old = connection.connect(backup, raw_key(path), readonly=True)
    assert old.execute("PRAGMA user_version").fetchone()[0] == LATEST
    old.close()


def test_failed_migration_changes_nothing(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    plan = [*MIGRATIONS, Migration(LATEST + 1, "m_test_broken", _half_then_fail)]
    with pytest.raises(VaultError) as err:
        open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain, migrations=plan)
    assert f"schema {LATEST + 1}" in err.value.message
    assert f"stays at schema {LATEST}" in err.value.message
    conn = raw_connection(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "half_done" not in tables
    conn.close()
    assert verify_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain).ok


def test_newer_vault_is_refused_untouched(
    closed_vault: tuple[Path, str], no_keychain: Keychain
) -> None:
    path, _ = closed_vault
    conn = raw_connection(path)
    conn.execute(f"PRAGMA user_version = {LATEST + 5}")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = snapshot(path)
    with pytest.raises(VaultTooNewError) as err:
        open_vault(path, Credentials(passphrase=PASSPHRASE), keychain=no_keychain)
    assert "Update Strongroom" in err.value.message
    assert str(path) in err.value.message
    assert snapshot(path) == before


@pytest.mark.parametrize("schema", [1])
def test_released_schema_fixture_opens_and_upgrades(
    schema: int, tmp_path: Path, no_keychain: Keychain
) -> None:
    """tests/fixtures holds a vault per released schema (made by make_fixtures.py)."""
    for suffix in ("", ".header"):
        shutil.copy(FIXTURES / f"schema{schema}.vault{suffix}", tmp_path / f"old.vault{suffix}")
    path = tmp_path / "old.vault"
    vault = open_vault(path, Credentials(passphrase="fixture passphrase"), keychain=no_keychain)
    try:
        assert vault.schema_version() == LATEST
        notes = vault.conn.execute("SELECT count(*) FROM events WHERE type = 'fixture.note'")
        assert notes.fetchone()[0] == 3
    finally:
        vault.close()
    assert verify_vault(path, Credentials(passphrase="fixture passphrase"), keychain=no_keychain).ok
