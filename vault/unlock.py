"""Creating and opening vaults: the only ways to get a `Vault`.

Unlock order (DESIGN.md): the OS keychain, else the passphrase, else the
recovery key. Whatever fails, the database and header files are left
byte-for-byte as they were: nothing is written before the key is proven
and the schema is known.
"""

from __future__ import annotations

import contextlib
import getpass
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from vault import (
    connection,
    crypto,
    failures,
    location,
    migrate,
    page_check,
    pending_audit,
    rekey_recovery,
)
from vault.connection import Connection, DatabaseError
from vault.errors import (
    AuthenticationError,
    CorruptVaultError,
    KeychainError,
    NoUnlockMethodError,
    StorageError,
    VaultError,
    VaultExistsError,
    VaultNotFoundError,
    WrongPassphraseError,
)
from vault.header import Header, read_header, write_header
from vault.keys import Keychain
from vault.migrations import MIGRATIONS, Migration
from vault.paths import VaultPaths
from vault.process_lock import ProcessLock
from vault.store import UnlockInfo, UnlockMethod, Vault


@dataclass(frozen=True)
class Credentials:
    """What the user offers to open a vault. Never logged, never stored."""

    passphrase: str | None = None
    recovery_key: str | None = None
    use_keychain: bool = True

    def __repr__(self) -> str:  # keep secrets out of tracebacks and logs
        return (
            f"Credentials(passphrase={'***' if self.passphrase else None}, "
            f"recovery_key={'***' if self.recovery_key else None}, "
            f"use_keychain={self.use_keychain})"
        )


@dataclass(frozen=True)
class Created:
    vault: Vault
    recovery_key: str
    keychain_stored: bool


def current_author() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


MIN_PASSPHRASE = 8


def create_vault(
    path: str | Path,
    *,
    passphrase: str,
    use_keychain: bool = True,
    keychain: Keychain | None = None,
    kdf: crypto.KdfParams | None = None,
) -> Created:
    """Create a new vault at `path`. Refuses if anything of a vault is already there."""
    paths = VaultPaths.of(path)
    keychain = keychain or Keychain()
    for existing in (paths.db, paths.header, paths.wal):
        if existing.exists():
            raise VaultExistsError(
                f"{existing} already exists. Strongroom never creates a vault over an existing "
                "file; choose another path or open the existing vault.",
                path=existing,
            )
    if len(passphrase) < MIN_PASSPHRASE:
        raise WrongPassphraseError(
            f"The passphrase must have at least {MIN_PASSPHRASE} characters."
        )
    if not paths.db.parent.is_dir():
        raise VaultNotFoundError(
            f"The folder {paths.db.parent} does not exist. Create it first.",
            path=paths.db.parent,
        )
    lock = ProcessLock(paths.lock, paths.db)
    key = crypto.new_database_key()
    seed = crypto.new_recovery_seed()
    created_db = False
    try:
        header = Header.create(
            database_key=key,
            passphrase=passphrase,
            recovery_seed=seed,
            kdf=kdf or crypto.KdfParams(),
        )
        try:
            conn = connection.create_database(paths.db, key)
        except FileExistsError:
            raise VaultExistsError(
                f"{paths.db} already exists. Strongroom never creates a vault over it.",
                path=paths.db,
            ) from None
        except OSError as exc:
            from vault.atomic import storage_error

            raise storage_error(exc, paths.db) from None
        created_db = True
        try:
            migrate.apply_pending(conn, path=paths.db, key=key, backup_to=None)
            device = str(uuid.uuid4())
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [("vault_id", header.vault_id), ("device_id", device)],
            )
            conn.execute("COMMIT")
            write_header(paths.header, header)
        except BaseException:
            conn.close()
            raise
        stored = use_keychain and keychain.put(header.vault_id, key)
        note = None if stored else _no_keychain_note(keychain, use_keychain)
        vault = Vault(
            paths=paths,
            header=header,
            key=key,
            conn=conn,
            process_lock=lock,
            device=device,
            author=current_author(),
            unlock=UnlockInfo(UnlockMethod.NEW, note),
            keychain=keychain,
        )
        vault.audit(
            "vault.created",
            {"vault_id": header.vault_id, "keychain": stored, "schema": vault.schema_version()},
        )
        return Created(vault, crypto.format_recovery_key(seed), stored)
    except BaseException as exc:
        lock.release()
        if created_db:
            for leftover in (paths.db, paths.wal, paths.shm, paths.header):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        if isinstance(exc, DatabaseError):
            raise connection.explain(exc, paths.db) from None
        raise


