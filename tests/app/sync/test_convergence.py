"""Random edits on three devices, synced in random orders, always end in one `state`:
the same fields, notes, addresses and erasures on every device (hypothesis)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.book.activity import add_note, update_customer
from app.book.models import AddressDraft
from app.book.service import CustomerBook
from app.sync.desk import create_desk
from app.sync.run import sync_run
from app.sync.state import state_digest
from tests.app.approvals.conftest import add_customer
from tests.app.sync.conftest import ENV, join
from tests.conftest import PASSPHRASE
from vault.keys import Keychain
from vault.store import Vault
from vault.unlock import create_vault

FIELDS = {"country": ["DE", "FR", "IT"], "owner": ["ana", "ben", "cy"], "name": ["X", "Y"]}

op = st.one_of(
    st.tuples(
        st.just("edit"), st.integers(0, 2), st.sampled_from(sorted(FIELDS)), st.integers(0, 2)
    ),
    st.tuples(st.just("note"), st.integers(0, 2), st.just(""), st.integers(0, 9)),
    st.tuples(st.just("address"), st.integers(0, 2), st.just(""), st.integers(0, 3)),
    st.tuples(st.just("erase"), st.integers(0, 2), st.just(""), st.just(0)),
    st.tuples(st.just("sync"), st.integers(0, 2), st.just(""), st.just(0)),
)


def _customer(vault: Vault) -> tuple[int, bool] | None:
    row = vault.conn.execute("SELECT id, erased_at IS NOT NULL FROM customers").fetchone()
    return None if row is None else (int(row[0]), bool(row[1]))


def _apply(vault: Vault, kind: str, name: str, n: int) -> None:
    if kind == "sync":
        assert sync_run(vault, env=ENV).ok
        return
    found = _customer(vault)
    if found is None or found[1]:
        return
    customer, book = found[0], CustomerBook(vault)
    if kind == "edit":
        choices = FIELDS[name]
        update_customer(book, customer, {name: choices[n % len(choices)]})
    elif kind == "note":
        add_note(book, customer, f"note {n}")
    elif kind == "address":
        address = "0x" + f"{n:040x}"
        with vault.transaction() as tx:
            book.save_address(tx, customer, AddressDraft("ethereum", address, f"l{n}", None))
    else:
        book.erase_customer(customer, reason="asked")


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(op, max_size=14), order=st.permutations([0, 1, 2]))
def test_random_edits_on_three_devices_converge(
    ops: list[tuple[str, int, str, int]], order: list[int], no_keychain: Keychain
) -> None:
    with tempfile.TemporaryDirectory(prefix="strongroom-converge-") as folder:
        root = Path(folder)
        vaults: list[Vault] = []
        try:
            for name in "abc":
                (root / name).mkdir()
                made = create_vault(
                    root / name / f"{name}.vault", passphrase=PASSPHRASE, keychain=no_keychain
                )
                vaults.append(made.vault)
            (root / "target").mkdir()
            create_desk(vaults[0], target=f"folder:{root / 'target'}")
            join(vaults[1], desk_of=vaults[0])
            join(vaults[2], desk_of=vaults[0])
            add_customer(vaults[0], "C-1", "Shared Ltd")
            for vault in vaults:
                assert sync_run(vault, env=ENV).ok
            for kind, device, name, n in ops:
                _apply(vaults[device], kind, name, n)
            for _ in range(2):  # two rounds: every device's events reach every other
                for device in order:
                    assert sync_run(vaults[device], env=ENV).ok
            digests = {state_digest(v.conn) for v in vaults}
            assert len(digests) == 1, [
                v.conn.execute("SELECT country, owner, display_name FROM customers").fetchall()
                for v in vaults
            ]
        finally:
            for vault in vaults:
                vault.close()
