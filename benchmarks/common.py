"""Shared pieces of the benchmarks: the figure type, temp folders, a keychain stand-in."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keyring.backend import KeyringBackend

PASSPHRASE = "benchmark passphrase"


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    target: str
    ratio: float
    baseline: str

    def line(self) -> str:
        return (
            f"{self.name}: {self.value:.3f} {self.unit} "
            f"(target {self.target}; ratio {self.ratio:.3f} to {self.baseline})"
        )


class MemoryKeyring(KeyringBackend):
    """Stands in for the OS keychain when no Secret Service runs (CI without a session):
    the figures are about the vault's own paths, not about D-Bus."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._items.pop((service, username), None)


@contextlib.contextmanager
def temp_folder() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="strongroom-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def run_probe(module: str, vault: Path) -> dict[str, Any]:
    """Run a view probe (benchmarks/view_probe.py, queue_probe.py) in a process of its
    own on `vault`, so its figures and RSS are the app's; returns its JSON line."""
    probe = subprocess.run(
        [sys.executable, "-m", module, str(vault), PASSPHRASE],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[1],
        check=True,
    )
    found: dict[str, Any] = json.loads(probe.stdout.strip().splitlines()[-1])
    return found
