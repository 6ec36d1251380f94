"""SQL for periodic reviews (tables of m0018): the policy's versions, reviews, and the
facts of the customers that may be due."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vault.approvals import store
from vault.connection import Connection

#: a customer as the due list reads it: id, uid, external id, name, rating, onboarded
#: (created_at), KYC expiry, and the newest review's time (NULL: never reviewed)
_FACTS = (
    "SELECT c.id, c.uid, c.external_id, c.display_name, c.risk_rating, c.created_at, "
    "c.kyc_expires_at, (SELECT max(r.reviewed_at) FROM reviews r WHERE r.customer_id = c.id) "
    "FROM customers c WHERE c.erased_at IS NULL AND c.merged_into IS NULL"
)
FactRow = tuple[int, str, str | None, str, str | None, str, str | None, str | None]


@dataclass(frozen=True)
class ReviewRow:
    id: int
    uid: str
    customer_id: int
    customer_uid: str
    external_id: str | None
    reviewed_at: str
    risk_rating: str | None
    answers: list[list[str]]  # [id, question, answer]
    outcome: str
    reasons: list[dict[str, Any]]
    member_id: str
    signer: str
    typed_hash: bytes
    signature: bytes


def current_policy(conn: Connection) -> tuple[int, str] | None:
    return store.current_policy(conn, table="review_policies")


def insert_policy(conn: Connection, *, text: str, sha256: str, set_by: str, now: str) -> int:
    return store.insert_policy(
        conn, text=text, sha256=sha256, set_by=set_by, now=now, table="review_policies"
    )


def candidates(
    conn: Connection, *, months: Mapping[str, int], horizon: str, notice_days: int
) -> list[FactRow]:
    """The customers whose periodic review or KYC expiry may fall by `horizon` (an ISO
    date). SQLite's month arithmetic differs from the exact rule by a few days at
    month ends, so this looks a week further; app.reviews.due decides."""
    every = " ".join("WHEN ? THEN ?" for _ in months)
    params: list[object] = [v for pair in months.items() for v in pair]
    params += [months.get("unrated", 12), horizon, notice_days, horizon]
    query = (
        # constant SQL; every value is a ? param
        f"WITH f AS ({_FACTS.replace(' FROM customers c', _EVERY, 1)}) "  # nosec B608
        "SELECT id, uid, external_id, display_name, risk_rating, created_at, kyc_expires_at, "
        "last FROM f WHERE date(substr(coalesce(last, created_at), 1, 10), "
        "'+' || every || ' months') <= date(?, '+7 days') OR (kyc_expires_at IS NOT NULL "
        "AND date(substr(kyc_expires_at, 1, 10), '-' || ? || ' days') <= date(?, '+7 days'))"
    ).replace("{every}", every)
    return [_fact(r) for r in conn.execute(query, params)]


_EVERY = (
    " AS last, CASE coalesce(c.risk_rating, 'unrated') {every} ELSE ? END AS every FROM customers c"
)


def _fact(row: Sequence[Any]) -> FactRow:
    return (
        int(row[0]), str(row[1]), row[2], str(row[3]), row[4], str(row[5]), row[6], row[7]
    )  # fmt: skip


def facts_of(conn: Connection, customer_ids: Iterable[int]) -> list[FactRow]:
    ids = sorted(set(customer_ids))
    found: list[FactRow] = []
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ", ".join("?" for _ in part)
        query = f"{_FACTS} AND c.id IN ({marks})"  # nosec B608 (? params)
        found.extend(_fact(r) for r in conn.execute(query, part))
    return found


def customer_by_external_id(conn: Connection, external_id: str) -> FactRow | None:
    """An active customer (neither erased nor merged) by its external id."""
    row = conn.execute(f"{_FACTS} AND c.external_id = ?", (external_id,)).fetchone()  # nosec B608
    return None if row is None else _fact(row)


_REVIEW = (
    "SELECT r.id, r.uid, r.customer_id, c.uid, c.external_id, r.reviewed_at, r.risk_rating, "
    "r.answers, r.outcome, r.reasons, r.member_id, r.signer, r.typed_hash, r.signature "
    "FROM reviews r JOIN customers c ON c.id = r.customer_id"
)


def _review(row: Sequence[Any]) -> ReviewRow:
    return ReviewRow(
        id=int(row[0]),
        uid=str(row[1]),
        customer_id=int(row[2]),
        customer_uid=str(row[3]),
        external_id=row[4],
        reviewed_at=str(row[5]),
        risk_rating=row[6],
        answers=json.loads(row[7]),
        outcome=str(row[8]),
        reasons=json.loads(row[9]),
        member_id=str(row[10]),
        signer=str(row[11]),
        typed_hash=bytes(row[12]),
        signature=bytes(row[13]),
    )


def insert_review(conn: Connection, values: Mapping[str, Any]) -> int:
    cur = conn.execute(
        "INSERT INTO reviews (uid, customer_id, reviewed_at, risk_rating, answers, outcome, "
        "reasons, member_id, signer, typed_hash, signature) VALUES (:uid, :customer_id, "
        ":reviewed_at, :risk_rating, :answers, :outcome, :reasons, :member_id, :signer, "
        ":typed_hash, :signature)",
        dict(values),
    )
    return int(cur.lastrowid or 0)


def review(conn: Connection, uid: str) -> ReviewRow | None:
    row = conn.execute(f"{_REVIEW} WHERE r.uid = ?", (uid,)).fetchone()  # nosec B608
    return None if row is None else _review(row)


def reviews_of(conn: Connection, customer_id: int) -> list[ReviewRow]:
    """The customer's reviews, newest first."""
    query = f"{_REVIEW} WHERE r.customer_id = ? ORDER BY r.reviewed_at DESC, r.id DESC"  # nosec B608
    return [_review(r) for r in conn.execute(query, (customer_id,))]
