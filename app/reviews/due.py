"""Why a customer is due for review: a pure function of plain facts and the policy.

Rules (each reason names its date and why, so nothing is due without one):

- periodic: the customer is due `every_years[rating]` after its newest review;
  never reviewed, that long after onboarding ("first_review"). A customer with no
  rating takes `unrated`. A new review restarts this clock.
- document: an identity document that expires on E makes the customer due on E,
  listed from E - expiry_notice_days; a review taken on or after that day has seen
  it coming and covers it (a new document replaces it, or the next one is flagged).
- kyc_expiry: the KYC approval's expiry date, the same way.

A customer is listed when one reason's listing day is on or before `on +
within_days`; its due date is the earliest of its reasons', overdue when before `on`.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from app.reviews.policy import ReviewPolicy

ReasonKind = Literal["periodic", "first_review", "document", "kyc_expiry"]
REASON_KINDS: tuple[ReasonKind, ...] = ("periodic", "first_review", "document", "kyc_expiry")


@dataclass(frozen=True)
class ExpiringDocument:
    uid: str
    type: str
    expires_on: date


@dataclass(frozen=True)
class CustomerFacts:
    id: int
    uid: str
    external_id: str | None
    name: str
    risk_rating: str | None
    onboarded_on: date
    last_review: date | None
    kyc_expires_on: date | None
    documents: tuple[ExpiringDocument, ...] = ()


@dataclass(frozen=True)
class Reason:
    kind: ReasonKind
    due_on: date
    why: str
    document: str | None = None  # the document's uid, for a document reason

    def as_dict(self) -> dict[str, object]:
        found: dict[str, object] = {
            "kind": self.kind,
            "due_on": self.due_on.isoformat(),
            "why": self.why,
        }
        if self.document is not None:
            found["document"] = self.document
        return found


@dataclass(frozen=True)
class DueItem:
    customer: CustomerFacts
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def due_on(self) -> date:
        return min(r.due_on for r in self.reasons)

    def overdue_days(self, on: date) -> int:
        """Days past the due date (0: not overdue)."""
        return max(0, (on - self.due_on).days)

    def as_dict(self, on: date) -> dict[str, object]:
        c = self.customer
        return {
            "customer": c.external_id or c.uid,
            "name": c.name,
            "risk_rating": c.risk_rating,
            "due_on": self.due_on.isoformat(),
            "overdue": self.due_on < on,
            "overdue_days": self.overdue_days(on),
            "last_review": None if c.last_review is None else c.last_review.isoformat(),
            "reasons": [r.as_dict() for r in self.reasons],
        }


def add_months(start: date, months: int) -> date:
    """`start` plus whole months, the day clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return start.replace(
        year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1])
    )


def _years(months: int) -> str:
    if months % 12 == 0:
        return "every year" if months == 12 else f"every {months // 12} years"
    return f"every {months} months"


def reasons(
    facts: CustomerFacts, policy: ReviewPolicy, *, on: date, within_days: int = 0
) -> tuple[Reason, ...]:
    """The reasons the customer is due by `on + within_days`, earliest first."""
    horizon = on + timedelta(days=within_days)
    notice = timedelta(days=policy.expiry_notice_days)
    found: list[Reason] = []
    months = policy.months_for(facts.risk_rating)
    rating = facts.risk_rating or "unrated"
    rule = f"{rating} risk: {_years(months)}"
    if facts.last_review is None:
        due = add_months(facts.onboarded_on, months)
        if due <= horizon:
            why = f"never reviewed since onboarding on {facts.onboarded_on.isoformat()} ({rule})"
            found.append(Reason("first_review", due, why))
    else:
        due = add_months(facts.last_review, months)
        if due <= horizon:
            why = f"last reviewed on {facts.last_review.isoformat()} ({rule})"
            found.append(Reason("periodic", due, why))

    def covered(expires: date) -> bool:
        return facts.last_review is not None and facts.last_review >= expires - notice

    for doc in facts.documents:
        if expires_soon(doc.expires_on, notice, horizon) and not covered(doc.expires_on):
            verb = "expired" if doc.expires_on < on else "expires"
            why = f"{doc.type.replace('_', ' ')} {verb} on {doc.expires_on.isoformat()}"
            found.append(Reason("document", doc.expires_on, why, document=doc.uid))
    kyc = facts.kyc_expires_on
    if kyc is not None and expires_soon(kyc, notice, horizon) and not covered(kyc):
        verb = "expired" if kyc < on else "expires"
        found.append(Reason("kyc_expiry", kyc, f"KYC approval {verb} on {kyc.isoformat()}"))
    return tuple(sorted(found, key=lambda r: (r.due_on, REASON_KINDS.index(r.kind))))


def expires_soon(expires: date, notice: timedelta, horizon: date) -> bool:
    return expires - notice <= horizon


def due_items(
    book: list[CustomerFacts], policy: ReviewPolicy, *, on: date, within_days: int = 0
) -> list[DueItem]:
    """The customers due, earliest due date first (then by name)."""
    items = [
        DueItem(facts, found)
        for facts in book
        if (found := reasons(facts, policy, on=on, within_days=within_days))
    ]
    return sorted(items, key=lambda i: (i.due_on, i.customer.name.casefold(), i.customer.id))
