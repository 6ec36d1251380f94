"""Periodic reviews for one open vault: the due list, recording a signed review, and
the review policy's versions.

Runs on the database worker (it reads the book and writes reviews). Every write
is one transaction with the event that describes it, carrying all a replay needs
(`review.recorded` holds the signed message and signature; `reviews.policy_set`
the policy's text), so sync can later project them.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from app.approvals.desk import Desk
from app.approvals.model import ApprovalError
from app.approvals.record import by
from app.approvals.times import Clock, iso, utc_now
from app.book.documents import documents_due
from app.book.service import CustomerBook
from app.reviews.due import CustomerFacts, DueItem, ExpiringDocument, due_items, reasons
from app.reviews.policy import ANSWERS, ReviewPolicy, default_text, parse
from app.reviews.signing import REVIEW
from vault.events import canonical_payload
from vault.reviews import rows
from vault.reviews.rows import FactRow, ReviewRow
from vault.store import Vault

MAX_OUTCOME = 2000


class ReviewError(ValueError):
    """A refused request; the message says what to do."""


@dataclass(frozen=True)
class RecordedReview:
    row: ReviewRow
    unanswered: tuple[str, ...]  # the checklist's ids left without an answer

    def as_dict(self) -> dict[str, object]:
        r = self.row
        return {
            "id": r.uid,
            "customer": r.external_id or r.customer_uid,
            "reviewed_at": r.reviewed_at,
            "risk_rating": r.risk_rating,
            "outcome": r.outcome,
            "answers": {a[0]: a[2] for a in r.answers},
            "unanswered": list(self.unanswered),
            "reasons": r.reasons,
            "signer": r.signer,
        }


class Reviews:
    """`acting_as`: the member whose key signs (see app.approvals.desk.Desk)."""

    def __init__(
        self, vault: Vault, *, acting_as: str | None = None, clock: Clock = utc_now
    ) -> None:
        self.vault = vault
        self.clock = clock
        self.acting_as = acting_as
        self._policy: tuple[int, ReviewPolicy] | None = None

    def forget(self) -> None:
        """On lock: drop the cached policy."""
        self._policy = None

    def today(self) -> date:
        return self.clock().date()

    # --- the policy ---------------------------------------------------------------

    def policy_text(self) -> str:
        current = rows.current_policy(self.vault.conn)
        return default_text() if current is None else current[1]

    def policy(self) -> ReviewPolicy:
        current = rows.current_policy(self.vault.conn)
        version = 0 if current is None else current[0]
        if self._policy is None or self._policy[0] != version:
            self._policy = (version, parse(default_text() if current is None else current[1]))
        return self._policy[1]

    def set_policy(self, text: str) -> int:
        """A new version (admins); raises ReviewPolicyError(line, column, problem)."""
        parse(text)
        desk = Desk(self.vault, acting_as=self.acting_as, clock=self.clock)
        try:
            actor = desk.actor()
        except ApprovalError as exc:
            raise ReviewError(exc.message) from None
        if "admin" not in desk.roles().get(actor.member.address, frozenset()):
            raise ReviewError(f"{actor.member.name} is not an admin: only admins set the policy")
        digest = hashlib.sha256(text.encode()).hexdigest()
        with self.vault.transaction() as tx:
            version = rows.insert_policy(
                tx.conn, text=text, sha256=digest, set_by=actor.member.id, now=iso(self.clock())
            )
            tx.event(
                "reviews.policy_set",
                {"version": version, "sha256": digest, "text": text, "by": by(actor.member)},
            )
        return version

    # --- the due list ---------------------------------------------------------------

    def due(self, *, within_days: int = 0, on: date | None = None) -> list[DueItem]:
        """The customers due for review by `on` (today) + `within_days`, earliest first."""
        if within_days < 0 or within_days > 3660:
            raise ReviewError("--within takes a number of days from 0 to 3660")
        when = on or self.today()
        policy = self.policy()
        horizon = when + timedelta(days=within_days)
        found = {
            r[0]: r
            for r in rows.candidates(
                self.vault.conn,
                months=policy.every_months,
                horizon=horizon.isoformat(),
                notice_days=policy.expiry_notice_days,
            )
        }
        documents = self._expiring_documents(when, within_days + policy.expiry_notice_days)
        missing = [cid for cid in documents if cid not in found]
        found.update((r[0], r) for r in rows.facts_of(self.vault.conn, missing))
        book = [_facts(row, documents.get(row[0], ())) for row in found.values()]
        return due_items(book, policy, on=when, within_days=within_days)

    def _expiring_documents(self, on: date, days: int) -> dict[int, tuple[ExpiringDocument, ...]]:
        """customer id -> their documents that expire within `days` of `on` (or expired)."""
        book = CustomerBook(self.vault)
        try:
            due = documents_due(self.vault.conn, book.keys, on=on, within_days=days)
        finally:
            book.forget()
        if not due:
            return {}
        ids = dict(
            self.vault.conn.execute(
                "SELECT uid, id FROM customers WHERE uid IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted({d.customer for d in due})),),
            )
        )
        grouped: dict[int, list[ExpiringDocument]] = {}
        for doc in due:
            if doc.expires_on is not None and doc.customer in ids:
                grouped.setdefault(int(ids[doc.customer]), []).append(
                    ExpiringDocument(doc.id, doc.type, date.fromisoformat(doc.expires_on))
                )
        return {k: tuple(v) for k, v in grouped.items()}

    # --- recording a review ---------------------------------------------------------

    def record(
        self, external_id: str, *, outcome: str, answers: Mapping[str, str] | None = None
    ) -> RecordedReview:
        """A review of the customer, signed by the acting member: restarts its clock.

        `answers`: checklist id -> yes, no or n/a; a question left out is kept as
        unanswered (and said so). The reasons it was due are kept with it."""
        text = " ".join(outcome.split())
        if not text:
            raise ReviewError("Say what the review concluded: the outcome is kept as evidence.")
        if len(text) > MAX_OUTCOME:
            raise ReviewError(f"The outcome is longer than {MAX_OUTCOME} characters; shorten it.")
        facts_row = rows.customer_by_external_id(self.vault.conn, external_id.strip())
        if facts_row is None:
            raise ReviewError(
                f"There is no customer with the external id '{external_id.strip()[:40]}' "
                "(or it was erased or merged)."
            )
        policy = self.policy()
        given = dict(answers or {})
        known = {q.id for q in policy.checklist}
        for key, value in given.items():
            if key not in known:
                raise ReviewError(
                    f"'{key[:40]}' is not a question of the checklist ({', '.join(sorted(known))})"
                )
            if value not in ANSWERS:
                raise ReviewError(f"Answer {key} with yes, no or n/a, not '{value[:20]}'.")
        checklist = [[q.id, q.question, given.get(q.id, "")] for q in policy.checklist]
        unanswered = tuple(q.id for q in policy.checklist if q.id not in given)
        try:
            actor = Desk(self.vault, acting_as=self.acting_as, clock=self.clock).actor()
        except ApprovalError as exc:
            raise ReviewError(exc.message) from None
        moment = self.clock()
        documents = self._expiring_documents(moment.date(), policy.expiry_notice_days)
        facts = _facts(facts_row, documents.get(facts_row[0], ()))
        why = [r.as_dict() for r in reasons(facts, policy, on=moment.date())]
        review_uid = str(uuid.uuid4())
        message = {
            "review": review_uid,
            "customer": facts.uid,
            "riskRating": facts.risk_rating or "",
            "answers": canonical_payload({"checklist": checklist}).decode(),
            "outcome": text,
            "reasons": canonical_payload({"reasons": why}).decode(),
            "reviewedAt": iso(moment),
        }
        typed_hash, signature = REVIEW.sign(actor.key, message)
        with self.vault.transaction() as tx:
            rows.insert_review(
                tx.conn,
                {
                    "uid": review_uid,
                    "customer_id": facts.id,
                    "reviewed_at": message["reviewedAt"],
                    "risk_rating": facts.risk_rating,
                    "answers": json.dumps(checklist, ensure_ascii=False),
                    "outcome": text,
                    "reasons": json.dumps(why, ensure_ascii=False),
                    "member_id": actor.member.id,
                    "signer": actor.member.address,
                    "typed_hash": typed_hash,
                    "signature": signature,
                },
            )
            tx.event(
                "review.recorded",
                {
                    "customer": facts.uid,
                    "review": review_uid,
                    "message": message,
                    "signer": actor.member.address,
                    "typed_hash": "0x" + typed_hash.hex(),
                    "signature": "0x" + signature.hex(),
                    "by": by(actor.member),
                },
            )
        stored = rows.review(self.vault.conn, review_uid)
        assert stored is not None  # written just above
        return RecordedReview(stored, unanswered)

    def history(self, customer_id: int) -> list[ReviewRow]:
        return rows.reviews_of(self.vault.conn, customer_id)

    def verify(self, review_uid: str) -> bool:
        """Whether the stored review is signed by the key it names."""
        row = rows.review(self.vault.conn, review_uid)
        if row is None:
            return False
        return REVIEW.check(signed_message(row), row.signature, row.signer)


def signed_message(row: ReviewRow) -> dict[str, str]:
    """The message a stored review signed, rebuilt from its columns."""
    return {
        "review": row.uid,
        "customer": row.customer_uid,
        "riskRating": row.risk_rating or "",
        "answers": canonical_payload({"checklist": row.answers}).decode(),
        "outcome": row.outcome,
        "reasons": canonical_payload({"reasons": row.reasons}).decode(),
        "reviewedAt": row.reviewed_at,
    }


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _facts(row: FactRow, documents: tuple[ExpiringDocument, ...]) -> CustomerFacts:
    onboarded = _day(row[5])
    assert onboarded is not None  # created_at is always set
    return CustomerFacts(
        id=row[0],
        uid=row[1],
        external_id=row[2],
        name=row[3],
        risk_rating=row[4],
        onboarded_on=onboarded,
        last_review=_day(row[7]),
        kyc_expires_on=_day(row[6]),
        documents=documents,
    )
