"""Property-based fuzzing of a sync bundle someone hands over: any bytes, or a tar of
segment- and announcement-named members holding any bytes (some a real announcement
or segment changed at random). Importing it takes what checks out and refuses the rest
(SyncError, or quarantined files in the report); nothing else escapes, and the vault
still verifies."""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from keyring.backends import fail

from app.sync.bundle import import_bundle
from app.sync.desk import SyncError, create_desk
from app.sync.run import sync_run
from tests.app.sync.conftest import join
from tests.conftest import PASSPHRASE
from vault.events import verify_chain
from vault.keys import Keychain
from vault.store import Vault
from vault.unlock import create_vault

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def desk() -> Iterator[tuple[Vault, dict[str, bytes]]]:
    """Vault b on a desk, and the real files a wrote to the desk's folder."""
    with tempfile.TemporaryDirectory() as made:
        folder = Path(made)
        keychain = Keychain(fail.Keyring())
        a = create_vault(folder / "a.vault", passphrase=PASSPHRASE, keychain=keychain).vault
        (folder / "b").mkdir()
        b = create_vault(folder / "b" / "b.vault", passphrase=PASSPHRASE, keychain=keychain).vault
        target = folder / "target"
        target.mkdir()
        create_desk(a, target=f"folder:{target}")
        join(b, desk_of=a)
        sync_run(a)
        real = {
            str(p.relative_to(target)): p.read_bytes() for p in target.rglob("*") if p.is_file()
        }
        a.close()
        yield b, real
        b.close()


@st.composite
def _bundle(draw: st.DrawFn, real: dict[str, bytes]) -> bytes:
    if draw(st.integers(0, 4)) == 0:
        return draw(st.binary(max_size=600))
    names = sorted(real)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:") as tar:
        for _ in range(draw(st.integers(0, 4))):
            name = draw(st.sampled_from(names))
            data = real[name]
            if draw(st.booleans()):
                at = draw(st.integers(0, max(len(data) - 1, 0)))
                data = data[:at] + draw(st.binary(max_size=8)) + data[at + 1 :]
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


@settings(
    max_examples=EXAMPLES,
    deadline=5000,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize="FUZZ_EXAMPLES" not in os.environ,
)
@given(data=st.data())
def test_a_bundle_is_taken_or_refused(
    desk: tuple[Vault, dict[str, bytes]],
    data: st.DataObject,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    b, real = desk
    path = tmp_path_factory.mktemp("bundle") / "desk.srbundle"
    path.write_bytes(data.draw(_bundle(real)))
    try:
        import_bundle(b, path)
    except SyncError as exc:
        assert str(exc).strip() and "Traceback" not in str(exc)
    assert verify_chain(b.conn).ok
