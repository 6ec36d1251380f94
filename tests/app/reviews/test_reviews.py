"""Periodic reviews in a real vault: who is due and why, a signed review restarting
the clock, expiring documents and KYC feeding the list, and nothing due without a reason."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.book.documents import DocumentDraft, add_document
from app.book.models import CustomerDraft
from app.book.service import CustomerBook
from app.reviews.due import add_months
from app.reviews.service import ReviewError, Reviews
from vault.events import verify_chain
from vault.store import Vault

NOW = datetime.now(UTC)


_VAULT: list[Vault] = []


def at(days: int) -> Reviews:
    """The review service of the test's vault as if today were `days` from now."""
    return Reviews(_VAULT[0], clock=lambda: NOW + timedelta(days=days))


@pytest.fixture
def book(vault: Vault) -> Vault:
    _VAULT[:] = [vault]
    people = CustomerBook(vault)
    with vault.transaction() as tx:
        for ext, name, rating in (
            ("H1", "Hana High", "high"),
            ("M1", "Mo Medium", "medium"),
            ("L1", "Lee Low", "low"),
            ("U1", "Uma Unrated", None),
        ):
            people.save_customer(
                tx, CustomerDraft(display_name=name, external_id=ext, risk_rating=rating)
            )
    people.forget()
    return vault


def due_ids(service: Reviews, within: int = 0) -> dict[str, list[str]]:
    return {
        str(i.customer.external_id): [r.kind for r in i.reasons]
        for i in service.due(within_days=within)
    }


def test_nothing_is_due_without_a_reason(book: Vault) -> None:
    assert due_ids(at(0)) == {}
    assert due_ids(at(300)) == {}


def test_due_by_risk_rating_after_onboarding(book: Vault) -> None:
    assert due_ids(at(370)) == {"H1": ["first_review"], "U1": ["first_review"]}
    assert set(due_ids(at(740))) == {"H1", "M1", "U1"}
    assert set(due_ids(at(1100))) == {"H1", "M1", "L1", "U1"}
    # --within looks ahead: a year from now, the high-risk customer is due in a few days
    assert set(due_ids(at(360), within=10)) == {"H1", "U1"}
    item = next(i for i in at(400).due() if i.customer.external_id == "H1")
    assert item.overdue_days(item.due_on + timedelta(days=1)) == 1
    line = item.as_dict(NOW.date() + timedelta(days=400))
    assert line["overdue"] is True and line["last_review"] is None
    why = line["reasons"][0]["why"]  # type: ignore[index]
    assert why.startswith("never reviewed since onboarding on ") and "high risk: every year" in why


def test_a_signed_review_restarts_the_clock(book: Vault) -> None:
    later = at(400)
    recorded = later.record(
        "H1", outcome="No change; documents current", answers={"identity": "yes", "risk": "no"}
    )
    assert recorded.row.outcome == "No change; documents current"
    assert recorded.row.reasons[0]["kind"] == "first_review"  # why it was due, kept
    assert set(recorded.unanswered) == {"ownership", "activity", "screening"}
    assert later.verify(recorded.row.uid)
    assert "H1" not in due_ids(later)
    assert due_ids(at(400 + 366))["H1"] == ["periodic"]
    item = next(i for i in at(800).due() if i.customer.external_id == "H1")
    assert item.reasons[0].why.startswith(f"last reviewed on {(NOW + timedelta(days=400)).date()}")
    # The event carries the signed message; the chain still verifies.
    events = book.conn.execute("SELECT count(*) FROM events WHERE type = 'review.recorded'")
    assert events.fetchone()[0] == 1
    assert verify_chain(book.conn).ok
    # A changed outcome no longer verifies.
    book.conn.execute("UPDATE reviews SET outcome = 'All fine' WHERE uid = ?", (recorded.row.uid,))
    assert not later.verify(recorded.row.uid)


def test_a_review_is_refused_plainly(book: Vault) -> None:
    with pytest.raises(ReviewError, match="outcome"):
        at(0).record("H1", outcome="  ")
    with pytest.raises(ReviewError, match="no customer with the external id 'NOPE'"):
        at(0).record("NOPE", outcome="fine")
    with pytest.raises(ReviewError, match="not a question"):
        at(0).record("H1", outcome="fine", answers={"weather": "yes"})
    with pytest.raises(ReviewError, match="yes, no or n/a"):
        at(0).record("H1", outcome="fine", answers={"identity": "maybe"})
    assert book.conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0


def test_an_expiring_document_and_the_kyc_expiry_make_a_customer_due(
    book: Vault, tmp_path: Path
) -> None:
    scan = tmp_path / "passport.pdf"
    scan.write_bytes(b"%PDF-1.7\n" + b"x" * 100)
    people = CustomerBook(book)
    low = int(book.conn.execute("SELECT id FROM customers WHERE external_id = 'L1'").fetchone()[0])
    expires = NOW.date() + timedelta(days=20)
    doc = add_document(people, DocumentDraft(low, scan, "passport", expires_on=expires))
    book.conn.execute(
        "UPDATE customers SET kyc_expires_at = ? WHERE external_id = 'M1'",
        ((NOW.date() + timedelta(days=90)).isoformat(),),
    )
    people.forget()
    today = at(0).due()
    assert [(i.customer.external_id, [r.kind for r in i.reasons]) for i in today] == [
        ("L1", ["document"])
    ]
    reason = today[0].reasons[0]
    assert reason.document == doc.id and reason.due_on == expires
    assert reason.why == f"passport expires on {expires.isoformat()}"
    assert not today[0].as_dict(NOW.date())["overdue"]
    assert due_ids(at(0), within=60) == {"L1": ["document"], "M1": ["kyc_expiry"]}
    # Past its date the document is "expired"; a review inside the notice window covers it.
    assert "expired on" in at(30).due()[0].reasons[0].why
    at(5).record("L1", outcome="asked for a new passport")
    assert due_ids(at(30)) == {}


def test_add_months_clamps_to_the_end_of_the_month() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 2, 28), 12) == date(2024, 2, 28)
    assert add_months(date(2024, 11, 15), 14) == date(2026, 1, 15)
