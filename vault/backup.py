"""Encrypted backups that open with the vault's own keys.

A backup is one zip file (stored, not compressed: the content is
ciphertext) holding `vault.db` (a consistent copy taken with SQLite's online
backup API, still encrypted under the database key), `vault.header` (the
same wrapped keys, so the passphrase, the recovery key and the keychain
entry all open it) and `manifest.json` (no secret: ids, dates, a SHA-256
of the database copy to catch a damaged backup before it is restored).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vault import connection
from vault.atomic import fsync_dir, storage_error, write_atomic
from vault.connection import DatabaseError, encrypted_copy, explain
from vault.errors import CorruptVaultError, VaultBusyError, VaultError, VaultExistsError
from vault.header import MAX_HEADER_BYTES, Header
from vault.keys import Keychain
from vault.paths import VaultPaths
from vault.process_lock import ProcessLock
from vault.store import Vault
from vault.unlock import Credentials, connect_checked, open_vault, resolve_key
from vault.verify import check

FORMAT = "strongroom-backup"
VERSION = 1


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    vault_id: str
    created_at: str
    schema: int
    size: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def backup(vault: Vault, to: str | Path) -> BackupInfo:
    """Write a backup of the open vault to `to` (never over an existing file)."""
    target = Path(to).expanduser().absolute()
    if target.exists():
        raise VaultExistsError(
            f"{target} already exists; a backup never replaces a file. Choose a new name.",
            path=target,
        )
    if not target.parent.is_dir():
        raise VaultError(f"The folder {target.parent} does not exist.", path=target.parent)
    created = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        work = Path(tempfile.mkdtemp(prefix=".strongroom-backup-", dir=target.parent))
    except OSError as exc:
        raise storage_error(exc, target) from None
    try:
        db_copy = work / "vault.db"
        try:
            encrypted_copy(vault.conn, vault.key_bytes(), db_copy)
        except DatabaseError as exc:
            raise explain(exc, vault.paths.db) from None
        schema = vault.schema_version()
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "vault_id": vault.vault_id,
            "created_at": created,
            "schema": schema,
            "db_sha256": _sha256(db_copy),
        }
        partial = work / "backup.zip"
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
            archive.writestr("vault.header", vault.header.to_bytes())
            archive.write(db_copy, "vault.db")
        os.chmod(partial, 0o600)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        if target.exists():
            raise VaultExistsError(f"{target} appeared meanwhile; not replaced.", path=target)
        os.replace(partial, target)
        fsync_dir(target.parent)
    except OSError as exc:
        raise storage_error(exc, target) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    info = BackupInfo(target, vault.vault_id, created, schema, target.stat().st_size)
    vault.audit("vault.backup_created", {"file": target.name, "schema": info.schema})
    return info


def _read_backup(source: Path, into: Path) -> tuple[dict[str, object], Header]:
    """Unpack and check a backup into the folder `into`; returns its manifest and header."""
    damaged = CorruptVaultError(
        f"{source} is not a readable Strongroom backup (damaged or another kind of file).",
        path=source,
    )
    try:
        with zipfile.ZipFile(source) as archive:
            # Both small parts are read whole: refuse one that claims to be huge.
            for small in ("manifest.json", "vault.header"):
                if archive.getinfo(small).file_size > MAX_HEADER_BYTES:
                    raise damaged
            manifest = json.loads(archive.read("manifest.json"))
            header_bytes = archive.read("vault.header")
            fd = os.open(into / "vault.db", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with archive.open("vault.db") as src, os.fdopen(fd, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
                dst.flush()
                os.fsync(dst.fileno())
    except FileNotFoundError:
        raise VaultError(f"There is no backup file at {source}.", path=source) from None
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        raise damaged from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise damaged
    if manifest.get("db_sha256") != _sha256(into / "vault.db"):
        raise CorruptVaultError(
            f"The backup {source} is damaged: its database does not match its checksum.",
            path=source,
        )
    write_atomic(into / "vault.header", header_bytes)
    return manifest, Header.from_bytes(header_bytes, source)


def restore(
    source: str | Path,
    vault_path: str | Path,
    credentials: Credentials,
    *,
    replace: bool = False,
    keychain: Keychain | None = None,
) -> Path | None:
    """Restore a backup to `vault_path`; returns where a replaced vault was moved, if any.

    The backup is unpacked, unlocked and fully verified beside the target
    before anything at the target changes. An existing vault is kept (moved
    aside), and only with `replace=True`.
    """
    source = Path(source).expanduser().absolute()
    paths = VaultPaths.of(vault_path)
    keychain = keychain or Keychain()
    exists = paths.db.exists() or paths.header.exists()
    if exists and not replace:
        raise VaultExistsError(
            f"A vault already exists at {paths.db}. Restore to another path, or pass "
            "--replace to keep the current one aside and put the backup in its place.",
            path=paths.db,
        )
    if not paths.db.parent.is_dir():
        raise VaultError(f"The folder {paths.db.parent} does not exist.", path=paths.db.parent)
    lock = ProcessLock(paths.lock, paths.db)
    try:
        work = Path(tempfile.mkdtemp(prefix=".strongroom-restore-", dir=paths.db.parent))
    except OSError as exc:
        lock.release()
        raise storage_error(exc, paths.db) from None
    moved_aside: Path | None = None
    try:
        _, header = _read_backup(source, work)
        staged = VaultPaths.of(work / "vault.db")
        key, _ = resolve_key(staged, header, credentials, keychain)
        connect_checked(staged, header, key, readonly=True).close()
        report = check(lambda: connection.connect(staged.db, key, readonly=True), source)
        if not report.ok:
            raise CorruptVaultError(report.summary(), path=source)
        if exists:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            moved_aside = paths.db.with_name(f"{paths.db.name}.before-restore-{stamp}")
            moved_aside.mkdir()
            for part in (paths.db, paths.header, paths.wal, paths.shm):
                if part.exists():
                    os.replace(part, moved_aside / part.name)
        # The header goes in last: a vault with no header is refused cleanly,
        # never opened half restored.
        os.replace(work / "vault.db", paths.db)
        os.replace(work / "vault.header", paths.header)
        fsync_dir(paths.db.parent)
    except OSError as exc:
        raise storage_error(exc, paths.db) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
        lock.release()
    _record_restore(paths, credentials, keychain, source)
    return moved_aside


def _record_restore(
    paths: VaultPaths, credentials: Credentials, keychain: Keychain, source: Path
) -> None:
    with contextlib.suppress(VaultBusyError):
        vault = open_vault(paths.db, credentials, keychain=keychain)
        try:
            vault.audit("vault.restored", {"from": source.name})
        finally:
            vault.close()
