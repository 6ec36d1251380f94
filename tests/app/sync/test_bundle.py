"""Air-gapped sync: `sync export` / `sync import` carry the same verified segments as a target."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from app.sync.bundle import export_bundle, import_bundle
from app.sync.desk import SyncError, create_desk
from app.sync.status import sync_status
from tests.app.sync.conftest import MakeVault, Pair, event_ids, notes


def test_two_vaults_exchange_bundles_and_reach_one_state(pair: Pair, tmp_path: Path) -> None:
    a, b, _ = pair
    notes(a, "from a", "again a")
    notes(b, "from b")

    out = export_bundle(a, tmp_path / "a.bundle")
    assert out.pushed == 1 and (tmp_path / "a.bundle").stat().st_mode & 0o077 == 0
    got = import_bundle(b, tmp_path / "a.bundle")
    assert (got.pulled, got.quarantined) == (1, 0) and got.applied > 0
    assert event_ids(b, a.device) == event_ids(a, a.device)
    again = import_bundle(b, tmp_path / "a.bundle")
    assert (again.pulled, again.applied) == (0, 0)  # taken already: nothing twice

    export_bundle(b, tmp_path / "b.bundle")
    back = import_bundle(a, tmp_path / "b.bundle")
    assert back.pulled == 1
    assert back.state == sync_status(b)["state"] == sync_status(a)["state"]
    with pytest.raises(SyncError, match="already exists"):
        export_bundle(a, tmp_path / "a.bundle")


def test_a_changed_bundle_is_quarantined_and_nothing_of_it_applied(
    pair: Pair, tmp_path: Path
) -> None:
    a, b, _ = pair
    notes(a, "secret plan")
    export_bundle(a, tmp_path / "a.bundle")
    with tarfile.open(tmp_path / "a.bundle") as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    segment = next(n for n in files if n.endswith(".seg"))
    changed = bytearray(files[segment])
    changed[-100] ^= 1
    files[segment] = bytes(changed)
    with tarfile.open(tmp_path / "changed.bundle", "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    before = event_ids(b, a.device)
    got = import_bundle(b, tmp_path / "changed.bundle")
    assert (got.pulled, got.applied, got.quarantined) == (0, 0, 1)
    assert event_ids(b, a.device) == before == []
    [held] = sync_status(b)["quarantined"]
    assert held["target"] == "bundle:changed.bundle" and held["reason"] == "bad_signature"


def test_a_file_that_is_no_bundle_is_refused_plainly(make_vault: MakeVault, tmp_path: Path) -> None:
    a = make_vault("a")
    create_desk(a, target=f"folder:{tmp_path}")
    junk = tmp_path / "junk.bundle"
    junk.write_bytes(b"not a tar file at all" * 40)
    with pytest.raises(SyncError, match="not a Strongroom bundle"):
        import_bundle(a, junk)
