"""Atomic file writes for everything kept outside the database."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from vault.errors import StorageError


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a crash leaves the old or the new file, never half."""
    write_atomic_chunks(path, (data,))


def write_atomic_chunks(path: Path, chunks: Iterable[bytes]) -> None:
    """`write_atomic` for data that comes in pieces (a large document): one piece in
    memory at a time. If `chunks` fails part way, the temp file is removed.

    The temp file sits in the same folder (same file system, so `os.replace`
    is atomic), is made 0600 before any byte is written, and is fsynced
    before it replaces the target.
    """
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise storage_error(exc, path) from None
    try:
        # mkstemp creates the file 0600, so no byte is ever readable by others.
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise storage_error(exc, path) from None
        raise


def fsync_dir(folder: Path) -> None:
    """Make a rename durable; a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def storage_error(exc: OSError, path: Path) -> StorageError:
    """A user-facing error for a failed write, by cause."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return StorageError(
            f"The disk holding {path} is full. Free some space and try again; nothing was changed.",
            path=path,
        )
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StorageError(
            f"Strongroom cannot write to {path} (read-only location or no permission). "
            "Choose a folder you can write to, or fix its permissions.",
            path=path,
        )
    return StorageError(f"Writing {path} failed: {exc.strerror or exc}.", path=path)
