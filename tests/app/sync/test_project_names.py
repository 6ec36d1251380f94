"""Name screening across a desk (real vaults, a real invitation, a folder target): hits
raised on one device are held on the other, where an officer disposes of them; the
signed disposition verifies on the first device too, and a true match prohibits the
customer on both. The desk's root admin is one member on every device."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from app.approvals.service import ApprovalService
from app.names.service import NameScreening
from app.screening.sanctions import import_sanctions
from app.sync.desk import create_desk
from app.sync.inviting import invite
from app.sync.join import join
from app.sync.state import state_digest
from app.sync.status import sync_status
from tests.app.names.test_names_screening import ALT_ROWS, SDN_ROWS, add_customer, write_csv
from tests.app.sync.conftest import MakeVault, run
from vault.approvals import store
from vault.store import Vault


def _hits(vault: Vault) -> list[tuple[object, ...]]:
    return [
        (h.customer_uid, h.entry_id, h.name_digest, h.entry_digest, h.status, h.raised_at)
        for h in NameScreening(vault).hits()
    ]


def _root(vault: Vault) -> tuple[str, str]:
    found = store.root(vault.conn)
    assert found is not None
    return found.id, found.address


def _desk_of_two(make_vault: MakeVault, tmp_path: Path) -> tuple[Vault, Vault]:
    (tmp_path / "target").mkdir()
    a = make_vault("a")
    ApprovalService(a).me()  # the root admin, as the first approvals use makes it
    create_desk(a, target=f"folder:{tmp_path / 'target'}")
    made = invite(
        a, member="Bea", roles=("officer",), to=tmp_path / "bea.invite", now=datetime.now(UTC)
    )
    b = make_vault("b")
    join(b, file=made.file, code=made.code, now=datetime.now(UTC))
    return a, b


def test_hits_and_signed_dispositions_are_held_alike_on_every_device(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    a, b = _desk_of_two(make_vault, tmp_path)
    assert _root(a) == _root(b)  # one root admin, the desk's (its key stays on A)

    sdn = write_csv(tmp_path / "sdn.csv", SDN_ROWS)
    import_sanctions(
        a, sdn, list_date=date(2024, 5, 3), aliases=write_csv(tmp_path / "alt.csv", ALT_ROWS)
    )
    add_customer(a, "C1", "Mohammad Ghorbaniyan")
    add_customer(a, "C2", "Banco Nacional de Cuba", kind="entity")
    raised = NameScreening(a).screen()
    assert raised.raised == 2
    run(a)
    run(b)
    assert sync_status(b)["awaiting_projection"] == 0
    assert _hits(b) == _hits(a) and len(_hits(b)) == 2
    # B screens again against the list it received: the same hits, nothing new.
    assert NameScreening(b).screen().raised == 0

    # Bea, on B, disposes of both; A learns the signed decisions.
    on_b = NameScreening(b)
    for hit in on_b.hits():
        verdict = "true-match" if hit.entry_id == "306" else "false-positive"
        on_b.dispose(hit.id, verdict, "checked the registry")
    run(b)
    run(a)
    run(b)
    on_a = NameScreening(a)
    assert _hits(a) == _hits(b)
    assert {h.entry_id: h.status for h in on_a.hits()} == {
        "306": "true-match",
        "26138": "false-positive",
    }
    assert all(on_a.verify(h.id) for h in on_a.hits())  # signed over B's hit numbers
    assert all(on_b.verify(h.id) for h in on_b.hits())
    rating = "SELECT risk_rating FROM customers WHERE external_id = 'C2'"
    assert a.conn.execute(rating).fetchone() == b.conn.execute(rating).fetchone() == ("prohibited",)
    assert state_digest(a.conn) == state_digest(b.conn)
    assert _root(a) == _root(b)
