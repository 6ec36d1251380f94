"""The overview's figures against the rows themselves, counted in plain Python on a
real demo vault; and each figure's subset opens exactly the rows it counted."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from app.dashboards import overview
from app.dashboards.drill import APPROVALS, CUSTOMERS, WALLETS
from tests.conftest import PASSPHRASE
from vault.book import queries
from vault.connection import Connection
from vault.dashboards.levels import LEVELS
from vault.keys import Keychain
from vault.store import Vault
from vault.unlock import create_vault

ANSWERED = ("ok", "invalid_address", "unsupported")


def worst_newest(conn: Connection, *, until: str | None = None) -> dict[tuple[str, str], str]:
    """Per screened address: the worst of each provider's newest answer (up to `until`)."""
    newest: dict[tuple[str, str, str], tuple[str, str]] = {}
    for chain, address, provider, level, at, status in conn.execute(
        "SELECT chain, address, provider, level, fetched_at, status FROM screenings"
    ):
        if status not in ANSWERED or (until is not None and at[:10] > until):
            continue
        key = (chain, address, provider)
        if key not in newest or at > newest[key][1]:
            newest[key] = (level, at)
    worst: dict[tuple[str, str], str] = {}
    for (chain, address, _provider), (level, _at) in newest.items():
        held = worst.get((chain, address))
        if held is None or LEVELS.index(level) > LEVELS.index(held):
            worst[(chain, address)] = level
    return worst


def newest_answers(conn: Connection) -> dict[tuple[str, str], str]:
    """Per answered address: when its newest answer (any provider) came."""
    newest: dict[tuple[str, str], str] = {}
    for chain, address, at, status in conn.execute(
        "SELECT chain, address, fetched_at, status FROM screenings"
    ):
        if status in ANSWERED and at > newest.get((chain, address), ""):
            newest[(chain, address)] = at
    return newest


def links(conn: Connection) -> list[tuple[int, str, str]]:
    return [(int(c), str(ch), str(a)) for c, ch, a in conn.execute(
        "SELECT customer_id, chain, address FROM addresses")]  # fmt: skip


def figures(tiles: list[overview.Tile]) -> dict[str, dict[str, overview.Figure]]:
    return {t.key: {f.key: f for f in t.figures} for t in tiles}


def subset_count(conn: Connection, figure: overview.Figure) -> int:
    drill = figure.drill
    assert drill is not None and drill.subset is not None
    if drill.section == CUSTOMERS:
        return queries.count_customers(conn, **drill.subset.query_args())
    assert drill.section == WALLETS
    return queries.count_addresses(conn, **drill.subset.query_args())


def test_levels_match_the_screenings_and_open_exactly_their_rows(
    demo: Vault, demo_now: datetime
) -> None:
    conn = demo.conn
    found = figures(overview.read_screening(conn, demo_now))
    worst = worst_newest(conn)
    by_address = Counter(worst[(ch, a)] for _c, ch, a in links(conn) if (ch, a) in worst)
    per_customer: dict[int, str] = {}
    for customer, chain, address in links(conn):
        level = worst.get((chain, address))
        held = per_customer.get(customer)
        if level is not None and (held is None or LEVELS.index(level) > LEVELS.index(held)):
            per_customer[customer] = level
    by_customer = Counter(per_customer.values())
    assert sum(by_address.values()) > 100 and by_address["severe"] >= 1
    for level in LEVELS:
        address_figure = found["levels"][f"addresses_{level}"]
        customer_figure = found["levels"][f"customers_{level}"]
        assert address_figure.value == by_address[level], level
        assert customer_figure.value == by_customer[level], level
        assert subset_count(conn, address_figure) == address_figure.value
        assert subset_count(conn, customer_figure) == customer_figure.value


