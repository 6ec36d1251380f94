"""Whether the database file changed since Strongroom last knew every page whole.

Once a page fails its check nothing may write to the vault, so unlocking
checks every page's HMAC first. That takes seconds on a vault of a few
hundred MB, so it runs only when the file may have changed behind our back:
after a clean check, and after each clean close (its writes are ours), the
file's size, inode and change time (ctime, which no tool can set back) are
remembered in the user's state folder under a MAC keyed by the database
key. A file found with the same stamp was not touched since; any other
change (a copy, an edit, a flipped byte, a restore) makes the next unlock
check every page again.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
from pathlib import Path

import platformdirs

from vault import crypto
from vault.atomic import write_atomic
from vault.errors import StorageError
from vault.paths import VaultPaths

_INFO = b"strongroom page check"


def _record(paths: VaultPaths, vault_id: str) -> Path:
    folder = Path(platformdirs.user_state_dir("Strongroom", appauthor=False)) / "checked"
    where = hashlib.sha256(str(paths.db.resolve()).encode()).hexdigest()[:16]
    return folder / f"{vault_id}-{where}.json"


def _stamp(paths: VaultPaths, key: bytes) -> str | None:
    try:
        stat = paths.db.stat()
    except OSError:
        return None
    body = json.dumps([stat.st_size, stat.st_ino, stat.st_ctime_ns])
    return hmac.new(crypto.hkdf(key, info=_INFO), body.encode(), "sha256").hexdigest()


def unchanged(paths: VaultPaths, *, vault_id: str, key: bytes) -> bool:
    """True if the file is as it was when last known whole (no check needed)."""
    stamp = _stamp(paths, key)
    try:
        known = _record(paths, vault_id).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return False
    return stamp is not None and hmac.compare_digest(known, stamp)


def remember(paths: VaultPaths, *, vault_id: str, key: bytes) -> None:
    """Best effort: without the record the next unlock just checks every page."""
    stamp = _stamp(paths, key)
    if stamp is None:
        return
    record = _record(paths, vault_id)
    with contextlib.suppress(OSError, StorageError):
        record.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(record, stamp.encode())


def forget(paths: VaultPaths, vault_id: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(_record(paths, vault_id))
