"""One process per vault: an OS-level lock on a file beside the database.

The lock is held by the kernel (flock on POSIX, LockFileEx through msvcrt
on Windows), so it vanishes with the process even after SIGKILL: no stale
lock to clean up. The holder's PID is written into the file only to make
the message to a second process precise.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import IO

from vault.atomic import storage_error
from vault.errors import VaultBusyError

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(handle: IO[bytes]) -> bool:
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(handle: IO[bytes]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True


class ProcessLock:
    """Held while a vault is open for writing; `release()` is idempotent."""

    def __init__(self, path: Path, vault_path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] | None = None
        try:
            handle = open(path, "a+b", buffering=0)  # noqa: SIM115 - held for the lock's lifetime
        except OSError as exc:
            raise storage_error(exc, path) from None
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read(32).decode("ascii", "replace").strip()
            handle.close()
            who = f" (process {holder})" if holder.isdigit() else ""
            raise VaultBusyError(
                f"The vault {vault_path} is open in another Strongroom process{who}. "
                "Close it there first; two processes never share a vault.",
                path=vault_path,
            )
        with contextlib.suppress(OSError):
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()).encode())
        self._handle = handle

    @property
    def held(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            with contextlib.suppress(OSError):
                handle.seek(0)
                handle.truncate()
            with contextlib.suppress(OSError):
                handle.close()
