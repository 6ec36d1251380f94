"""Shared fixtures: real vaults in tmp_path, a real Secret Service keychain."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from keyring.backends import SecretService, fail

from vault.keys import Keychain
from vault.unlock import Created, create_vault

PASSPHRASE = "correct horse battery"


@pytest.fixture(autouse=True)
def _own_state_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's audit side journal (vault.pending_audit) lives in its own folder,
    also for the CLI processes it starts (they inherit the environment)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs: a real file system that fills up (ENOSPC)."""
    from tests.vault.helpers import mount

    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs")
    disk = tmp_path / "disk"
    disk.mkdir()
    mount(["-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)])
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.fixture
def no_keychain() -> Keychain:
    """The machine without any keychain backend: keyring's own fail backend."""
    return Keychain(fail.Keyring())


@pytest.fixture
def dav(tmp_path: Path) -> Iterator[Any]:
    """A real WebDAV server (wsgidav) on 127.0.0.1 serving tmp_path/dav, with an empty
    `strongroom` folder; yields its `tests.integrations.sync_servers.DavServer`."""
    from tests.integrations.sync_servers import dav_server  # wsgidav loads only here

    root = tmp_path / "dav"
    (root / "strongroom").mkdir(parents=True)
    with dav_server(root) as served:
        yield served


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "desk.vault"


@pytest.fixture
def created(vault_path: Path, no_keychain: Keychain) -> Iterator[Created]:
    made = create_vault(vault_path, passphrase=PASSPHRASE, keychain=no_keychain)
    yield made
    made.vault.close()


@pytest.fixture
def closed_vault(vault_path: Path, no_keychain: Keychain) -> tuple[Path, str]:
    """A vault on disk, closed, with a few events; returns (path, recovery key)."""
    made = create_vault(vault_path, passphrase=PASSPHRASE, keychain=no_keychain)
    with made.vault.transaction() as tx:
        for i in range(5):
            tx.event("test.note", {"i": i})
    made.vault.close()
    return vault_path, made.recovery_key


def _need(binary: str) -> str:
    found = shutil.which(binary)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{binary} is missing: .ci/run must install it")
        pytest.skip(f"{binary} is not installed (apt-get install gnome-keyring dbus)")
    return found


@pytest.fixture(scope="session")
def secret_service_env() -> Iterator[dict[str, str]]:
    """A private D-Bus session with gnome-keyring's Secret Service, unlocked.

    The environment it yields (DBUS_SESSION_BUS_ADDRESS, HOME) also reaches
    CLI subprocesses, so `strongroom` run from a test finds the same keychain.
    """
    dbus = _need("dbus-daemon")
    gnome_keyring = _need("gnome-keyring-daemon")
    home = Path(tempfile.mkdtemp(prefix="strongroom-keyring-home-"))
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(home / "run"),
        "XDG_DATA_HOME": str(home / "data"),
    }
    (home / "run").mkdir(mode=0o700)
    bus = subprocess.Popen(
        [dbus, "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert bus.stdout is not None
    address = bus.stdout.readline().strip()
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    daemon = subprocess.run(
        [gnome_keyring, "--unlock", "--components=secrets"],
        input="test-keyring-password",
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert daemon.returncode == 0, daemon.stderr
    saved = {k: os.environ.get(k) for k in ("DBUS_SESSION_BUS_ADDRESS", "HOME")}
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
    os.environ["HOME"] = str(home)
    # The daemon may take a moment to claim its bus name.
    deadline = time.monotonic() + 10
    while True:
        try:
            SecretService.Keyring().get_password("strongroom-probe", "probe")
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    try:
        yield {"DBUS_SESSION_BUS_ADDRESS": address, "HOME": str(home)}
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        subprocess.run(["pkill", "-f", f"gnome-keyring-daemon.*{home}"], check=False)
        bus.terminate()
        bus.wait(timeout=10)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def secret_service(secret_service_env: dict[str, str]) -> Keychain:
    """The real OS keychain (Secret Service through gnome-keyring)."""
    ring = SecretService.Keyring()
    assert Keychain(ring).status().usable
    return Keychain(ring)
