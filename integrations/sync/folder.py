"""A folder as a sync target: a shared drive, a USB stick, a Syncthing folder.

Writes are atomic and never replace a file: the bytes go to a temp file in
the destination folder (0600, fsynced), which is then hard-linked to its
final name (`os.link` fails when the name exists) and unlinked. A reader, or
Syncthing, therefore sees no file or the whole file, never half of one. On a
file system without hard links (FAT and exFAT sticks) the temp file is renamed
after checking the name is free: only this device ever writes its names, so
no one can take the name between the check and the rename.

The folder itself is never created: a missing folder means an unmounted drive
or a stick that is not plugged in, and writing into the empty mount point
would start a second, private copy of the desk.

Listings leave out what is not ours (`base.kept_by_target`): our temp files,
Syncthing's temps, its `.stfolder` and `.stversions`, and conflict copies.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from integrations.http.errors import IntegrationError
from integrations.sync.base import (
    Entry,
    Put,
    TargetAuthError,
    TargetBusy,
    TargetError,
    TargetOffline,
    check_name,
    kept_by_target,
    settle_taken,
    valid_name,
)
from vault.atomic import fsync_dir

_TEMP_PREFIX = ".strongroom-"
#: errors of a network share or a disk going away: try again later
_TRANSIENT = frozenset(
    {errno.EIO, errno.ETIMEDOUT, errno.EAGAIN, errno.EBUSY, errno.ESTALE, errno.ENOTCONN}
)
#: os.link's ways of saying "this file system has no hard links"
_NO_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS})


class FolderTransport:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.label = f"folder {self.root}"

    def put_if_absent(self, name: str, data: bytes) -> Put:
        final = self._path(name)
        self._check_root()
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".tmp", dir=final.parent)
        except OSError as exc:
            raise self._error(exc) from None
        try:
            # Other members' devices read this file, maybe as other users of a
            # shared drive, or through a Syncthing daemon running as its own
            # user; it is ciphertext and signed, so readable by all is safe.
            with os.fdopen(fd, "wb") as handle:
                # Not on Windows (ACLs decide); FAT sticks and some shares refuse it.
                if hasattr(os, "fchmod"):
                    with contextlib.suppress(OSError):
                        os.fchmod(handle.fileno(), 0o644)
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            written = _place(tmp, final)
            fsync_dir(final.parent)
        except OSError as exc:
            raise self._error(exc) from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        return Put.WRITTEN if written else settle_taken(name, data, self.get)

    def get(self, name: str) -> bytes | None:
        path = self._path(name)
        self._check_root()
        try:
            return path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise self._error(exc) from None

    def list(self, prefix: str = "") -> list[Entry]:
        check_name(prefix, prefix=True)
        self._check_root()
        # Walk only the folder the prefix names, not the whole target.
        folder = prefix.rpartition("/")[0]
        start = self.root / folder if folder else self.root
        found: list[Entry] = []
        try:
            for here, dirs, files in os.walk(start, onerror=_raise):
                dirs[:] = [d for d in dirs if not kept_by_target(d)]
                base = Path(here).relative_to(self.root).as_posix()
                for file in files:
                    name = file if base == "." else f"{base}/{file}"
                    if kept_by_target(file) or not name.startswith(prefix) or not valid_name(name):
                        continue
                    with contextlib.suppress(FileNotFoundError):
                        found.append(Entry(name, (Path(here) / file).stat().st_size))
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise self._error(exc) from None
        return sorted(found)

    def close(self) -> None:
        pass

    def _path(self, name: str) -> Path:
        return self.root.joinpath(*check_name(name).split("/"))

    def _check_root(self) -> None:
        try:
            present = self.root.is_dir()
        except OSError as exc:
            raise self._error(exc) from None
        if not present:
            raise TargetOffline(
                f"the sync folder {self.root} is not there",
                hint="Connect the drive or stick that holds it; sync waits until then",
                retryable=True,
            )

    def _error(self, exc: OSError) -> IntegrationError:
        what = exc.strerror or type(exc).__name__
        if exc.errno in (errno.EACCES, errno.EPERM):
            return TargetAuthError(
                f"no permission to use the sync folder {self.root} ({what})",
                hint="Give this user read and write access to the folder",
            )
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return TargetError(
                f"the disk holding the sync folder {self.root} is full",
                hint="Free some space there; nothing was written",
            )
        if exc.errno == errno.EROFS:
            return TargetError(
                f"the sync folder {self.root} is read-only",
                hint="Choose a folder this computer can write to",
            )
        if exc.errno in _TRANSIENT:
            return TargetBusy(f"the sync folder {self.root} failed ({what})", retryable=True)
        return TargetError(f"the sync folder {self.root} failed ({what})")


def _place(tmp: str, final: Path) -> bool:
    """Give the temp file its final name unless the name exists; False if it does."""
    try:
        os.link(tmp, final)
        return True
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
    if final.exists():
        return False
    try:
        os.rename(tmp, final)  # never over a file on Windows, which raises instead
    except FileExistsError:
        return False
    return True


def _raise(exc: OSError) -> None:
    raise exc
