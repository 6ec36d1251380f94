"""Finishing a re-key that was interrupted (crash, power cut, kill).

`keyops.rekey` writes, in this order: an encrypted backup under the old
key, a journal holding the new header, `PRAGMA rekey` (one transaction, so
the database is wholly under the old key or wholly under the new one), the
new header, the keychain entry; then it removes the journal and backup.

When an unlock finds the journal, whichever header's key opens the
database is the truth: it is installed and the journal removed. If neither
opens it, the backup (old key) is put back. Either way nothing is lost.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable

from vault import connection
from vault.connection import DatabaseError
from vault.errors import AuthenticationError, CorruptVaultError, VaultError
from vault.header import Header, read_header, write_header
from vault.keys import Keychain, KeychainStatus
from vault.paths import VaultPaths
from vault.store import UnlockInfo

PENDING_SUFFIX = "/rekey"

Resolver = Callable[..., tuple[bytes, UnlockInfo]]


class _PendingKeychain(Keychain):
    """The keychain as seen for the new header: its entry is the pending one."""

    def __init__(self, inner: Keychain) -> None:
        super().__init__()
        self._inner = inner

    def status(self) -> KeychainStatus:
        return self._inner.status()

    def get(self, vault_id: str) -> bytes | None:
        return self._inner.get(vault_id + PENDING_SUFFIX)


def _opens(paths: VaultPaths, key: bytes) -> bool:
    try:
        conn = connection.connect(paths.db, key, readonly=True)
    except DatabaseError:
        return False
    conn.close()
    return True


def finish(
    paths: VaultPaths, credentials: object, keychain: Keychain, resolve: Resolver
) -> tuple[Header, bytes, UnlockInfo]:
    old = read_header(paths.header)
    try:
        new = Header.from_bytes(paths.rekey_journal.read_bytes(), paths.rekey_journal)
    except (OSError, VaultError):
        new = None
    errors: list[AuthenticationError] = []
    candidates: list[tuple[Header, Keychain]] = []
    if new is not None:
        candidates.append((new, _PendingKeychain(keychain)))
    candidates.append((old, keychain))
    old_key: tuple[bytes, UnlockInfo] | None = None
    for header, ring in candidates:
        try:
            key, info = resolve(paths, header, credentials, ring)
        except AuthenticationError as exc:
            errors.append(exc)
            continue
        if _opens(paths, key):
            _install(paths, header, old, key, keychain)
            return header, key, info
        if header is old:
            old_key = (key, info)
    if errors:
        # A key we could not try may be the right one: never roll back on a guess.
        raise errors[-1]
    if old_key is not None and paths.rekey_backup_db.exists():
        _put_back_backup(paths)
        if _opens(paths, old_key[0]):
            _install(paths, old, old, old_key[0], keychain)
            return old, old_key[0], old_key[1]
    raise CorruptVaultError(
        f"A re-key of {paths.db} was interrupted and neither key opens the database. "
        f"Restore it from a backup; {paths.rekey_journal} was left in place.",
        path=paths.db,
    )


def _install(paths: VaultPaths, header: Header, old: Header, key: bytes, ring: Keychain) -> None:
    if header is not old:
        write_header(paths.header, header)
        if ring.get(header.vault_id) is not None or ring.get(header.vault_id + PENDING_SUFFIX):
            ring.put(header.vault_id, key)
    ring.delete(header.vault_id + PENDING_SUFFIX)
    with contextlib.suppress(OSError):
        paths.rekey_journal.unlink()
    with contextlib.suppress(OSError):
        paths.rekey_backup_db.unlink()


def _put_back_backup(paths: VaultPaths) -> None:
    for stale in (paths.wal, paths.shm):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
    os.replace(paths.rekey_backup_db, paths.db)
