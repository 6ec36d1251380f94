"""Where a vault lies: can it be written there, and what went wrong opening it.

Reads never need a write (DESIGN.md): a vault in a read-only folder, on
read-only media, in a read-only file or on a full disk is opened read-only,
decided before opening, so nothing is attempted that could fail half way.
When opening fails all the same, `open_failure` tells the causes apart
(truncation, damage, a header from another vault, a read-only location, a
full disk) by looking at the files, not only at SQLite's words.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from vault.errors import CorruptVaultError, StorageError, VaultError
from vault.paths import VaultPaths

#: SQLCipher 4's page size: a whole vault is a whole number of pages
PAGE_SIZE = 4096
#: below this much free space a vault is treated as on a full disk (a commit
#: writes a few pages to the WAL plus its index)
LOW_SPACE = 256 * 1024


def writable(paths: VaultPaths) -> bool:
    """Whether the vault's folder and database file can be written by this process.

    `os.access` answers for the real permissions, a read-only mount (EROFS) and an
    immutable file, also for root, without writing anything."""
    return os.access(paths.db.parent, os.W_OK) and os.access(paths.db, os.W_OK)


def disk_full(folder: Path) -> bool:
    try:
        stat = os.statvfs(folder)
    except OSError:
        return False
    return stat.f_bavail * stat.f_frsize < LOW_SPACE


def wal_has_content(paths: VaultPaths) -> bool:
    """Changes not yet folded into the database (a crash or a kill before closing)."""
    try:
        return paths.wal.stat().st_size > 0
    except OSError:
        return False


def heal_sidecars(paths: VaultPaths) -> None:
    """Make stale `-wal`/`-shm` files writable again before a writing open.

    SQLite gives them the database file's permissions when a read-only attempt
    creates them, and a read-only `-shm` then blocks every later write. The
    caller holds the process lock, so no other process uses them: the
    shared-memory index is rebuilt from the WAL, and the WAL is made the
    owner's to write."""
    with contextlib.suppress(OSError):
        if paths.shm.exists() and not os.access(paths.shm, os.W_OK):
            paths.shm.unlink()
    with contextlib.suppress(OSError):
        if paths.wal.exists() and not os.access(paths.wal, os.W_OK):
            paths.wal.chmod(0o600)


def read_only_reason(paths: VaultPaths) -> str:
    folder = paths.db.parent
    if not os.access(folder, os.W_OK):
        return f"its folder {folder} cannot be written to"
    return f"the file {paths.db} cannot be written to"


def read_only_error(paths: VaultPaths, reason: str) -> StorageError:
    """The refusal of a write to a vault opened read-only because of where it lies."""
    return StorageError(
        f"The vault {paths.db} is open read-only ({reason}). It can be read, verified, "
        "exported and backed up; to change it, copy its files to a folder you can write "
        "to, or fix the permissions.",
        path=paths.db,
    )


def full_disk_error(paths: VaultPaths) -> StorageError:
    return StorageError(
        f"The disk holding {paths.db} is full, so the vault is open read-only. It can be "
        "read, verified, exported and backed up to another disk; free some space to change it.",
        path=paths.db,
    )


def open_failure(exc: BaseException, paths: VaultPaths) -> VaultError:
    """What is true when the database would not open with a key its header proved."""
    db = paths.db
    text = str(exc).lower()
    try:
        size = db.stat().st_size
    except OSError:
        size = -1
    if size >= 0 and (size < PAGE_SIZE or size % PAGE_SIZE) and not wal_has_content(paths):
        return CorruptVaultError(
            f"The database {db} is truncated ({size} bytes, not a whole number of pages): "
            "a copy, download or disk stopped part way. Restore it from a backup or copy it "
            "again from where it came from; it was not changed.",
            path=db,
        )
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "full" in text:
        return full_disk_error(paths)
    if "disk i/o" in text and disk_full(db.parent):
        return full_disk_error(paths)
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        if wal_has_content(paths):
            return StorageError(
                f"The vault {db} has changes not yet folded into it (in {paths.wal.name}), and "
                "they cannot be read from this read-only location. Copy the vault's files "
                "(all that start with its name) to a folder you can write to and open the copy.",
                path=db,
            )
        return StorageError(
            f"Strongroom cannot open {db} here (read-only location or no permission to read "
            "it). Check the file's permissions, or copy the vault's files to a folder you "
            "can read and write.",
            path=db,
        )
    if "not a database" in text or "encrypted" in text:
        return CorruptVaultError(
            f"The first page of {db} does not decrypt with the key its header "
            f"{paths.header.name} holds: that page is damaged, or the header belongs to "
            "another vault. Put the matching header beside it, or restore both files from "
            "a backup; nothing was changed.",
            path=db,
        )
    if "malformed" in text or "corrupt" in text:
        return CorruptVaultError(
            f"The database {db} is damaged. Run 'strongroom verify --vault {db}' to locate "
            "the damage, and restore from a backup; nothing was changed.",
            path=db,
        )
    return VaultError(f"The database {db} could not be opened ({exc}).", path=db)
