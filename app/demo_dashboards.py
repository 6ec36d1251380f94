"""The demo vault's history for the Dashboards: KYC review dates, a KYT screening
history over the last 90 days and daily explorer flows, so the overview and the
charts show something real on first open.

Deterministic for a seed (relative to today). The history is labelled as demo data
in its source, like the demo desk's answers. Addresses the demo desk screened with
the KYT provider (app.demo_approvals: its requests' statuses depend on those answers)
get no history, so their newest answers stay what the desk decided on. Runs on the
database worker: `answer_some_long_ago` between `fill_demo` and `screen_demo` (those
addresses keep only an old answer: "screened too long ago"), `fill_demo_dashboards`
after both.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta

from app.addresses.evm import to_checksum_address
from app.book.models import AddressDraft
from app.book.service import CustomerBook
from app.demo_screening import DEMO_LIST_LABEL
from app.screening.risk import RANK, Level, RiskResult, score_for_level
from app.screening.sanctions import PROVIDER as SANCTIONS
from integrations.explorers.settings import DEFAULT_CHAINS
from vault.screening import screenings
from vault.screening.explorer import FlowRow, put_flows
from vault.store import Transaction, Vault

DAYS = 90
_KYT = "chainalysis"
_SOURCE = "Chainalysis KYT (demo data)"
_EXPLORER = "Explorer (demo data)"
#: level drift of a screened address between two answers: mostly unchanged
_LEVELS = (Level.NONE, Level.LOW, Level.MEDIUM, Level.HIGH, Level.SEVERE)
_NATIVE = {c.chain: (c.native_symbol, c.native_decimals) for c in DEFAULT_CHAINS}
#: a typical day's native amount per chain, in whole coins
_SCALE = {"bitcoin": 0.8, "tron": 40_000.0, "bsc": 30.0, "polygon": 9_000.0}


def answer_some_long_ago(
    vault: Vault, *, seed: int = 2026, now: datetime | None = None, share: float = 0.03
) -> int:
    """A `share` of the Bitcoin and Tron addresses not screened yet get one offline-list
    answer 35 to 80 days old (the demo list names only Ethereum wallets, so "none" is
    what it would say); `screen_demo` then leaves them alone."""
    rng = random.Random(seed + 11)
    moment = now or datetime.now(UTC)
    with vault.transaction() as tx:
        pairs = [
            (str(c), str(a))
            for c, a in tx.execute(
                "SELECT DISTINCT chain, address FROM addresses a WHERE chain IN ('bitcoin', "
                "'tron') AND NOT EXISTS (SELECT 1 FROM screenings s WHERE s.chain = a.chain "
                "AND s.address = a.address) ORDER BY chain, address"
            )
        ]
        made = 0
        for chain, address in pairs:
            if rng.random() >= share:
                continue
            result = RiskResult(
                chain=chain,
                address=address,
                provider=SANCTIONS,
                level=Level.NONE,
                score=0,
                fetched_at=moment - timedelta(days=rng.uniform(35, 80)),
                source=DEMO_LIST_LABEL,
            )
            screenings.record(tx.conn, result.to_record())
            made += 1
        tx.event("screening.run", {"provider": SANCTIONS, "addresses": made, "demo": True})
    return made


def fill_demo_dashboards(
    vault: Vault, *, seed: int = 2026, now: datetime | None = None
) -> dict[str, int]:
    """KYC expiry dates, the screening history and the flows; returns the counts."""
    rng = random.Random(seed + 12)
    moment = now or datetime.now(UTC)
    with vault.transaction() as tx:
        counts = {
            "kyc_dates": _kyc_dates(tx, rng, moment.date()),
            "history": _history(tx, rng, moment),
            "flow_days": _flows(tx, rng, moment),
            "unscreened": _late_addresses(CustomerBook(vault), tx, rng),
        }
        tx.event("demo.dashboards", {**counts, "demo": True})
    return counts


def _kyc_dates(tx: Transaction, rng: random.Random, today: date) -> int:
    """Approved customers get an expiry date within -20..+400 days (some overdue,
    a steady stream due in the next 90 days)."""
    ids = [
        int(r[0])
        for r in tx.execute(
            "SELECT id FROM customers WHERE kyc_status = 'approved' AND erased_at IS NULL "
            "ORDER BY id"
        )
    ]
    changes = [((today + timedelta(days=rng.randint(-20, 400))).isoformat(), i) for i in ids]
    tx.conn.executemany("UPDATE customers SET kyc_expires_at = ? WHERE id = ?", changes)
    return len(changes)


def _history(tx: Transaction, rng: random.Random, now: datetime) -> int:
    """Every week or few a KYT answer for about a quarter of the book, drifting in level; the
    share of high and severe answers grows over the period, so the chart moves."""
    month_ago = (now - timedelta(days=30)).isoformat()
    kyt_screened = {
        (str(c), str(a))
        for c, a in tx.execute(
            "SELECT chain, address FROM screenings GROUP BY chain, address "
            "HAVING max(provider = ?) = 1 OR max(fetched_at) < ?",
            (_KYT, month_ago),
        )
    }  # KYT answers of the demo desk, and the answers kept old on purpose
    pairs = [
        (str(c), str(a))
        for c, a in tx.execute("SELECT DISTINCT chain, address FROM addresses ORDER BY id")
        if (str(c), str(a)) not in kyt_screened
    ]
    # One stored form per kind of answer, copied per address and time: the history is
    # thousands of rows and to_record's JSON is the same for all of them.
    listed = _template(SANCTIONS, Level.NONE, DEMO_LIST_LABEL, now)
    kyt = [_template(_KYT, level, _SOURCE, now) for level in _LEVELS]
    records: list[dict[str, object]] = []
    for chain, address in pairs:
        # The desk screened its whole book against the list when it started.
        at = now - timedelta(days=DAYS - rng.uniform(0, 3))
        records.append({**listed, "chain": chain, "address": address, "fetched_at": at.isoformat()})
        if rng.random() >= 0.25:
            continue
        level = rng.choices(range(5), weights=(60, 22, 12, 5, 1))[0]
        day = rng.randint(1, 30)
        while day < DAYS:
            at = now - timedelta(days=DAYS - day, hours=rng.uniform(0, 20))
            late = day / DAYS  # risk creeps up towards the end
            roll = rng.random()
            if roll < 0.12 + 0.1 * late and level < 4:
                level += 1
            elif roll > 0.9 and level > 0:
                level -= 1
            records.append(
                {**kyt[level], "chain": chain, "address": address, "fetched_at": at.isoformat()}
            )
            day += rng.randint(7, 25)
    screenings.record_many(tx.conn, records)
    return len(records)


def _template(provider: str, level: Level, source: str, now: datetime) -> dict[str, object]:
    return RiskResult(
        chain="ethereum",
        address="",
        provider=provider,
        level=level,
        score=score_for_level(level),
        fetched_at=now,
        categories=("gambling",) if RANK[level] >= RANK[Level.HIGH] else (),
        source=source,
    ).to_record()


def _flows(tx: Transaction, rng: random.Random, now: datetime) -> int:
    """Daily native inflow and outflow over the last 90 days for an eighth of the book's
    addresses: busy ones most days, quiet ones now and then, a few big days."""
    pairs = [
        (str(c), str(a))
        for c, a in tx.execute("SELECT DISTINCT chain, address FROM addresses ORDER BY id")
    ]
    fetched = now.isoformat()
    written = 0
    today = now.date()
    for chain, address in pairs:
        if rng.random() >= 0.12 or chain not in _NATIVE:
            continue
        symbol, decimals = _NATIVE[chain]
        scale = _SCALE.get(chain, 4.0) * math.exp(rng.gauss(0, 1))
        busy = rng.uniform(0.15, 0.6)
        rows: list[FlowRow] = []
        for back in range(DAYS, -1, -1):
            if rng.random() > busy:
                continue
            day = today - timedelta(days=back)
            big = 10 if rng.random() < 0.03 else 1
            inflow = scale * big * math.exp(rng.gauss(0, 0.8)) if rng.random() < 0.7 else 0.0
            outflow = scale * math.exp(rng.gauss(0, 0.8)) if rng.random() < 0.6 else 0.0
            if not inflow and not outflow:
                continue
            unit = 10**decimals
            rows.append(
                FlowRow(
                    day=day.isoformat(),
                    asset="",
                    symbol=symbol,
                    decimals=decimals,
                    inflow=int(inflow * unit),
                    outflow=int(outflow * unit),
                    transfers=rng.randint(1, 6),
                    complete=True,
                )
            )
        written += put_flows(
            tx.conn, chain=chain, address=address, source=_EXPLORER, fetched_at=fetched, flows=rows
        )
    return written


def _late_addresses(
    book: CustomerBook, tx: Transaction, rng: random.Random, count: int = 25
) -> int:
    """Wallets linked after the last screening: "never screened" on the overview."""
    ids = [int(r[0]) for r in tx.execute("SELECT id FROM customers ORDER BY id")]
    for _ in range(count):
        draft = AddressDraft("ethereum", to_checksum_address(rng.randbytes(20)), label="new")
        book.link_address(tx, rng.choice(ids), draft)
    return count
