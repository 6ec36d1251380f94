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

    def _try_lock(handle: IO[bytes], *, shared: bool = False) -> bool:
        if shared:
            return True  # a read-only vault cannot be changed by a writer anyway
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(handle: IO[bytes], *, shared: bool = False) -> bool:
        try:
            mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
            fcntl.flock(handle.fileno(), mode | fcntl.LOCK_NB)
        except OSError:
            return False
        return True


class ProcessLock:
    """Held while a vault is open; `release()` is idempotent.

    `shared`: for a vault opened read-only where it lies. The lock file is not
    required (a read-only folder may have none, and none can be made); if there
    is one, a shared lock on it still refuses to read while a writer holds it."""

    def __init__(self, path: Path, vault_path: Path, *, shared: bool = False) -> None:
        self.path = path
        self._shared = shared
        self._handle: IO[bytes] | None = None
        try:
            # held for the lock's lifetime
            handle = open(path, "rb" if shared else "a+b", buffering=0)  # noqa: SIM115
        except OSError as exc:
            if shared:
                return
            raise storage_error(exc, path) from None
        if not _try_lock(handle, shared=shared):
            handle.seek(0)
            holder = handle.read(32).decode("ascii", "replace").strip()
            handle.close()
            who = f" (process {holder})" if holder.isdigit() else ""
            raise VaultBusyError(
                f"The vault {vault_path} is open in another Strongroom process{who}. "
                "Close it there first; two processes never share a vault.",
                path=vault_path,
            )
        if not shared:
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
            if not self._shared:
                with contextlib.suppress(OSError):
                    handle.seek(0)
                    handle.truncate()
            with contextlib.suppress(OSError):
                handle.close()
