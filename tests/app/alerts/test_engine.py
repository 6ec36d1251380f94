"""The alert rules over a real vault: raised once per rule and subject until it clears,
the list re-screen raising exactly the new hits, and what people do with alerts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.alerts import actions
from app.alerts.engine import Raised, run_rules
from app.alerts.rules import parse
from app.alerts.rules_store import current_rules, current_text, set_rules
from app.alerts.service import TOPIC, AlertService
from app.book.activity import update_customer
from app.book.export import export
from app.book.models import AddressDraft, CustomerDraft, ValidationError
from app.book.service import CustomerBook
from app.bus import EventBus
from app.screening.sanctions import import_sanctions
from vault.alerts import store
from vault.screening.explorer import FlowRow, put_flows
from vault.store import Transaction, Vault
from vault.unlock import Created

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()
ETH = 10**18
#: only the rule under test
ONLY = "version: 1\nrules:\n" + "".join(
    f"  {name}: {{enabled: false}}\n"
    for name in ("inflow_drop", "outflow_spike", "dormant_active", "risk_raised",
                 "sanctions_hit", "kyc_review", "approvals_pending", "mass_export")
)  # fmt: skip
LISTED = [f"0x{n:040x}" for n in range(1, 6)]


def only(rule: str, extra: str = "") -> str:
    return ONLY.replace(f"  {rule}: {{enabled: false}}", f"  {rule}: {{enabled: true{extra}}}")


@pytest.fixture
def vault(created: Created) -> Iterator[Vault]:
    yield created.vault


@pytest.fixture
def book(vault: Vault) -> Iterator[CustomerBook]:
    book = CustomerBook(vault)
    yield book
    book.forget()


def _customer(book: CustomerBook, external_id: str, *addresses: str) -> int:
    with book.vault.transaction() as tx:
        customer_id, _ = book.save_customer(tx, CustomerDraft(external_id, external_id=external_id))
        for address in addresses:
            book.save_address(tx, customer_id, AddressDraft("ethereum", address))
    return customer_id


def _flows(vault: Vault, address: str, days: dict[int, int]) -> None:
    """Native inflow in wei on each day (days ago), fetched now, stored for the address
    as the book holds it (EIP-55)."""
    (stored,) = vault.conn.execute(
        "SELECT address FROM addresses WHERE address_key = ?", (address.lower(),)
    ).fetchone()
    rows = [
        FlowRow((TODAY - timedelta(days=n)).isoformat(), "", "ETH", 18, amount, 0, 1, True)
        for n, amount in days.items()
    ]
    with vault.transaction() as tx:
        put_flows(tx.conn, chain="ethereum", address=stored, source="test",
                  fetched_at=NOW.isoformat(), flows=rows)  # fmt: skip


def test_an_inflow_drop_is_raised_once_until_it_clears_then_again(
    vault: Vault, book: CustomerBook
) -> None:
    address = "0x" + "ab" * 20
    _customer(book, "C-1", address)
    _flows(vault, address, {10: 20 * ETH, 2: 10 * ETH})
    rules = parse(only("inflow_drop"))
    first = run_rules(vault, rules=rules, now=NOW)
    assert [(r.rule, r.subject, r.severity) for r in first.raised] == [
        ("inflow_drop", {"customer": "C-1"}, "warning")
    ]
    assert "-50%" in first.raised[0].why
    assert run_rules(vault, rules=rules, now=NOW).raised == []  # once per rule and subject
    _flows(vault, address, {3: 15 * ETH})  # the drop is gone
    cleared = run_rules(vault, rules=rules, now=NOW)
    assert cleared.raised == [] and cleared.cleared == 1
    row = store.by_uid(vault.conn, first.raised[0].id)
    assert row is not None and row.status(NOW.isoformat()) == "cleared"
    _flows(vault, address, {3: 0})  # and back: a new alert, not the old one
    again = run_rules(vault, rules=rules, now=NOW)
    assert len(again.raised) == 1 and again.raised[0].id != first.raised[0].id


def _plain_list(tmp_path: Path, name: str, addresses: list[str]) -> Path:
    path = tmp_path / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(addresses) + "\n", encoding="utf-8")
    return path


def test_a_newer_list_re_screens_the_book_and_raises_exactly_the_new_hits(
    vault: Vault, book: CustomerBook, tmp_path: Path
) -> None:
    # the book holds four listed-to-be addresses (one in mixed case) and one never listed
    _customer(book, "C-1", LISTED[0], LISTED[1].upper().replace("0X", "0x"))
    _customer(book, "C-2", LISTED[2], LISTED[3])
    _customer(book, "C-3", "0x" + "77" * 20)
    rules = parse(only("sanctions_hit"))
    first_list = _plain_list(tmp_path, "sanctioned_addresses_ETH.txt", LISTED[:2])
    import_sanctions(vault, first_list, "ETH", list_date=date(2026, 1, 1))
    first = run_rules(vault, rules=rules, now=NOW)
    assert sorted(r.subject["address"].lower() for r in first.raised) == [
        f"ethereum:{a}" for a in LISTED[:2]
    ]
    newer = _plain_list(tmp_path / "newer", "sanctioned_addresses_ETH.txt", LISTED[:4])
    import_sanctions(vault, newer, "ETH", list_date=date(2026, 2, 1))
    second = run_rules(vault, rules=rules, now=NOW)
    assert sorted(r.subject["address"] for r in second.raised) == [
        f"ethereum:{a}" for a in LISTED[2:4]
    ]
    assert {r.subject["customer"] for r in second.raised} == {"C-2"}
    assert all("2026-02-01" in r.why for r in second.raised)
    assert second.cleared == 0 and second.live == 4


def test_a_mass_export_by_one_person_in_a_day(
    vault: Vault, book: CustomerBook, tmp_path: Path
) -> None:
    for n in range(4):
        _customer(book, f"C-{n}")
    rules = parse(only("mass_export", ", customers: 5"))
    export(vault, "customers", tmp_path / "a.csv", reason="quarterly review")
    assert run_rules(vault, rules=rules, now=NOW).raised == []  # 4 is not more than 5
    export(vault, "customers", tmp_path / "b.csv", reason="again")
    raised = run_rules(vault, rules=rules, now=NOW).raised
    assert len(raised) == 1
    assert raised[0].values["customers"] == 8 and raised[0].values["exports"] == 2
    assert raised[0].subject == {"person": vault.log.author}


def test_kyc_reviews_due_then_overdue_raise_each_and_the_due_one_clears(
    vault: Vault, book: CustomerBook
) -> None:
    customer = _customer(book, "C-9")
    rules = parse(only("kyc_review"))
    soon = (TODAY + timedelta(days=10)).isoformat()
    update_customer(book, customer, {"kyc_expires_at": soon})
    due = run_rules(vault, rules=rules, now=NOW)
    assert [r.why for r in due.raised] == [f"KYC review due in 10 days (on {soon})"]
    later = NOW + timedelta(days=12)
    overdue = run_rules(vault, rules=rules, now=later)
    assert [r.why for r in overdue.raised] == [f"KYC review overdue by 2 days (expired on {soon})"]
    assert overdue.cleared == 1


def test_acknowledging_is_audited_and_keeps_the_alert_live_until_it_clears(
    vault: Vault, book: CustomerBook
) -> None:
    address = "0x" + "cd" * 20
    customer = _customer(book, "C-5", address)
    _flows(vault, address, {9: 4 * ETH})
    rules = parse(only("inflow_drop"))
    (raised,) = run_rules(vault, rules=rules, now=NOW).raised
    with pytest.raises(ValidationError, match="say why"):
        actions.acknowledge(vault, raised.id, reason="  ")
    row = actions.acknowledge(vault, raised.id, reason="Client moved funds to cold storage")
    assert row.acknowledged_by == vault.log.author
    event = vault.conn.execute(
        "SELECT payload FROM events WHERE type = 'alert.acknowledged'"
    ).fetchone()
    payload = json.loads(event[0])
    assert payload["alert"] == raised.id and payload["reason"].startswith("Client moved")
    about = vault.conn.execute("SELECT customer_id FROM event_customers").fetchall()
    assert (customer,) in about
    assert store.count(vault.conn, status="open", now=NOW.isoformat()) == 0
    assert store.count(vault.conn, status="acknowledged", now=NOW.isoformat()) == 1
    assert run_rules(vault, rules=rules, now=NOW).raised == []  # not raised again
    with pytest.raises(ValidationError, match="acknowledged already"):
        actions.acknowledge(vault, raised.id, reason="twice")
    with pytest.raises(ValidationError, match="no alert has the id 'nope'"):
        actions.acknowledge(vault, "nope", reason="why")


def test_snooze_hides_an_alert_until_then_and_a_task_lands_on_the_customer(
    vault: Vault, book: CustomerBook
) -> None:
    address = "0x" + "ef" * 20
    customer = _customer(book, "C-6", address)
    _flows(vault, address, {9: 4 * ETH})
    (raised,) = run_rules(vault, rules=parse(only("inflow_drop")), now=NOW).raised
    until = actions.snooze(vault, raised.id, days=2, now=NOW)
    assert store.count(vault.conn, status="open", now=NOW.isoformat()) == 0
    assert store.count(vault.conn, status="snoozed", now=NOW.isoformat()) == 1
    assert store.count(vault.conn, status="open", now=until) == 1
    task = actions.to_task(book, raised.id)
    title, owner = vault.conn.execute(
        "SELECT title, customer_id FROM tasks WHERE id = ?", (task,)
    ).fetchone()
    assert owner == customer and raised.why in title
    assert actions.to_task(book, raised.id) == task  # once


def test_raised_alerts_reach_the_hooks_inside_the_transaction_and_the_bus_after(
    vault: Vault, book: CustomerBook
) -> None:
    address = "0x" + "12" * 20
    _customer(book, "C-7", address)
    _flows(vault, address, {9: 4 * ETH})
    set_rules(vault, only("inflow_drop"))
    bus = EventBus()
    heard: list[tuple[str, dict[str, object]]] = []
    bus.subscribe(lambda topic, data: heard.append((topic, data)))
    hooked: list[tuple[bool, Raised]] = []
    service = AlertService(vault, bus)
    service.add_hook(lambda tx, raised: hooked.append((isinstance(tx, Transaction), raised)))
    report = service.run(now=NOW)
    assert [(inside, r.id) for inside, r in hooked] == [(True, report.raised[0].id)]
    assert heard == [(TOPIC, {"raised": [report.raised[0].as_dict()], "cleared": 0, "live": 1})]


def test_a_hook_that_fails_raises_nothing(vault: Vault, book: CustomerBook) -> None:
    address = "0x" + "34" * 20
    _customer(book, "C-8", address)
    _flows(vault, address, {9: 4 * ETH})

    def broken(_tx: Transaction, _raised: Raised) -> None:
        raise OSError("outbox full")

    with pytest.raises(OSError):
        run_rules(vault, rules=parse(only("inflow_drop")), now=NOW, hooks=[broken])
    assert store.count(vault.conn, status=None, now=NOW.isoformat()) == 0


def test_the_rules_set_are_kept_and_audited(vault: Vault) -> None:
    assert current_rules(vault.conn).get("mass_export").number("customers") == 500
    set_rules(vault, "version: 1\nrules:\n  mass_export:\n    customers: 20\n")
    assert current_rules(vault.conn).get("mass_export").number("customers") == 20
    assert current_text(vault.conn) == "version: 1\nrules:\n  mass_export:\n    customers: 20\n"
    assert vault.conn.execute(
        "SELECT count(*) FROM events WHERE type = 'alerts.rules_set'"
    ).fetchone() == (1,)


@pytest.mark.parametrize(("last", "raised"), [(10**22 + 1, 1), (10**22 + 2, 0)])
def test_big_amounts_are_summed_exactly_in_the_vault(
    vault: Vault, book: CustomerBook, last: int, raised: int
) -> None:
    """Beyond SQLite's 64-bit integers and a double's 53 bits: exactly -50% still raises
    and one wei less of a drop does not."""
    address = "0x" + "56" * 20
    _customer(book, "C-10", address)
    _flows(vault, address, {10: 10**22 + 1, 11: 10**22 + 1, 2: last})
    assert len(run_rules(vault, rules=parse(only("inflow_drop")), now=NOW).raised) == raised


def _answer(vault: Vault, address: str, level: str, provider: str, at: datetime) -> None:
    (stored,) = vault.conn.execute(
        "SELECT address FROM addresses WHERE address_key = ?", (address.lower(),)
    ).fetchone()
    with vault.transaction() as tx:
        tx.execute(
            "INSERT INTO screenings (address, chain, provider, level, score, fetched_at, status) "
            "VALUES (?, 'ethereum', ?, ?, 50, ?, 'ok')",
            (stored, provider, level, at.isoformat()),
        )


def test_risk_raised_follows_the_newest_level_at_any_provider(
    vault: Vault, book: CustomerBook
) -> None:
    address = "0x" + "78" * 20
    _customer(book, "C-11", address)
    rules = parse(only("risk_raised"))
    _answer(vault, address, "medium", "chainalysis", NOW - timedelta(days=3))
    assert run_rules(vault, rules=rules, now=NOW).raised == []
    _answer(vault, address, "severe", "elliptic", NOW - timedelta(days=1))
    (raised,) = run_rules(vault, rules=rules, now=NOW).raised
    day = (NOW - timedelta(days=1)).date().isoformat()
    assert raised.why == f"newest risk level severe at elliptic since {day}"
    _answer(vault, address, "low", "elliptic", NOW)  # elliptic's newest answer is low now
    assert run_rules(vault, rules=rules, now=NOW).cleared == 1


def test_a_raised_alert_is_queued_once_for_a_webhook_endpoint_taking_alert_raised(
    vault: Vault, book: CustomerBook
) -> None:
    from app.webhooks import endpoints
    from app.webhooks.events import KIND, outbox_key

    added = endpoints.add(vault, "http://127.0.0.1:9/hook", ["alert.raised"])
    address = "0x" + "56" * 20
    _customer(book, "C-9", address)
    _flows(vault, address, {9: 4 * ETH})
    set_rules(vault, only("inflow_drop"))
    service = AlertService(vault)
    (raised,) = service.run(now=NOW).raised
    assert service.run(now=NOW).raised == []  # still live: not raised, not queued again
    rows = vault.conn.execute("SELECT key, payload FROM outbox WHERE kind = ?", (KIND,)).fetchall()
    assert [key for key, _ in rows] == [outbox_key(added.id, "alert.raised", raised.id)]
    payload = json.loads(rows[0][1])
    assert raised.id in json.dumps(payload) and "inflow" in json.dumps(payload)
