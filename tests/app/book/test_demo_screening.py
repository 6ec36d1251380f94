from __future__ import annotations

from app.approvals.service import ApprovalService
from app.book.service import CustomerBook
from app.demo import fill_demo
from app.demo_screening import DEMO_LIST_LABEL, screen_demo
from app.screening.sanctions import PROVIDER as SANCTIONS
from vault.events import verify_chain


def test_demo_lists_a_few_of_its_own_wallets_and_screens_the_whole_book(
    book: CustomerBook,
) -> None:
    fill_demo(book.vault, customers=300, approvals=False)
    conn = book.vault.conn
    counts = screen_demo(book.vault, every=20)
    addresses = conn.execute("SELECT count(DISTINCT chain || address) FROM addresses").fetchone()
    assert counts["listed"] >= 3
    assert counts["screened"] == addresses[0]
    assert counts["sanctioned"] >= counts["listed"]
    labels = [row[0] for row in conn.execute("SELECT label FROM sanctions_lists")]
    assert labels == [DEMO_LIST_LABEL]
    sources = {
        row[0] for row in conn.execute("SELECT DISTINCT source FROM screenings WHERE status = 'ok'")
    }
    assert sources == {DEMO_LIST_LABEL}
    # The demo list holds EVM addresses only: it does not answer for Bitcoin or Tron.
    uncovered = conn.execute(
        "SELECT DISTINCT chain FROM screenings WHERE status = 'not_covered'"
    ).fetchall()
    assert {c for (c,) in uncovered} <= {"bitcoin", "tron"}
    ethereum = conn.execute("SELECT address FROM addresses WHERE chain = 'ethereum'")
    listed = ethereum.fetchall()[::20]
    assert len(listed) == counts["listed"]
    for (address,) in listed:
        level, sanctioned = conn.execute(
            "SELECT level, sanctioned FROM screenings WHERE chain = 'ethereum' "
            "AND address = ? AND provider = ?",
            (address, SANCTIONS),
        ).fetchone()
        assert sanctioned and level == "severe"
    assert verify_chain(conn).ok


def test_demo_screening_keeps_the_demo_desks_answers_and_statuses(book: CustomerBook) -> None:
    fill_demo(book.vault, customers=300)
    conn = book.vault.conn
    query = "SELECT id, status FROM approval_requests ORDER BY id"
    before = conn.execute(query).fetchall()
    unscreened = conn.execute(
        "SELECT count(*) FROM (SELECT DISTINCT chain, address FROM addresses a WHERE NOT EXISTS "
        "(SELECT 1 FROM screenings s WHERE s.chain = a.chain AND s.address = a.address))"
    ).fetchone()[0]
    counts = screen_demo(book.vault, every=20)
    ApprovalService(book.vault).refresh()
    assert conn.execute(query).fetchall() == before
    assert 0 < counts["screened"] == unscreened
    hits = conn.execute(
        "SELECT DISTINCT lower(address) FROM screenings WHERE sanctioned = 1 AND address LIKE '0x%'"
    ).fetchall()
    listed = {row[0] for row in conn.execute("SELECT key FROM sanctions_addresses")}
    assert hits and {address for (address,) in hits} <= listed
    assert verify_chain(conn).ok
