"""Failed unlock attempts, remembered until the next unlock can log them.

A failed attempt cannot write to the vault (the key is wrong), and the
vault's bytes must not change anyway. So each failure is appended as one
JSON line to a small side file holding no secret (time, method, reason);
the next successful unlock turns each line into a `vault.unlock_failed`
event in the chained log and deletes the file.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MAX_LINES = 1000


def record(path: Path, *, method: str, reason: str) -> None:
    """Best effort: a read-only folder must not turn a wrong passphrase into a crash."""
    line = json.dumps(
        {"at": datetime.now(UTC).isoformat(timespec="seconds"), "method": method, "reason": reason}
    )
    with contextlib.suppress(OSError):
        if path.exists() and path.stat().st_size > MAX_LINES * 200:
            return
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def take(path: Path) -> list[dict[str, Any]]:
    """Read and remove the pending failures (the caller logs them in the same breath)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    entries: list[dict[str, Any]] = []
    for line in text.splitlines()[:MAX_LINES]:
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if isinstance(entry, dict):
                entries.append({k: str(entry.get(k, "")) for k in ("at", "method", "reason")})
    return entries


def clear(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
