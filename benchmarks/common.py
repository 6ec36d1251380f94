"""Shared pieces of the benchmarks: the figure type, temp folders, a keychain stand-in."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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
