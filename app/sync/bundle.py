"""Air-gapped sync: the same sealed, signed files as a target holds, in one bundle file.

A bundle is a plain tar archive (uncompressed: its files are ciphertext) whose
members are named as on a target (`<desk>/devices/<device>/...`): this
device's announcement and every segment it wrote. `sync import` reads it
through `BundleReader`, a read-only target, so it passes exactly the checks
a pull from a target does (`pull.pull_from`): a bundle changed on the way is
quarantined, never half applied, and segments already taken are skipped.

Not yet: a bundle carries only its writer's own segments, not what it
received from third devices (received segments are applied, not kept as
files), so a device that meets only one other device gets only that one's
events.

The file is written atomically (`vault.atomic`), 0600; files and reads stay
within `container.MAX_FILE` each.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from app.sync.appliers import Appliers
from app.sync.container import MAX_FILE
from app.sync.desk import SyncError, now_text
from app.sync.local import load
from app.sync.project import default_appliers
from app.sync.push import seal_pending
from app.sync.run import SyncReport, TargetReport, exchange, log
from app.sync.segments import announcement_name, parse_name, segment_name
from app.sync.state import state_digest
from integrations.sync.base import Entry, Put
from vault.atomic import write_atomic
from vault.store import Vault
from vault.sync import cursors

#: the largest bundle read: many segments, each at most MAX_FILE
MAX_BUNDLE = 16 * MAX_FILE


def export_bundle(vault: Vault, path: Path) -> SyncReport:
    """Write this device's announcement and all its segments to a new file at `path`."""
    if path.exists():
        raise SyncError(f"{path} already exists; choose a new file for the bundle.")
    started = now_text()
    state = load(vault)
    seal_pending(vault, state)
    buffer = io.BytesIO()
    outgoing = cursors.outgoing(vault.conn)
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        _add(tar, announcement_name(state.desk, state.device), state.announcement)
        for out in outgoing:
            name = segment_name(state.desk, state.device, out.seq)
            _add(tar, name, cursors.outgoing_data(vault.conn, out.seq))
    write_atomic(path, buffer.getvalue())
    report = TargetReport(f"bundle:{path.name}", pushed=len(outgoing))
    log(vault, report, kind="export", started=started)
    return SyncReport(len(outgoing), 0, 0, 0, state_digest(vault.conn), [report])


def import_bundle(vault: Vault, path: Path, *, appliers: Appliers | None = None) -> SyncReport:
    """Take what a bundle holds that this vault lacks, with a target's checks."""
    started = now_text()
    state = load(vault)
    reader = BundleReader(path)
    report = TargetReport(f"bundle:{path.name}")
    exchange(
        vault,
        state,
        reader,
        target=report.target,
        appliers=appliers or default_appliers(),
        report=report,
        push=False,
        remember=False,
    )
    log(vault, report, kind="import", started=started)
    return SyncReport(
        0,
        report.pulled,
        report.applied,
        report.quarantined,
        state_digest(vault.conn),
        [report],
    )


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


class BundleReader:
    """A bundle file as a read-only target: list and get, nothing is ever put."""

    def __init__(self, path: Path) -> None:
        self.label = f"bundle {path.name}"
        try:
            size = path.stat().st_size
            if size > MAX_BUNDLE:
                raise SyncError(f"{path} is larger than any bundle Strongroom writes.")
            with tarfile.open(path, mode="r:") as tar:
                self._files = {
                    m.name: _read(tar, m)
                    for m in tar.getmembers()
                    if m.isfile() and m.size <= MAX_FILE and parse_name(m.name) is not None
                }
        except (OSError, tarfile.TarError):
            raise SyncError(
                f"{path} is not a Strongroom bundle that can be read; ask for it again."
            ) from None

    def put_if_absent(self, name: str, data: bytes) -> Put:
        raise SyncError("A bundle is only read")

    def get(self, name: str) -> bytes | None:
        return self._files.get(name)

    def list(self, prefix: str = "") -> list[Entry]:
        return [Entry(n, len(d)) for n, d in sorted(self._files.items()) if n.startswith(prefix)]

    def close(self) -> None:
        self._files = {}


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(member)
    return b"" if handle is None else handle.read()
