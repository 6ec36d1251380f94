"""Audit events of reads that happened while the vault could not be written.

Unlocking, verifying, exporting and backing up a vault on read-only media,
on a full disk or after damage was found must work, and must still be
audited. Such an event goes to a small side journal in the user's state
folder (not beside the vault: its folder is often the part that cannot be
written), one line per event, each sealed with AES-256-GCM under a key
derived from the database key, so an export's reason or a file name is not
in clear on disk. The next unlock that can write takes the journal into the
chained log, each event marked as recorded late with the time it happened,
and deletes it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from vault import crypto
from vault.paths import VaultPaths

MAX_LINES = 1000
_INFO = b"strongroom pending audit"


def journal_path(paths: VaultPaths, vault_id: str) -> Path:
    """One journal per vault file: two copies of a vault (same id) keep their own."""
    folder = Path(platformdirs.user_state_dir("Strongroom", appauthor=False)) / "pending-audit"
    where = hashlib.sha256(str(paths.db.resolve()).encode()).hexdigest()[:16]
    return folder / f"{vault_id}-{where}.jsonl"


def record(
    paths: VaultPaths,
    *,
    vault_id: str,
    key: bytes,
    type_: str,
    payload: Mapping[str, Any],
    author: str,
) -> bool:
    """Append one event to the journal; False if that could not be written either."""
    entry = {
        "type": type_,
        "payload": dict(payload),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "author": author,
    }
    nonce, sealed = crypto.seal(
        crypto.hkdf(key, info=_INFO), json.dumps(entry).encode(), vault_id.encode()
    )
    line = json.dumps(
        {"n": base64.b64encode(nonce).decode(), "c": base64.b64encode(sealed).decode()}
    )
    path = journal_path(paths, vault_id)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if path.exists() and path.stat().st_size > MAX_LINES * 2000:
            return False
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        return False
    return True


def take(paths: VaultPaths, *, vault_id: str, key: bytes) -> tuple[list[dict[str, Any]], int]:
    """The journal's events, oldest first, and how many lines could not be read
    (damaged, or sealed under a key the vault no longer has)."""
    try:
        text = journal_path(paths, vault_id).read_text(encoding="utf-8")
    except OSError:
        return [], 0
    kek = crypto.hkdf(key, info=_INFO)
    entries: list[dict[str, Any]] = []
    unreadable = 0
    for line in text.splitlines()[:MAX_LINES]:
        try:
            doc = json.loads(line)
            clear = crypto.open_sealed(
                kek,
                base64.b64decode(doc["n"], validate=True),
                base64.b64decode(doc["c"], validate=True),
                vault_id.encode(),
            )
            entry = json.loads(clear)
            if not isinstance(entry, dict) or not isinstance(entry.get("payload"), dict):
                raise ValueError("not an entry")
            entries.append(
                {
                    "type": str(entry["type"]),
                    "payload": entry["payload"],
                    "at": str(entry["at"]),
                    "author": str(entry["author"]),
                }
            )
        except (ValueError, KeyError, TypeError, crypto.UnwrapError):
            unreadable += 1
    return entries, unreadable


def clear(paths: VaultPaths, vault_id: str) -> None:
    with contextlib.suppress(OSError):
        journal_path(paths, vault_id).unlink()
