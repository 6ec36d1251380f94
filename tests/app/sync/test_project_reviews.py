"""Periodic reviews across a desk (real vaults, a real invitation, a folder target): a
review signed on one device restarts the customer's clock on the other, verifies
there, and both devices print the same state; a review whose signature does not
match its message changes nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from app.reviews.service import Reviews
from app.sync.project.reviews import review_recorded
from app.sync.projection import Projection
from app.sync.state import state_digest
from app.sync.status import sync_status
from tests.app.names.test_names_screening import add_customer
from tests.app.sync.conftest import MakeVault, run
from tests.app.sync.test_project_names import _desk_of_two
from vault.events import Event


def test_a_review_signed_on_one_device_restarts_the_clock_on_the_other(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    a, b = _desk_of_two(make_vault, tmp_path)
    add_customer(a, "C1", "Ivan Petrov")
    run(a)
    run(b)
    assert [item.customer.external_id for item in Reviews(b).due(on=date(2099, 1, 1))] == ["C1"]

    recorded = Reviews(b).record("C1", outcome="no concerns", answers={})
    run(b)
    run(a)
    assert sync_status(a)["awaiting_projection"] == 0
    on_a = Reviews(a)
    (c1,) = a.conn.execute("SELECT id FROM customers WHERE external_id = 'C1'").fetchone()
    (held,) = on_a.history(c1)
    assert (held.uid, held.outcome, held.signer) == (
        recorded.row.uid,
        "no concerns",
        recorded.row.signer,
    )
    assert on_a.verify(held.uid)
    # The clock restarted on A too: C1 is not due again today.
    assert "C1" not in [item.customer.external_id for item in on_a.due()]
    assert state_digest(a.conn) == state_digest(b.conn)


def test_a_review_whose_signature_does_not_fit_changes_nothing(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    a, b = _desk_of_two(make_vault, tmp_path)
    add_customer(a, "C1", "Ivan Petrov")
    run(a)
    run(b)
    recorded = Reviews(b).record("C1", outcome="no concerns", answers={})
    (row,) = b.conn.execute(
        "SELECT e.id, e.device, e.seq, e.lamport, e.payload FROM events e "
        "WHERE e.type = 'review.recorded'"
    ).fetchall()
    body = json.loads(bytes(row[4]))
    body["message"]["outcome"] = "all fine, really"  # not what was signed
    forged = Event(
        id=row[0], device=row[1], seq=row[2], lamport=row[3], type="review.recorded",
        payload=json.dumps(body).encode(), author="x", created_at="2026-12-07T10:00:00+00:00",
        signature=None, prev_hash=b"", hash=b"",
    )  # fmt: skip
    with a.transaction() as tx:
        review_recorded(Projection(a, tx, {}), forged)
    assert a.conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0
    assert b.conn.execute("SELECT uid FROM reviews").fetchone()[0] == recorded.row.uid