def _no_keychain_note(keychain: Keychain, use_keychain: bool) -> str:
    if not use_keychain:
        return "The key is not kept in the OS keychain (by choice): unlock with the passphrase."
    return keychain.status().describe() + "."


def open_vault(
    path: str | Path,
    credentials: Credentials,
    *,
    keychain: Keychain | None = None,
    migrations: list[Migration] | None = None,
) -> Vault:
    """Unlock the vault at `path`, upgrading its schema if needed.

    It opens for reading and writing, or read-only (`Vault.write_refusal`) when its
    location cannot be written, its disk is full or a page fails its check."""
    paths = VaultPaths.of(path)
    keychain = keychain or Keychain()
    check_files(paths)
    can_write = location.writable(paths)
    lock = ProcessLock(paths.lock, paths.db, shared=not can_write)
    try:
        header, key, info = unlock_keys(paths, credentials, keychain, can_write=can_write)
        opened = open_database(paths, header, key, can_write=can_write)
        conn = opened.conn
        try:
            if opened.refusal is None:
                migrate.apply_pending(
                    conn,
                    path=paths.db,
                    key=key,
                    backup_to=paths.migration_backup(migrate.schema_version(conn)),
                    migrations=migrations or MIGRATIONS,
                )
            else:
                _refuse_if_old(
                    conn, paths, opened.refusal, migrations or MIGRATIONS, can_write=can_write
                )
            device = _meta(conn, "device_id") or str(uuid.uuid4())
        except BaseException:
            conn.close()
            raise
        vault = Vault(
            paths=paths,
            header=header,
            key=key,
            conn=conn,
            process_lock=lock,
            device=device,
            author=current_author(),
            unlock=info,
            keychain=keychain,
            write_refusal=opened.refusal,
            immutable=opened.immutable,
        )
    except BaseException:
        lock.release()
        raise
    try:
        _log_unlock(vault)
    except BaseException:
        vault.close(audit=False)
        raise
    return vault


def unlock_keys(
    paths: VaultPaths, credentials: Credentials, keychain: Keychain, *, can_write: bool
) -> tuple[Header, bytes, UnlockInfo]:
    """The header and the key it proves, finishing an interrupted re-key first."""
    if paths.rekey_journal.exists():
        if not can_write:
            raise StorageError(
                f"A re-key of {paths.db} was interrupted, and finishing it needs to write "
                f"beside it, where Strongroom cannot write ({location.read_only_reason(paths)}). "
                f"Copy the vault's files (every file whose name starts with {paths.db.name}) "
                "to a folder you can write to and run 'strongroom verify --vault' on the copy.",
                path=paths.db,
            )
        return rekey_recovery.finish(paths, credentials, keychain, resolve_key)
    header = read_header(paths.header)
    key, info = resolve_key(paths, header, credentials, keychain)
    return header, key, info


def _refuse_if_old(
    conn: Connection,
    paths: VaultPaths,
    refusal: VaultError,
    migrations: list[Migration],
    *,
    can_write: bool,
) -> None:
    version = migrate.schema_version(conn)
    latest = migrations[-1].version if migrations else 0
    if version < latest:
        old = (
            f"The vault {paths.db} has schema version {version} and must be upgraded to "
            f"{latest} before this Strongroom can read it, which needs a write"
        )
        if can_write:  # a full disk or damage: its own message says what to do
            raise type(refusal)(f"{old}. {refusal.message}", path=paths.db)
        # Not the read-only advice ("it can be read, exported ..."): here it cannot.
        raise type(refusal)(
            f"{old}, and {location.read_only_reason(paths)}. Copy its two files "
            f"({paths.db.name} and {paths.header.name}) to a folder you can write to and "
            "open the copy: it is upgraded there ('verify' checks this one as it is).",
            path=paths.db,
        )


