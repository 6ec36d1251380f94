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


def peak_rss_mib() -> float:
    """This process's own peak resident set size, in MiB.

    Not getrusage's ru_maxrss: on Linux a child inherits that from its parent across
    fork and exec, so a probe started by a runner holding 300 MB reported about 300 MB
    whatever it used itself (customers_view_rss and queue_view_rss once printed the
    same 361.672 MiB). VmHWM is the high-water mark of this process's own memory map.
    Elsewhere (no /proc) ru_maxrss is the best there is: bytes on macOS, KiB otherwise.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # "VmHWM:   10956 kB"
    except OSError:
        pass
    import resource  # not on Windows, where no probe has run yet

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


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
