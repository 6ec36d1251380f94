"""The newest levels kept on each link as answers arrive (migration 0011): after new
screenings, a changed answer, a backdated one, an error, a late link and an erased
customer, the overview and the risk chart still equal counts of the rows themselves,
and the kept state equals the one worked out from the whole history."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.book.models import AddressDraft
from app.book.service import CustomerBook
from app.book.validate import customer
from app.dashboards import charts, overview
from app.screening.risk import Level, RiskResult, Status, failed, score_for_level
from tests.app.dashboards.test_overview import figures, links, newest_answers, worst_newest
from tests.conftest import PASSPHRASE
from vault.book import addresses
from vault.dashboards.levels import LEVELS
from vault.keys import Keychain
from vault.migrations import m0014_newest_levels
from vault.screening import screenings
from vault.store import Vault
from vault.unlock import create_vault

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
DAY = timedelta(days=1)
ADDRESSES = [f"0x{n:040x}" for n in range(1, 5)]


def _answer(
    vault: Vault, address: str, provider: str, level: Level, at: datetime, *, ok: bool = True
) -> None:
    result = (
        RiskResult(chain="ethereum", address=address, provider=provider, level=level,
                   score=score_for_level(level), fetched_at=at)
        if ok
        else failed(chain="ethereum", address=address, provider=provider,
                    status=Status.TRANSIENT, error="timeout")
    )  # fmt: skip
    with vault.transaction() as tx:
        screenings.record(tx.conn, result.to_record())


def _link(vault: Vault, book: CustomerBook, cid: int, address: str) -> None:
    with vault.transaction() as tx:
        book.link_address(tx, cid, AddressDraft("ethereum", address))


def _assert_figures_equal_the_rows(vault: Vault) -> None:
    conn = vault.conn
    found = figures(overview.read_screening(conn, NOW))
    worst = worst_newest(conn)
    active = {
        int(r[0])
        for r in conn.execute(
            "SELECT id FROM customers WHERE erased_at IS NULL AND merged_into IS NULL"
        )
    }
    rows = links(conn)
    per_customer: dict[int, int] = {}
    for cid, chain, address in rows:
        if (chain, address) in worst and cid in active:
            rank = LEVELS.index(worst[(chain, address)])
            per_customer[cid] = max(rank, per_customer.get(cid, -1))
    by_address = Counter(worst[(ch, a)] for _c, ch, a in rows if (ch, a) in worst)
    by_customer = Counter(LEVELS[r] for r in per_customer.values())
    for level in LEVELS:
        assert found["levels"][f"addresses_{level}"].value == by_address[level], level
        assert found["levels"][f"customers_{level}"].value == by_customer[level], level
    newest = newest_answers(conn)
    stale_before = (NOW - timedelta(days=overview.STALE_DAYS)).isoformat()
    age = found["screening_age"]
    assert age["never"].value == sum(1 for _c, ch, a in rows if (ch, a) not in newest)
    assert age["stale"].value == sum(
        1 for _c, ch, a in rows if newest.get((ch, a), "9") < stale_before
    )
    chart = charts.risk_chart(conn, charts.Span.last_days(60, NOW.date()), NOW)
    shown = {s.key: int(s.values[-1]) for s in chart.series}
    assert shown == {name: by_address[name] for name in shown}
    # The chart's data is as old as the newest answer it counts (errors and addresses
    # not linked are not in it).
    counted = [newest[(ch, a)] for _c, ch, a in rows if (ch, a) in newest]
    assert chart.data_at == (datetime.fromisoformat(max(counted)) if counted else None)
    # What the triggers kept is what the migration works out from the history.
    kept = _derived(vault)
    with vault.transaction() as tx:
        for statement in m0014_newest_levels.FILL:
            tx.conn.execute(statement)
    assert _derived(vault) == kept


def _book_of_two(vault: Vault) -> tuple[CustomerBook, int, int]:
    book = CustomerBook(vault)
    with vault.transaction() as tx:
        ada, _ = book.save_customer(tx, customer({"name": "Ada Example"}))
        bob, _ = book.save_customer(tx, customer({"name": "Bob Example"}))
    return book, ada, bob


def _derived(vault: Vault) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    conn = vault.conn
    return (
        conn.execute("SELECT * FROM screening_newest ORDER BY 1, 2, 3").fetchall(),
        conn.execute(
            "SELECT id, risk_rank, screened_at, answers FROM addresses ORDER BY id"
        ).fetchall(),
    )


def test_kept_levels_follow_every_change(tmp_path: Path, no_keychain: Keychain) -> None:
    vault = create_vault(tmp_path / "kept.vault", passphrase=PASSPHRASE, keychain=no_keychain).vault
    try:
        book, ada, bob = _book_of_two(vault)
        a1, a2, a3, a4 = ADDRESSES
        for cid, address in ((ada, a1), (ada, a2), (bob, a2), (bob, a3)):
            _link(vault, book, cid, address)
        _assert_figures_equal_the_rows(vault)  # nothing screened yet

        _answer(vault, a1, "chainalysis", Level.HIGH, NOW - 40 * DAY)
        _answer(vault, a1, "sanctions-list", Level.NONE, NOW - 3 * DAY)
        _answer(vault, a2, "chainalysis", Level.LOW, NOW - 2 * DAY)
        _answer(vault, a3, "chainalysis", Level.UNKNOWN, NOW, ok=False)  # an error: never
        _answer(vault, a4, "chainalysis", Level.MEDIUM, NOW - DAY)  # not linked yet
        _assert_figures_equal_the_rows(vault)

        _answer(vault, a1, "chainalysis", Level.LOW, NOW - DAY)  # the answer changed
        _answer(vault, a2, "chainalysis", Level.SEVERE, NOW - 9 * DAY)  # backdated: older
        _answer(vault, a2, "sanctions-list", Level.SEVERE, NOW - DAY)
        _assert_figures_equal_the_rows(vault)

        _link(vault, book, bob, a4)  # linked after it was screened
        _assert_figures_equal_the_rows(vault)

        book.erase_customer(bob, reason="data subject request")
        _assert_figures_equal_the_rows(vault)
        assert (
            figures(overview.read_screening(vault.conn, NOW))["levels"]["customers_severe"].value
            == 1
        )
    finally:
        vault.close()


def test_a_bulk_link_keeps_the_levels_the_trigger_would(
    tmp_path: Path, no_keychain: Keychain, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import links its rows with the link trigger held (vault.book.addresses): links
    of addresses answered before, answered twice, only errored or never screened, a
    repeat in the batch and a link that exists get the same kept levels as one by one,
    and the trigger is back, unchanged, for the links that follow."""
    monkeypatch.setattr(addresses, "BULK_LINKS", 2)
    vault = create_vault(tmp_path / "bulk.vault", passphrase=PASSPHRASE, keychain=no_keychain).vault
    try:
        book, ada, bob = _book_of_two(vault)
        with vault.transaction() as tx:
            uids = {cid: book.uid_of(tx, cid) for cid in (ada, bob)}
        a1, a2, a3, a4 = ADDRESSES
        trigger = _link_trigger(vault)
        _answer(vault, a1, "chainalysis", Level.HIGH, NOW - 40 * DAY)
        _answer(vault, a1, "sanctions-list", Level.NONE, NOW - 3 * DAY)
        _answer(vault, a2, "chainalysis", Level.SEVERE, NOW - 2 * DAY)
        _answer(vault, a3, "chainalysis", Level.UNKNOWN, NOW, ok=False)  # an error: never
        _link(vault, book, bob, a1)  # exists before the import
        rows = [(ada, a1), (ada, a2), (ada, a3), (ada, a4), (bob, a1), (bob, a2), (ada, a2)]
        with vault.transaction() as tx:
            outcomes = book.link_addresses(
                tx, [(cid, uids[cid], "ethereum", a, "imported", None) for cid, a in rows]
            )
        assert [o.added for o in outcomes] == [True, True, True, True, False, True, False]
        assert _link_trigger(vault) == trigger
        assert dict(
            vault.conn.execute(
                "SELECT address, risk_rank FROM addresses WHERE customer_id = ?", (ada,)
            ).fetchall()
        ) == {a1: LEVELS.index("high"), a2: LEVELS.index("severe"), a3: None, a4: None}
        _assert_figures_equal_the_rows(vault)

        _answer(vault, a4, "chainalysis", Level.MEDIUM, NOW - DAY)  # answers still kept
        _link(vault, book, bob, a4)  # and a single link still goes through the trigger
        _assert_figures_equal_the_rows(vault)
    finally:
        vault.close()


def _link_trigger(vault: Vault) -> str:
    row = vault.conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
        (addresses.LINK_TRIGGER,),
    ).fetchone()
    assert row is not None
    return str(row[0])