def _log_unlock(vault: Vault) -> None:
    """The unlock event, with the failed attempts and late reads since the last one.

    On a vault that cannot be written it goes to the side journal instead; a disk
    found full only now turns the vault read-only rather than refusing to open."""
    if vault.write_refusal is None:
        pending, unreadable = pending_audit.take(
            vault.paths, vault_id=vault.vault_id, key=vault.key_bytes()
        )
        tried = failures.take(vault.paths.failures)
        try:
            with vault.transaction() as tx:
                for failure in tried:
                    tx.event("vault.unlock_failed", failure)
                for late in pending:
                    tx.event(
                        late["type"],
                        {**late["payload"], "recorded_late": True, "happened_at": late["at"]},
                    )
                if unreadable:
                    tx.event("vault.pending_audit_unreadable", {"lines": unreadable})
                tx.event("vault.unlocked", {"method": vault.unlock.method.value})
        except StorageError:
            if not location.disk_full(vault.paths.db.parent):
                raise
            vault.write_refusal = location.full_disk_error(vault.paths)
        else:
            failures.clear(vault.paths.failures)
            pending_audit.clear(vault.paths, vault.vault_id)
            return
    vault.audit("vault.unlocked", {"method": vault.unlock.method.value})


def check_files(paths: VaultPaths) -> None:
    if not paths.db.exists():
        raise VaultNotFoundError(
            f"There is no vault at {paths.db}. Check the path, or create one with "
            "'strongroom init'.",
            path=paths.db,
        )
    size = paths.db.stat().st_size
    if size < 1024 and not paths.wal.exists():
        raise CorruptVaultError(
            f"The database {paths.db} is truncated ({size} bytes). Restore it from a backup.",
            path=paths.db,
        )


