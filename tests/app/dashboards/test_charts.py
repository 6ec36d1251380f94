"""The charts' CSV against the rows counted directly, on a real demo vault; and the
risk rule (newest answer per provider, worst of those, errors ignored) on one address."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from app.dashboards import charts
from app.dashboards.charts import Scope, Span
from app.dashboards.export import csv_text
from app.screening.risk import Level, RiskResult, Status, failed, score_for_level
from tests.app.dashboards.test_overview import worst_newest
from tests.conftest import PASSPHRASE
from vault.keys import Keychain
from vault.screening import screenings
from vault.store import Vault
from vault.unlock import create_vault


def read_csv(chart: charts.Chart) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csv_text(chart))))


def test_risk_csv_equals_a_count_of_the_screenings_per_day(demo: Vault, demo_now: datetime) -> None:
    conn = demo.conn
    span = Span.last_days(20, demo_now.date())
    rows = read_csv(charts.risk_chart(conn, span, demo_now))
    assert [r["day"] for r in rows] == [d.isoformat() for d in span.days()]
    linked = Counter((ch, a) for ch, a in conn.execute("SELECT chain, address FROM addresses"))
    for row in rows[::4]:
        worst = worst_newest(conn, until=row["day"])
        expected = Counter()
        for pair, n in linked.items():
            if pair in worst:
                expected[worst[pair]] += n
        assert {k: int(v) for k, v in row.items() if k != "day"} == {
            level: expected[level] for level in charts.RISK_STACK
        }, row["day"]


def test_approvals_csv_equals_the_requests_and_decisions_per_day(
    demo: Vault, demo_now: datetime
) -> None:
    conn = demo.conn
    span = Span.last_days(14, demo_now.date())
    rows = {r["day"]: r for r in read_csv(charts.approvals_chart(conn, span, demo_now))}
    made = Counter(at[:10] for (at,) in conn.execute("SELECT created_at FROM approval_requests"))
    decided = Counter(
        (at[:10], v) for at, v in conn.execute("SELECT created_at, verdict FROM approval_decisions")
    )
    assert sum(made.values()) > 0
    for day in span.days():
        row = rows[day.isoformat()]
        assert int(row["requests"]) == made[day.isoformat()]
        assert int(row["approve"]) == decided[(day.isoformat(), "approve")]
        assert int(row["reject"]) == decided[(day.isoformat(), "reject")]


def test_flows_csv_equals_the_stored_flows_of_a_chain_and_of_a_customer(
    demo: Vault, demo_now: datetime
) -> None:
    conn = demo.conn
    span = Span.last_days(30, demo_now.date())
    found = {c.chain: c for c in charts.flow_charts(conn, span, demo_now, Scope())}
    assert "ethereum" in found and found["ethereum"].unit == "ETH" and found["ethereum"].log_y
    book = {(ch, a) for ch, a in conn.execute("SELECT chain, address FROM addresses")}
    expected: dict[str, list[Decimal]] = {}
    for address, day, inflow, outflow, decimals in conn.execute(
        "SELECT address, day, inflow, outflow, decimals FROM explorer_flows "
        "WHERE chain = 'ethereum' AND asset = ''"
    ):
        if ("ethereum", address) in book and span.first.isoformat() <= day:
            sums = expected.setdefault(day, [Decimal(0), Decimal(0)])
            sums[0] += Decimal(inflow).scaleb(-decimals)
            sums[1] += Decimal(outflow).scaleb(-decimals)
    for row in read_csv(found["ethereum"]):
        want = expected.get(row["day"], [Decimal(0), Decimal(0)])
        assert abs(Decimal(row["inflow"]) - want[0]) <= Decimal("1e-6") * max(1, want[0])
        assert abs(Decimal(row["outflow"]) - want[1]) <= Decimal("1e-6") * max(1, want[1])
    customer, chain, address = conn.execute(
        "SELECT a.customer_id, f.chain, f.address FROM explorer_flows f JOIN addresses a "
        "ON a.chain = f.chain AND a.address = f.address ORDER BY f.day DESC LIMIT 1"
    ).fetchone()
    own = charts.flow_charts(conn, span, demo_now, Scope("c", customer_id=customer))
    one = charts.flow_charts(conn, span, demo_now, Scope("a", target=(chain, address)))
    assert chain in {c.chain for c in own} and [c.chain for c in one] == [chain]
    total = sum(sum(s.values) for c in own for s in c.series)
    assert 0 < sum(sum(s.values) for s in one[0].series) <= total + 1e-9


def _answer(vault: Vault, provider: str, level: Level, at: datetime, *, ok: bool = True) -> None:
    chain, address = "ethereum", "0x52908400098527886E0F7030069857D2E4169EE7"
    result = (
        RiskResult(chain=chain, address=address, provider=provider, level=level,
                   score=score_for_level(level), fetched_at=at)
        if ok
        else replace(failed(chain=chain, address=address, provider=provider,
                             status=Status.TRANSIENT, error="timeout"), fetched_at=at)
    )  # fmt: skip
    with vault.transaction() as tx:
        screenings.record(tx.conn, result.to_record())


def test_risk_rule_on_one_address_day_by_day(tmp_path: Path, no_keychain: Keychain) -> None:
    from app.book.models import AddressDraft
    from app.book.service import CustomerBook
    from app.book.validate import customer

    made = create_vault(tmp_path / "one.vault", passphrase=PASSPHRASE, keychain=no_keychain)
    vault = made.vault
    try:
        book = CustomerBook(vault)
        with vault.transaction() as tx:
            cid, _ = book.save_customer(tx, customer({"name": "Ada Example"}))
            book.link_address(
                tx, cid, AddressDraft("ethereum", "0x52908400098527886E0F7030069857D2E4169EE7")
            )
        now = datetime(2026, 3, 10, 12, tzinfo=UTC)
        day = timedelta(days=1)
        _answer(vault, "chainalysis", Level.HIGH, now - 5 * day)
        _answer(vault, "chainalysis", Level.MEDIUM, now - 5 * day + timedelta(hours=3))
        _answer(vault, "sanctions-list", Level.NONE, now - 3 * day)
        _answer(vault, "chainalysis", Level.LOW, now - 2 * day)
        _answer(vault, "chainalysis", Level.UNKNOWN, now - 1 * day, ok=False)  # ignored
        _answer(vault, "sanctions-list", Level.SEVERE, now)
        chart = charts.risk_chart(vault.conn, Span.last_days(7, now.date()), now)
        shown = [
            next((k for k, v in row.items() if k != "day" and v == "1"), "-")
            for row in read_csv(chart)
        ]
        # 03-04 nothing yet; the later answer of 03-05 counts; errors never do
        assert shown == ["-", "medium", "medium", "medium", "low", "low", "severe"]
    finally:
        vault.close()
