"""Bringing a vault's schema up to date: a backup first, one transaction per step."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from vault.connection import Connection, DatabaseError, encrypted_copy, explain
from vault.errors import VaultError, VaultTooNewError
from vault.migrations import MIGRATIONS, Migration


def schema_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def refuse_if_too_new(conn: Connection, path: Path, migrations: Sequence[Migration]) -> int:
    version = schema_version(conn)
    latest = migrations[-1].version if migrations else 0
    if version > latest:
        raise VaultTooNewError(
            f"The vault {path} has schema version {version}, newer than this Strongroom "
            f"knows ({latest}). Update Strongroom to open it; the vault was not touched.",
            path=path,
        )
    return version


def apply_pending(
    conn: Connection,
    *,
    path: Path,
    key: bytes,
    backup_to: Path | None,
    migrations: Sequence[Migration] = MIGRATIONS,
) -> list[Migration]:
    """Apply every migration above the current version; returns what was applied."""
    current = refuse_if_too_new(conn, path, migrations)
    pending = [m for m in migrations if m.version > current]
    if not pending:
        return []
    if backup_to is not None and current > 0:
        try:
            encrypted_copy(conn, key, backup_to)
        except (OSError, DatabaseError) as exc:
            raise VaultError(
                f"Could not back up {path} before upgrading its schema ({exc}); "
                "nothing was changed.",
                path=path,
            ) from None
    for migration in pending:
        try:
            conn.execute("BEGIN IMMEDIATE")
            migration.apply(conn)
            conn.execute(f"PRAGMA user_version = {int(migration.version)}")
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if not isinstance(exc, DatabaseError | VaultError):
                raise
            if "full" in str(exc).lower():
                raise explain(exc, path) from None
            kept = f" A backup from before the upgrade is at {backup_to}." if backup_to else ""
            raise VaultError(
                f"Upgrading {path} to schema {migration.version} ({migration.name}) failed: "
                f"{exc}. The vault stays at schema {schema_version(conn)}.{kept}",
                path=path,
            ) from None
    return pending
