"""Opening SQLCipher connections with a raw key, and naming what went wrong."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path
from typing import TYPE_CHECKING

import sqlcipher3
from sqlcipher3 import dbapi2

from vault.errors import CorruptVaultError, StorageError, VaultError

if TYPE_CHECKING:
    # sqlcipher3 ships no type hints; its API is the standard library's sqlite3.
    from sqlite3 import Connection as Connection
    from sqlite3 import DatabaseError as DatabaseError
else:
    Connection = dbapi2.Connection
    DatabaseError = dbapi2.DatabaseError

_quiet = False


def _silence_sqlcipher_log(conn: Connection) -> None:
    # SQLCipher logs every failed HMAC check to stderr; our errors say it better.
    global _quiet
    if not _quiet:
        conn.execute("PRAGMA cipher_log_level = NONE")
        _quiet = True


def _key_pragma(key: bytes) -> str:
    # A raw key ("x'..'") skips SQLCipher's PBKDF2: the key is already random.
    return f"PRAGMA key = \"x'{key.hex()}'\""


def _configure(conn: Connection, *, readonly: bool) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    # Every page read from disk is decrypted and HMAC-checked, so a cache miss costs
    # far more than in plain SQLite: keep 64 MiB of hot pages (indexes on random
    # keys such as addresses and event ids stay in memory during bulk imports).
    conn.execute("PRAGMA cache_size = -65536")
    if not readonly:
        # FULL: a commit is on disk when COMMIT returns, so an event the
        # app reported as saved survives a power cut, not only a crash.
        conn.execute("PRAGMA synchronous = FULL")


def connect(
    path: Path, key: bytes, *, readonly: bool = False, immutable: bool = False
) -> Connection:
    """A keyed connection; raises `DatabaseError` if the key does not fit.

    Autocommit mode (isolation_level=None): transactions are always explicit
    (`BEGIN IMMEDIATE` for writes) so that each event commits with its change.
    `immutable` (read-only only): SQLite creates no `-wal`/`-shm` file and takes no
    lock, for a vault on read-only media or a full disk that nothing else writes.
    """
    mode = "ro&immutable=1" if immutable else "ro" if readonly else "rw"
    uri = f"{Path(path).resolve().as_uri()}?mode={mode}"
    conn: Connection = sqlcipher3.connect(
        uri, uri=True, isolation_level=None, check_same_thread=False
    )
    _silence_sqlcipher_log(conn)
    try:
        conn.execute(_key_pragma(key))
        # Reading the schema forces SQLCipher to decrypt page 1 with the key.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        _configure(conn, readonly=readonly or immutable)
        if not (readonly or immutable):
            # A restored backup is a single file in rollback mode; vaults run in WAL.
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def page_errors(conn: Connection) -> list[str]:
    """Every page whose HMAC fails (SQLCipher checks each page's authentication tag)."""
    try:
        return [str(row) for (row,) in conn.execute("PRAGMA cipher_integrity_check")]
    except DatabaseError as exc:
        return [f"page check failed ({exc})"]


def create_database(path: Path, key: bytes) -> Connection:
    """A new, empty, keyed database in WAL mode. The file must not exist."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    conn: Connection | None = None
    try:
        conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
        _silence_sqlcipher_log(conn)
        conn.execute(_key_pragma(key))
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        _configure(conn, readonly=False)
    except BaseException:
        # Only files this call created are removed: the O_EXCL above proved it.
        if conn is not None:
            conn.close()
        for created in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            with contextlib.suppress(OSError):
                created.unlink()
        raise
    return conn


def encrypted_copy(conn: Connection, key: bytes, target: Path) -> None:
    """A consistent copy of `conn`'s database at `target`, encrypted under `key`.

    Uses SQLite's online backup API, so it can run while the vault is open.
    A file already at `target` is replaced only once the copy is complete.
    """
    partial = target.with_name(target.name + ".partial")
    for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        if stale.exists():
            stale.unlink()
    copy = create_database(partial, key)
    try:
        conn.backup(copy)
        copy.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        copy.execute("PRAGMA journal_mode = DELETE")
    finally:
        copy.close()
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)


def explain(exc: BaseException, path: Path) -> VaultError:
    """Map a SQLite/SQLCipher failure to a user-facing error naming `path`."""
    text = str(exc).lower()
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "full" in text:
        return StorageError(
            f"The disk holding {path} is full. Free some space and try again; "
            "the last change was not saved.",
            path=path,
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StorageError(
            f"Strongroom cannot write beside {path} (read-only location or no permission). "
            "Move the vault to a folder you can write to, or fix its permissions.",
            path=path,
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return CorruptVaultError(
            f"The database {path} is damaged, truncated or was altered. Run "
            "'strongroom verify' to locate the damage, and restore from a backup.",
            path=path,
        )
    return VaultError(f"The database {path} reported an error: {exc}.", path=path)