def _meta(conn: Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def connect_checked(
    paths: VaultPaths, header: Header, key: bytes, *, readonly: bool, immutable: bool = False
) -> Connection:
    """Open the database with a key already proven against the header."""
    try:
        conn = connection.connect(paths.db, key, readonly=readonly, immutable=immutable)
    except DatabaseError as exc:
        raise location.open_failure(exc, paths) from None
    try:
        vault_id = _meta(conn, "vault_id")
    except DatabaseError as exc:
        conn.close()
        raise location.open_failure(exc, paths) from None
    if vault_id != header.vault_id:
        conn.close()
        raise CorruptVaultError(
            f"The header file {paths.header} belongs to another vault than {paths.db}. "
            "Put the matching header back beside it, or restore both from a backup.",
            path=paths.header,
        )
    return conn


@contextlib.contextmanager
def untouched_on_failure(paths: VaultPaths) -> Iterator[None]:
    """SQLite creates an empty WAL and a shared-memory file on first read. If the
    block fails, remove the ones it created, so the vault is left as it was found."""
    existed = {p for p in (paths.wal, paths.shm) if p.exists()}
    try:
        yield
    except BaseException:
        remove_new_sidecars(paths, existed)
        raise


def remove_new_sidecars(paths: VaultPaths, existed: set[Path]) -> None:
    for sidecar in (paths.wal, paths.shm):
        if sidecar not in existed:
            with contextlib.suppress(OSError):
                if sidecar == paths.shm or sidecar.stat().st_size == 0:
                    sidecar.unlink()


@dataclass(frozen=True)
class Opened:
    conn: Connection
    #: why the vault cannot be written (None: it can)
    refusal: VaultError | None
    immutable: bool


def read_only_mode(paths: VaultPaths, *, can_write: bool) -> tuple[VaultError | None, bool]:
    """Decided before opening: (why it cannot be written, open it immutable?)."""
    refusal: VaultError | None = None
    if not can_write:
        refusal = location.read_only_error(paths, location.read_only_reason(paths))
    elif location.disk_full(paths.db.parent):
        refusal = location.full_disk_error(paths)
    # Immutable: SQLite then needs no -shm file, which a read-only folder or a full
    # disk cannot hold; only safe when no change waits in the WAL.
    return refusal, refusal is not None and not location.wal_has_content(paths)


def _damage(conn: Connection, paths: VaultPaths, vault_id: str, key: bytes) -> list[str]:
    """Every page that fails its check; skipped if the file is as Strongroom left it."""
    if page_check.unchanged(paths, vault_id=vault_id, key=key):
        return []
    damage = connection.page_errors(conn)
    if damage:
        page_check.forget(paths, vault_id)
    else:
        page_check.remember(paths, vault_id=vault_id, key=key)
    return damage


def open_database(paths: VaultPaths, header: Header, key: bytes, *, can_write: bool) -> Opened:
    """Check the schema version and every page read-only, then open for writing
    only if the vault can be written and no page failed its check."""
    refusal, immutable = read_only_mode(paths, can_write=can_write)
    existed = {p for p in (paths.wal, paths.shm) if p.exists()}
    with untouched_on_failure(paths):
        conn = connect_checked(paths, header, key, readonly=True, immutable=immutable)
        try:
            # Refuse a too-new schema, and find damage, before any write.
            migrate.refuse_if_too_new(conn, paths.db, MIGRATIONS)
            damage = _damage(conn, paths, header.vault_id, key)
        except BaseException:
            conn.close()
            raise
        if damage:
            more = f" and {len(damage) - 1} more" if len(damage) > 1 else ""
            refusal = CorruptVaultError(
                f"The database {paths.db} is damaged ({damage[0]}{more}), so Strongroom will "
                "not write to it. What can still be read can be exported; restore the vault "
                "from a backup.",
                path=paths.db,
            )
        if damage and not immutable and not location.wal_has_content(paths):
            # Leave a damaged vault as it was found: no sidecar file either. The
            # process lock keeps every other writer away, so immutable is safe.
            conn.close()
            remove_new_sidecars(paths, existed)
            immutable = True
            conn = connect_checked(paths, header, key, readonly=True, immutable=True)
        if refusal is not None:
            return Opened(conn, refusal, immutable)
        conn.close()
        location.heal_sidecars(paths)
        try:
            return Opened(connect_checked(paths, header, key, readonly=False), None, False)
        except StorageError:
            if not location.disk_full(paths.db.parent):
                raise
        # The disk filled up meanwhile (or SQLite could not make its -shm file).
        immutable = not location.wal_has_content(paths)
        conn = connect_checked(paths, header, key, readonly=True, immutable=immutable)
        return Opened(conn, location.full_disk_error(paths), immutable)


def resolve_key(
    paths: VaultPaths, header: Header, credentials: Credentials, keychain: Keychain
) -> tuple[bytes, UnlockInfo]:
    """Keychain, else passphrase, else recovery key; failures are recorded, not written."""
    note: str | None = None
    if credentials.use_keychain:
        status = keychain.status()
        if status.usable:
            stored = keychain.get(header.vault_id)
            if stored:
                try:
                    header.check_mac(stored, paths.header)
                    return stored, UnlockInfo(UnlockMethod.KEYCHAIN)
                except CorruptVaultError:
                    note = (
                        "The OS keychain holds a key that does not open this vault; "
                        "restore the entry from the passphrase."
                    )
            else:
                note = (
                    "The OS keychain has no entry for this vault; restore it from the passphrase."
                )
        else:
            note = status.describe() + "."
    else:
        note = "The OS keychain is not used for this vault."
    offered = credentials.passphrase is not None or credentials.recovery_key is not None
    if not offered:
        raise (
            NoUnlockMethodError(
                f"{note} Enter the passphrase (or the recovery key) to open {paths.db}.",
                path=paths.db,
            )
            if note
            else KeychainError(f"No way to unlock {paths.db}.", path=paths.db)
        )
    try:
        if credentials.passphrase is not None:
            key = header.unwrap_with_passphrase(credentials.passphrase, paths.db)
            method = UnlockMethod.PASSPHRASE
        else:
            assert credentials.recovery_key is not None
            key = header.unwrap_with_recovery_key(credentials.recovery_key, paths.db)
            method = UnlockMethod.RECOVERY_KEY
    except AuthenticationError as exc:
        failures.record(
            paths.failures,
            method="passphrase" if credentials.passphrase is not None else "recovery key",
            reason=type(exc).__name__,
        )
        raise
    header.check_mac(key, paths.header)
    return key, UnlockInfo(method, note)


def restore_keychain_entry(vault: Vault) -> bool:
    """Put the open vault's key back into the OS keychain; False if no keychain took it."""
    stored = vault.keychain.put(vault.vault_id, vault.key_bytes())
    if stored:
        vault.audit("vault.keychain_restored", {"backend": vault.keychain.status().backend})
    return stored


__all__ = [
    "Created",
    "Credentials",
    "VaultError",
    "create_vault",
    "open_vault",
    "restore_keychain_entry",
]
