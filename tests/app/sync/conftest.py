"""Desk sync with real parts: vaults on disk (no keychain), a folder target, wsgidav."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.sync.desk import create_desk, desk_info, enter_desk
from app.sync.keys import DeskKey
from app.sync.local import load
from app.sync.run import SyncReport, sync_run
from app.sync.segments import Position, seal_segment
from tests.conftest import PASSPHRASE
from tests.integrations.sync_servers import (
    DAV_PASSWORD,
    DAV_USER,
    DavServer,
    moto_server,
)
from vault.keys import Keychain
from vault.store import Vault
from vault.sync import cursors
from vault.sync import desk as desk_rows
from vault.unlock import create_vault

MakeVault = Callable[[str], Vault]
Pair = tuple[Vault, Vault, Path]
ENV = {"STRONGROOM_WEBDAV_PASSWORD": DAV_PASSWORD}


@pytest.fixture
def make_vault(tmp_path: Path, no_keychain: Keychain) -> Iterator[MakeVault]:
    """New vaults in their own folders; closed at the end."""
    made: list[Vault] = []

    def make(name: str) -> Vault:
        folder = tmp_path / name
        folder.mkdir()
        vault = create_vault(
            folder / f"{name}.vault", passphrase=PASSPHRASE, keychain=no_keychain
        ).vault
        made.append(vault)
        return vault

    yield make
    for vault in made:
        if vault.is_open:
            vault.close()


@pytest.fixture
def pair(make_vault: MakeVault, tmp_path: Path) -> Pair:
    """Vaults a and b on one desk whose target is the folder returned third."""
    a, b = make_vault("a"), make_vault("b")
    folder = tmp_path / "target"
    folder.mkdir()
    create_desk(a, target=f"folder:{folder}")
    join(b, desk_of=a)
    return a, b, folder


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1 (one per module: it is slow to start)."""
    with moto_server() as endpoint:
        yield endpoint


def dav_target(served: DavServer) -> str:
    return f"webdav:{served.url.replace('http://', f'http://{DAV_USER}@')}/strongroom/"


def join(joining: Vault, *, desk_of: Vault) -> None:
    """What `desk join` will do once its invitation is opened: the same desk, keys and
    target as `desk_of` (until then, tests hand them over like this)."""
    info = desk_info(desk_of)
    assert info is not None
    keys = [DeskKey(k) for k in desk_rows.keys(desk_of.conn).values()]
    target, endpoint = desk_rows.targets(desk_of.conn)[0]
    enter_desk(joining, desk=info.desk, name=info.name, keys=keys, target=target, endpoint=endpoint)


def notes(vault: Vault, *texts: str) -> None:
    with vault.transaction() as tx:
        for text in texts:
            tx.event("note.added", {"text": text})


def run(vault: Vault) -> SyncReport:
    report = sync_run(vault, env=ENV)
    assert report.ok, [t.message for t in report.targets]
    return report


def event_ids(vault: Vault, device: str) -> list[str]:
    rows = vault.conn.execute("SELECT id FROM events WHERE device = ? ORDER BY seq", (device,))
    return [r[0] for r in rows]


def put_signed(vault: Vault, folder: Path, events: list[dict[str, Any]]) -> int:
    """`events` sealed and signed by `vault`'s device as its next segment, put in the
    folder target (what a device of the desk could forge); returns the segment's number."""
    state = load(vault)
    last = cursors.last_outgoing(vault.conn)
    assert last is not None
    sealed = seal_segment(
        events,
        desk=state.desk,
        seq=last.seq + 1,
        after=Position(last.seq, last.digest),
        key=state.key,
        device=state.me,
        created_at="2026-01-01T00:00:00+00:00",
    )
    (folder / sealed.name).write_bytes(sealed.data)
    return last.seq + 1
