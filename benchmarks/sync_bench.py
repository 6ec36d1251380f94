"""Sync figure: applying 100k events from another device, projections included.

python -m benchmarks.sync_bench     (or through benchmarks/run.py --only sync)

Device a writes 100k table-changing events through the real book (25k
customers created, 50k addresses linked, 25k customers edited) and pushes
them to a folder target; device b's `sync run` then fetches, verifies, stores
and projects them all. The figure is b's run.
"""

from __future__ import annotations

import time

from app.book.models import AddressDraft, CustomerDraft
from app.book.service import CustomerBook
from app.sync.desk import create_desk, desk_info, enter_desk
from app.sync.keys import DeskKey
from app.sync.run import sync_run
from app.sync.state import state_digest
from benchmarks.common import PASSPHRASE, Figure, MemoryKeyring, temp_folder
from vault.keys import Keychain
from vault.store import Vault
from vault.sync import desk as desk_rows
from vault.unlock import create_vault

CUSTOMERS = 25_000
TARGET_S = 10.0


def _address(n: int, k: int) -> str:
    return "0x" + f"{n:020x}{k:020x}"


def fill(vault: Vault, customers: int = CUSTOMERS) -> int:
    """4 events per customer on `vault`'s device (100k by default): customers, two
    addresses each, one edit each."""
    book = CustomerBook(vault)
    ids: list[int] = []
    with vault.transaction() as tx:
        for n in range(customers):
            draft = CustomerDraft(display_name=f"Customer {n}", external_id=f"C-{n}")
            ids.append(book.save_customer(tx, draft)[0])
    with vault.transaction() as tx:
        for n, customer in enumerate(ids):
            for k in range(2):
                link = AddressDraft("ethereum", _address(n, k), f"label {k}", None)
                book.link_address(tx, customer, link, normalized=True)
    with vault.transaction() as tx:
        for n, customer in enumerate(ids):
            draft = CustomerDraft(display_name=f"Customer {n}", external_id=f"C-{n}", country="DE")
            book.apply_changes(tx, customer, draft)
    return int(vault.conn.execute("SELECT count(*) FROM events").fetchone()[0])


def bench_sync_apply() -> list[Figure]:
    keychain = Keychain(MemoryKeyring())
    with temp_folder() as folder:
        a = create_vault(folder / "a.vault", passphrase=PASSPHRASE, keychain=keychain).vault
        (folder / "b").mkdir()
        b = create_vault(folder / "b" / "b.vault", passphrase=PASSPHRASE, keychain=keychain).vault
        target = folder / "target"
        target.mkdir()
        create_desk(a, target=f"folder:{target}")
        join(b, desk_of=a)
        events = fill(a)
        assert sync_run(a).ok
        start, cpu = time.perf_counter(), time.process_time()
        got = sync_run(b)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert got.ok and got.applied >= CUSTOMERS * 4, got.line()
        assert state_digest(a.conn) == state_digest(b.conn)
        a.close()
        b.close()
    return [
        Figure(
            "sync_apply_100k_events",
            seconds,
            "s",
            f"< {TARGET_S:.0f} s: {got.applied} events ({events} in a's log) fetched, "
            "verified, stored and projected by b's sync run, folder target",
            seconds / TARGET_S,
            "target",
        ),
        Figure(
            "sync_apply_100k_events_cpu",
            cpu,
            "s",
            f"< {TARGET_S:.0f} s: the same run's CPU time (what a loaded machine cannot hide)",
            cpu / TARGET_S,
            "target",
        ),
    ]


def join(joining: Vault, *, desk_of: Vault) -> None:
    """The desk's keys and target handed over as an invitation will hand them."""
    info = desk_info(desk_of)
    assert info is not None
    keys = [DeskKey(k) for k in desk_rows.keys(desk_of.conn).values()]
    target, endpoint = desk_rows.targets(desk_of.conn)[0]
    enter_desk(joining, desk=info.desk, name=info.name, keys=keys, target=target, endpoint=endpoint)


if __name__ == "__main__":
    for figure in bench_sync_apply():
        print(figure.line())
