"""Received events change the receiving vault's tables (real vaults through a folder
target, and WebDAV on 127.0.0.1): an approval made on another device while both were
offline, concurrent edits of one field, erasure, and the same `state` everywhere."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from app.approvals.enrol import new_member
from app.approvals.service import ApprovalService
from app.approvals.times import iso, utc_now
from app.book.activity import add_note, add_task, complete_task, update_customer
from app.book.models import AddressDraft
from app.book.service import CustomerBook
from app.sync.desk import create_desk
from app.sync.run import sync_run
from app.sync.state import state_digest
from app.sync.status import sync_status
from tests.app.approvals.conftest import ETH, add_customer, add_prices
from tests.app.sync.conftest import ENV, MakeVault, Pair, dav_target, join, run
from tests.integrations.sync_servers import DavServer
from vault.approvals import store
from vault.store import Vault


def _customer(vault: Vault, external_id: str) -> tuple[int, str, str, str | None]:
    row = vault.conn.execute(
        "SELECT id, display_name, country, erased_at FROM customers WHERE external_id = ? "
        "OR (erased_at IS NOT NULL AND ? = '')",
        (external_id, external_id),
    ).fetchone()
    assert row is not None
    return int(row[0]), str(row[1]), str(row[2]), row[3]


def _status(vault: Vault, request_id: str) -> tuple[str, int]:
    row = vault.conn.execute(
        "SELECT status, approvals FROM approval_requests WHERE id = ?", (request_id,)
    ).fetchone()
    assert row is not None, "the request did not arrive"
    return str(row[0]), int(row[1])


def _officer_on(b: Vault, name: str) -> None:
    """A member whose key is made and kept on device b (what joining will do)."""
    root = store.root(b.conn)
    assert root is not None
    with b.transaction() as tx:
        new_member(tx, name, is_root=False, now=iso(utc_now()), added_by=root)


def _whitelist_approved_elsewhere(a: Vault, b: Vault) -> None:
    add_customer(a, "C-1", "Acme Ltd")
    admin = ApprovalService(a)
    admin.set_policy(admin.policy_text().replace("unscreened: needs_refresh", "unscreened: allow"))
    run(a)
    run(b)  # b learns the customer, the root admin and the policy
    assert _customer(b, "C-1")[1] == "Acme Ltd"
    _officer_on(b, "bob")
    run(b)
    run(a)  # a learns bob (his key stays on b) and the admin grants him a role
    admin.grant_role("bob", "officer")
    run(a)
    run(b)

    # Both offline: a requests, b cannot see it yet; a edits, b adds a note.
    request = admin.request_whitelist("C-1", "ethereum", ETH, Decimal("1000"))
    assert request.status == "pending"
    run(a)
    run(b)
    bob = ApprovalService(b, acting_as="bob")
    outcome = bob.decide(request.id, "approve", "known counterparty")
    assert outcome.ok, outcome.message
    shared = b.conn.execute("SELECT local_only FROM approval_decisions").fetchone()
    assert shared == (1,)  # local - not yet shared
    run(b)
    assert b.conn.execute("SELECT local_only FROM approval_decisions").fetchone() == (0,)
    run(a)
    assert _status(a, request.id) == ("approved", 1)
    assert _status(b, request.id) == ("approved", 1)
    run(b)  # b takes a's own follow-up events (the status that became final)
    assert state_digest(a.conn) == state_digest(b.conn)
    assert sync_status(a)["awaiting_projection"] == 0
    assert sync_status(b)["awaiting_projection"] == 0


def test_a_whitelist_requested_on_a_approved_on_b_is_approved_on_both(pair: Pair) -> None:
    a, b, _ = pair
    _whitelist_approved_elsewhere(a, b)


def test_the_same_through_webdav(make_vault: MakeVault, dav: DavServer) -> None:
    a, b = make_vault("a"), make_vault("b")
    create_desk(a, target=dav_target(dav))
    join(b, desk_of=a)
    _whitelist_approved_elsewhere(a, b)


def test_concurrent_edits_of_one_field_converge_and_show_two_devices(pair: Pair) -> None:
    a, b, _ = pair
    customer = add_customer(a, "C-7", "Zed GmbH")
    run(a)
    run(b)
    on_b = _customer(b, "C-7")[0]
    update_customer(CustomerBook(a), customer, {"country": "DE"})
    update_customer(CustomerBook(b), on_b, {"country": "FR"})
    run(a)
    run(b)
    run(a)
    assert _customer(a, "C-7")[2] == _customer(b, "C-7")[2]
    assert _customer(a, "C-7")[2] in ("DE", "FR")
    for vault in (a, b):
        marks = vault.conn.execute("SELECT field FROM customer_changes").fetchall()
        assert marks == [("country",)]
    assert state_digest(a.conn) == state_digest(b.conn)
    for vault in (a, b):
        [shown] = sync_status(vault)["changed_on_two_devices"]
        assert shown["customer"] == "C-7" and shown["field"] == "country"
        assert {shown["kept"], shown["other"]} == {"DE", "FR"}
        assert shown["kept"] == _customer(vault, "C-7")[2]
    # A change made after seeing the other is no conflict.
    update_customer(CustomerBook(b), on_b, {"country": "IT"})
    run(b)
    run(a)
    assert _customer(a, "C-7")[2] == "IT"
    assert a.conn.execute("SELECT count(*) FROM customer_changes").fetchone() == (1,)


def test_an_erasure_reaches_the_other_device(pair: Pair) -> None:
    a, b, _ = pair
    customer = add_customer(a, "C-9", "Jane Doe")
    book = CustomerBook(a)
    with a.transaction() as tx:
        book.save_address(tx, customer, AddressDraft("ethereum", ETH, "cold wallet", None))
    add_note(book, customer, "met in person")
    task = add_task(book, customer, "call back")
    run(a)
    run(b)
    on_b = _customer(b, "C-9")[0]
    assert b.conn.execute("SELECT label FROM addresses").fetchone() == ("cold wallet",)
    assert b.conn.execute("SELECT body FROM notes").fetchone() == ("met in person",)
    assert b.conn.execute("SELECT count(*) FROM sync_customer_keys").fetchone() == (1,)
    complete_task(book, task)
    book.erase_customer(customer, reason="data subject request")
    run(a)
    run(b)
    row = b.conn.execute(
        "SELECT display_name, erased_at IS NOT NULL FROM customers WHERE id = ?", (on_b,)
    ).fetchone()
    assert row == ("[erased]", 1)
    assert b.conn.execute("SELECT count(*) FROM notes").fetchone() == (0,)
    assert b.conn.execute("SELECT label FROM addresses").fetchone() == (None,)
    assert b.conn.execute("SELECT count(*) FROM sync_customer_keys").fetchone() == (0,)
    assert state_digest(a.conn) == state_digest(b.conn)


def test_an_edit_made_while_another_device_erased_lands_alike_on_both(pair: Pair) -> None:
    a, b, _ = pair
    customer = add_customer(a, "C-5", "Five")
    run(a)
    run(b)
    update_customer(CustomerBook(a), customer, {"country": "DE", "name": "Fiver"})
    with a.transaction() as tx:
        CustomerBook(a).save_address(tx, customer, AddressDraft("ethereum", ETH, "hot", None))
    CustomerBook(b).erase_customer(_customer(b, "C-5")[0], reason="asked")
    run(a)
    run(b)
    run(a)
    rows = [
        v.conn.execute(
            "SELECT display_name, country, erased_at IS NOT NULL FROM customers"
        ).fetchall()
        for v in (a, b)
    ]
    assert rows[0] == rows[1] == [("[erased]", "DE", 1)]
    for vault in (a, b):  # the address stays for AML, its label does not
        assert vault.conn.execute("SELECT address, label FROM addresses").fetchall() == [
            (ETH, None)
        ]
    assert state_digest(a.conn) == state_digest(b.conn)


def test_three_devices_converge_whatever_order_they_sync_in(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    a, b, c = make_vault("a"), make_vault("b"), make_vault("c")
    target = tmp_path / "target"
    target.mkdir()
    create_desk(a, target=f"folder:{target}")
    join(b, desk_of=a)
    join(c, desk_of=a)
    customer = add_customer(a, "C-3", "Three Ltd")
    run(a)
    run(b)
    run(c)
    ids = {v: _customer(v, "C-3")[0] for v in (b, c)}
    update_customer(CustomerBook(a), customer, {"country": "DE"})
    update_customer(CustomerBook(b), ids[b], {"country": "FR", "owner": "bea"})
    update_customer(CustomerBook(c), ids[c], {"owner": "cem"})
    for vault in (c, b, a, c, b, a):
        assert sync_run(vault, env=ENV).ok
    digests = {state_digest(v.conn) for v in (a, b, c)}
    assert len(digests) == 1
    assert len({_customer(v, "C-3")[2] for v in (a, b, c)}) == 1


@pytest.mark.parametrize("order", ["ab", "ba"])
def test_an_address_import_and_its_labels_reach_the_other(pair: Pair, order: str) -> None:
    a, b, _ = pair
    customer = add_customer(a, "C-4", "Four")
    book = CustomerBook(a)
    with a.transaction() as tx:
        uid = book.uid_of(tx, customer)
        book.link_addresses(tx, [(customer, uid, "ethereum", ETH, "hot", "kyc file")])
    run(a)
    run(b)
    assert b.conn.execute("SELECT label, evidence FROM addresses").fetchall() == [
        ("hot", "kyc file")
    ]
    history = b.conn.execute("SELECT count(*) FROM event_customers").fetchone()
    assert history == (1,)


def test_a_withdrawal_priced_on_a_keeps_its_price_on_b_which_has_none(pair: Pair) -> None:
    """b holds no prices: revaluing the open request there kept the price it came with
    (found by the crash harness: b cleared it, and then asked for the top tier forever)."""
    a, b, _ = pair
    add_customer(a, "C-1", "Acme Ltd")
    admin = ApprovalService(a)
    admin.add_member("alice", ["officer"])
    admin.set_policy(admin.policy_text().replace("unscreened: needs_refresh", "unscreened: allow"))
    add_prices(a, USDT="1")
    request = admin.request_withdrawal("C-1", "USDT", Decimal("2000"), "ethereum", ETH)
    run(a)
    run(b)  # b takes the request while it is open: its status pass values it again
    assert _status(b, request.id) == ("pending", 0)
    valued = "SELECT value_exact, price FROM approval_requests WHERE id = ?"
    assert b.conn.execute(valued, (request.id,)).fetchone() == ("2000", "1")
    outcome = ApprovalService(a, acting_as="alice").decide(request.id, "approve", "fine")
    assert outcome.ok and outcome.status == "approved", outcome.message
    run(a)
    run(b)
    assert _status(b, request.id) == ("approved", 1)
    run(a)
    assert state_digest(a.conn) == state_digest(b.conn)
