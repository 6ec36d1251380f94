"""Sync figures around one `sync run` on a desk that holds a book already:

- `sync_run_noop_folder` / `sync_run_noop_webdav`: a run with nothing new
  (median of several), folder target and wsgidav on 127.0.0.1;
- `sync_push_decision_webdav`: one decision, from the call that makes it to its
  segment on the WebDAV target (the run that pushes it included; the app's
  idle delay before that run is not).

python -m benchmarks.sync_run_bench     (or benchmarks/run.py --only sync, with the 100k figure)

Device a writes a book of `CUSTOMERS` customers with two addresses each, b
joins and takes it all; the figures are b's (or a's) runs after that.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from app.approvals.service import ApprovalService
from app.sync.desk import create_desk
from app.sync.run import sync_run
from benchmarks.common import PASSPHRASE, Figure, MemoryKeyring, temp_folder
from benchmarks.sync_bench import fill, join
from tests.integrations.sync_servers import DAV_PASSWORD, DAV_USER, dav_server
from vault.keys import Keychain
from vault.store import Vault
from vault.unlock import create_vault

CUSTOMERS = 10_000
RUNS = 7
NOOP_FOLDER_MS = 100.0
NOOP_WEBDAV_MS = 300.0
PUSH_DECISION_S = 1.0
ENV = {"STRONGROOM_WEBDAV_PASSWORD": DAV_PASSWORD}


def bench_sync_run() -> list[Figure]:
    keychain = Keychain(MemoryKeyring())
    figures: list[Figure] = []
    with temp_folder() as folder:
        target = folder / "target"
        target.mkdir()
        a, b = _desk(folder / "folder", keychain, f"folder:{target}")
        figures.append(_noop(b, "sync_run_noop_folder", NOOP_FOLDER_MS, "folder target"))
        a.close()
        b.close()
        dav = folder / "dav"
        (dav / "strongroom").mkdir(parents=True)
        with dav_server(dav) as served:
            url = served.url.replace("http://", f"http://{DAV_USER}@")
            a, b = _desk(folder / "webdav", keychain, f"webdav:{url}/strongroom/")
            figures.append(_noop(b, "sync_run_noop_webdav", NOOP_WEBDAV_MS, "wsgidav on 127.0.0.1"))
            figures.append(_push_decision(a, dav))
            a.close()
            b.close()
    return figures


def _desk(folder: Path, keychain: Keychain, target: str) -> tuple[Vault, Vault]:
    """a with its book on a desk at `target`, b joined and up to date with it."""
    folder.mkdir()
    (folder / "b").mkdir()
    a = create_vault(folder / "a.vault", passphrase=PASSPHRASE, keychain=keychain).vault
    b = create_vault(folder / "b" / "b.vault", passphrase=PASSPHRASE, keychain=keychain).vault
    ApprovalService(a).me()  # the root admin, as the first approvals use makes it
    create_desk(a, target=target)
    join(b, desk_of=a)
    fill(a, CUSTOMERS)
    for vault in (a, b, a):
        assert sync_run(vault, env=ENV).ok
    return a, b


def _noop(vault: Vault, name: str, target_ms: float, where: str) -> Figure:
    def once() -> None:
        got = sync_run(vault, env=ENV)
        assert got.ok and got.pushed == got.pulled == 0, got.line()

    once()  # the first run of a process reads the whole book for its `state`
    ms = _median_ms(once)
    return Figure(
        name,
        ms,
        "ms",
        f"< {target_ms:.0f} ms: `sync run` with nothing new, {where}, a book of "
        f"{CUSTOMERS} customers and {2 * CUSTOMERS} addresses (median of {RUNS})",
        ms / target_ms,
        "target",
    )


def _push_decision(a: Vault, dav: Path) -> Figure:
    service = ApprovalService(a)
    service.grant_role(service.me().name, "officer")
    assert sync_run(a, env=ENV).ok
    times: list[float] = []
    for n in range(3):
        row = service.request_onboarding(f"C-{n}")
        assert sync_run(a, env=ENV).ok
        before = set(dav.rglob("*.seg"))
        start = time.perf_counter()
        assert service.decide(row.id, "reject", "benchmark").ok
        assert sync_run(a, env=ENV).pushed == 1
        times.append(time.perf_counter() - start)
        assert len(set(dav.rglob("*.seg")) - before) == 1  # the decision's file is there
    seconds = statistics.median(times)
    return Figure(
        "sync_push_decision_webdav",
        seconds,
        "s",
        f"< {PUSH_DECISION_S:.0f} s: one decision, from the call to its segment on wsgidav "
        f"on 127.0.0.1 (median of {len(times)}; book of {CUSTOMERS} customers)",
        seconds / PUSH_DECISION_S,
        "target",
    )


def _median_ms(call: Callable[[], None]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    for figure in bench_sync_run():
        print(figure.line())
