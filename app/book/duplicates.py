"""Possible duplicate customers, and merging two into one without losing anything."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from app.book.documents import move_documents
from app.book.models import ValidationError
from app.book.service import CustomerBook, now
from vault.book import customers
from vault.connection import Connection

MAX_BLOCK = 5000


@dataclass(frozen=True)
class DuplicatePair:
    first: int
    second: int
    first_name: str
    second_name: str
    score: float
    reasons: tuple[str, ...]


def _key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(sorted(text.replace("-", " ").split()))


def find(conn: Connection, *, threshold: float = 90.0, limit: int = 500) -> list[DuplicatePair]:
    """Pairs with very similar names (rapidfuzz, within blocks of the same initial
    letters) or the same email, phone or wallet address. Runs on a worker: seconds on
    a big book."""
    names: dict[int, str] = {
        int(i): str(n)
        for i, n in conn.execute(
            "SELECT id, display_name FROM customers WHERE erased_at IS NULL AND merged_into IS NULL"
        )
    }
    reasons: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)
    for label, sql in (
        (
            "same email",
            "SELECT a.customer_id, b.customer_id FROM contacts a JOIN contacts b "
            "ON a.kind = 'email' AND b.kind = 'email' AND a.value = b.value COLLATE NOCASE "
            "AND a.customer_id < b.customer_id",
        ),
        (
            "same phone",
            "SELECT a.customer_id, b.customer_id FROM contacts a JOIN contacts b "
            "ON a.kind = 'phone' AND b.kind = 'phone' AND a.value = b.value "
            "AND a.customer_id < b.customer_id",
        ),
        (
            "same wallet address",
            "SELECT a.customer_id, b.customer_id FROM addresses a "
            "JOIN addresses b ON a.chain = b.chain AND a.address = b.address "
            "AND a.customer_id < b.customer_id",
        ),
    ):
        for a, b in conn.execute(sql):
            if a in names and b in names:
                reasons[(int(a), int(b))][label] = 100.0
    blocks: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for cid, name in names.items():
        key = _key(name)
        if key:
            blocks[key[:2]].append((cid, key))
    for members in blocks.values():
        members = members[:MAX_BLOCK]
        if len(members) < 2:
            continue
        keys = [k for _, k in members]
        matrix = process.cdist(
            keys, keys, scorer=fuzz.token_sort_ratio, score_cutoff=threshold, workers=-1
        )
        for i, j in zip(*matrix.nonzero(), strict=True):
            if i < j:
                a, b = sorted((members[i][0], members[j][0]))
                reasons[(a, b)]["similar name"] = float(matrix[i, j])
    pairs = [
        DuplicatePair(a, b, names[a], names[b], max(r.values()), tuple(sorted(r)))
        for (a, b), r in reasons.items()
    ]
    pairs.sort(key=lambda p: (-len(p.reasons), -p.score, p.first))
    return pairs[:limit]


def merge(book: CustomerBook, keep: int, other: int, *, reason: str) -> None:
    """Fold `other` into `keep`: contacts, addresses, notes, tasks, tags, custom values and
    documents (sealed again under `keep`'s key) move over; `other` stays as a hidden
    record pointing at `keep`, with its own history (and key), so both histories remain
    readable and the merge is traceable."""
    if keep == other:
        raise ValidationError("merge", "a customer cannot be merged into itself")
    if not reason.strip():
        raise ValidationError("reason", "say why the two records are the same customer")
    with book.vault.transaction() as tx:
        rows = {
            int(r[0]): r
            for r in tx.execute(
                "SELECT id, erased_at, merged_into FROM customers WHERE id IN (?, ?)", (keep, other)
            )
        }
        if len(rows) != 2 or any(r[1] or r[2] for r in rows.values()):
            raise ValidationError("merge", "both customers must exist and be active")
        moved = customers.fold(tx.conn, keep=keep, other=other, now=now())
        moved["documents"] = move_documents(book, tx, source=other, target=keep)
        tx.event(
            "customer.merged",
            {
                "customer": book.uid_of(tx, keep),
                "merged": book.uid_of(tx, other),
                "moved": moved,
                "reason": reason.strip(),
            },
        )
        book.flag_conflicts(tx, customer=keep)