def test_coverage_counts_never_and_long_ago_screened_links(demo: Vault, demo_now: datetime) -> None:
    conn = demo.conn
    found = figures(overview.read_screening(conn, demo_now))["screening_age"]
    newest = newest_answers(conn)
    stale_before = (demo_now - timedelta(days=overview.STALE_DAYS)).isoformat()
    rows = links(conn)
    never = sum(1 for _c, ch, a in rows if (ch, a) not in newest)
    stale = sum(1 for _c, ch, a in rows if newest.get((ch, a), "9") < stale_before)
    assert never == 25 and stale > 0  # the demo links 25 wallets after the last screening
    assert (found["never"].value, found["stale"].value) == (never, stale)
    assert found["linked"].value == len(rows)
    for key in ("never", "stale"):
        assert subset_count(conn, found[key]) == found[key].value


def test_kyc_and_reviews_due_match_the_customers(demo: Vault, demo_now: datetime) -> None:
    conn = demo.conn
    found = figures(overview.read_customers(conn, demo_now))
    rows = conn.execute(
        "SELECT kyc_status, kyc_expires_at FROM customers WHERE erased_at IS NULL "
        "AND merged_into IS NULL"
    ).fetchall()
    statuses = Counter(r[0] for r in rows)
    today = demo_now.date()
    due = Counter()
    for _status, expires in rows:
        if expires is None:
            continue
        days = (date.fromisoformat(expires[:10]) - today).days
        key = "overdue" if days < 0 else "due_30" if days <= 30 else "due_60" if days <= 60 else (
            "due_90" if days <= 90 else "later")  # fmt: skip
        due[key] += 1
    for status in overview.KYC_STATUSES:
        assert found["kyc"][status].value == statuses[status]
        assert subset_count(conn, found["kyc"][status]) == statuses[status]
    assert due["overdue"] and due["due_30"]
    for key in ("overdue", "due_30", "due_60", "due_90"):
        assert found["reviews"][key].value == due[key], key
        assert subset_count(conn, found["reviews"][key]) == due[key], key


def test_sanctions_hits_and_open_requests_match_the_rows(demo: Vault, demo_now: datetime) -> None:
    conn = demo.conn
    since = (demo_now - timedelta(days=overview.SANCTIONS_DAYS)).isoformat()
    hits = {
        (ch, a)
        for ch, a, at, s in conn.execute(
            "SELECT chain, address, fetched_at, sanctioned FROM screenings"
        )
        if s and at >= since
    }
    assert overview.read_sanctions(conn, demo_now)[0].value("hits") == len(hits) > 0
    tile = overview.read_approvals(conn, demo_now)[0]
    ages = [
        (demo_now - datetime.fromisoformat(at)).total_seconds() / 86_400
        for at, status in conn.execute("SELECT created_at, status FROM approval_requests")
        if status in ("pending", "needs_refresh", "blocked")
    ]
    expired = conn.execute(
        "SELECT count(*) FROM approval_requests WHERE status = 'expired'"
    ).fetchone()[0]
    assert tile.value("open") == len(ages) > 0
    assert tile.value("younger") == sum(1 for a in ages if a < 1)
    for days in overview.APPROVAL_AGES:
        assert tile.value(f"older_{days}") == sum(1 for a in ages if a >= days)
    assert tile.value("expired") == expired
    assert dict(tile.facts)["expiry_days"] == 7
    drills = {f.key: f.drill for f in tile.figures}
    assert drills["older_3"] is not None and drills["older_3"].section == APPROVALS
    assert drills["older_3"].min_age_days == 3


def test_every_tile_says_when_it_was_read_and_how_old_its_data_is(
    demo: Vault, demo_now: datetime
) -> None:
    read_at = datetime.now(UTC)
    for read in overview.READERS:
        for tile in read(demo.conn, read_at):
            assert tile.as_of == read_at
            assert tile.data_at is not None and demo_now - timedelta(days=1) < tile.data_at
            assert tile.data_at <= read_at


def test_an_empty_vault_reads_zeros_not_errors(
    demo_now: datetime, tmp_path: Path, no_keychain: Keychain
) -> None:
    made = create_vault(tmp_path / "empty.vault", passphrase=PASSPHRASE, keychain=no_keychain)
    try:
        for read in overview.READERS:
            for tile in read(made.vault.conn, demo_now):
                assert all(f.value == 0 for f in tile.figures), tile.key
    finally:
        made.vault.close()
