"""Name screening of the customer book against the imported lists' parties.

Runs on the database worker (it writes hits and dispositions). The name index is
built once from the vault and rebuilt when a list import changed the parties.

A hit is stored per customer, list entry, screened name and entry content
(digests): screening again raises nothing new for a hit already raised. An open
hit is reported again; a disposed one is not (`suppressed`), until the customer's
name or the list entry changes, which makes a new hit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from app.approvals.desk import Desk
from app.approvals.times import Clock, iso, utc_now
from app.book.service import CustomerBook
from app.names import signing
from app.names.index import NameIndex, NameMatch, Subject
from app.names.normalise import tokens
from vault.book import customers
from vault.pii import CustomerKeys
from vault.screening import name_hits, parties
from vault.screening.name_hits import HitRow, ScreenedCustomer
from vault.store import Transaction, Vault

VERDICTS = ("true-match", "false-positive")
PROHIBITED_REASON = "name screening: true match with {listed} ({source} entry {entry})"


class NameScreeningError(ValueError):
    """A refused request; the message says what to do."""


@dataclass
class ScreenReport:
    screened: int = 0  # customers screened
    names: int = 0  # names compared (legal and display names that differ)
    raised: int = 0  # new hits
    open: int = 0  # hits reported: new, and raised before but not disposed
    suppressed: int = 0  # matches an officer already disposed of
    hits: list[HitRow] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {
            "screened": self.screened,
            "names": self.names,
            "hits": self.open,
            "new": self.raised,
            "suppressed": self.suppressed,
        }


def name_digest(name: str, kind: str | None) -> str:
    """What a hit remembers of the screened name: a change in case or punctuation is
    not a new name; another spelling is."""
    return hashlib.sha256(" ".join(tokens(name, kind)).encode()).hexdigest()[:32]


class NameScreening:
    """Name screening for one open vault; `forget()` when it locks."""

    def __init__(
        self, vault: Vault, *, acting_as: str | None = None, clock: Clock = utc_now
    ) -> None:
        self.vault = vault
        self.clock = clock
        self.acting_as = acting_as
        self._index: tuple[tuple[int, str], NameIndex] | None = None
        self._book: CustomerBook | None = None

    def forget(self) -> None:
        self._index = None
        if self._book is not None:
            self._book.forget()

    def index(self) -> NameIndex:
        """The listed names, rebuilt when the imported lists changed."""
        state = parties.state(self.vault.conn)
        if self._index is None or self._index[0] != state:
            self._index = (state, NameIndex.build(parties.all_parties(self.vault.conn)))
        return self._index[1]

    def _require_list(self) -> NameIndex:
        index = self.index()
        if not len(index):
            raise NameScreeningError(
                "No list with names is imported: import OFAC's sdn.csv first "
                "(strongroom sanctions import sdn.csv --date YYYY-MM-DD)."
            )
        return index

    def check(
        self,
        name: str,
        kind: str | None = None,
        *,
        birth_date: date | None = None,
        country: str | None = None,
    ) -> list[NameMatch]:
        """The matches of one name, stored nowhere (as a name is typed, or a look-up)."""
        index = self._require_list()
        return index.search(Subject(name, kind, birth_date, country))

    def screen(self, customer_id: int | None = None) -> ScreenReport:
        """Screen one customer, or the whole book (None); stores the new hits."""
        index = self._require_list()
        report = ScreenReport()
        memo: dict[tuple[tuple[str, ...], str, str | None], list[NameMatch]] = {}
        found: list[tuple[ScreenedCustomer, str, str, NameMatch]] = []
        for person in name_hits.customers(self.vault.conn, customer_id):
            report.screened += 1
            for field_name, name in _names(person):
                report.names += 1
                key = (tokens(name, person.kind), person.kind, person.country)
                if key not in memo:  # a book repeats names: compare each once
                    memo[key] = index.search(Subject(name, person.kind, None, person.country))
                found.extend((person, field_name, name, m) for m in memo[key])
        reported: list[int] = []
        with self.vault.transaction() as tx:
            for person, field_name, name, match in found:
                hit_id = self._record(tx, person, field_name, name, match, report)
                if hit_id is not None:
                    reported.append(hit_id)
        report.hits = name_hits.hits(self.vault.conn, ids=reported) if reported else []
        report.open = len(report.hits)
        return report

    def _record(
        self,
        tx: Transaction,
        person: ScreenedCustomer,
        field_name: str,
        name: str,
        match: NameMatch,
        report: ScreenReport,
    ) -> int | None:
        digest = name_digest(name, person.kind)
        party = match.party
        known = name_hits.known(
            tx.conn,
            customer_id=person.id,
            entry_id=party.entry_id,
            name_digest=digest,
            entry_digest=party.digest,
        )
        if known is not None:
            hit_id, status = known
            if status != "open":
                report.suppressed += 1
                return None
            return hit_id
        values = {
            "customer_id": person.id,
            "field": field_name,
            "name_digest": digest,
            "source": party.source,
            "entry_id": party.entry_id,
            "entry_digest": party.digest,
            "listed_name": match.listed.text,
            "program": match.program,
            "score": match.score,
            "why": match.why(),
            "raised_at": iso(self.clock()),
        }
        hit_id = name_hits.insert(tx.conn, values)
        tx.event(
            "names.hit_raised",
            {
                "hit": hit_id,
                "customer": person.uid,
                "field": field_name,
                "source": party.source,
                "entry": party.entry_id,
                "listed_name": match.listed.text,
                "program": match.program,
                "score": match.score,
                # what another device of the desk needs to hold the same hit (sync);
                # `why` names the customer's matched words: sealed under its key
                "name_digest": digest,
                "entry_digest": party.digest,
                "raised_at": values["raised_at"],
                "why": self._customer_keys().seal(person.id, json.dumps(values["why"])),
            },
        )
        report.raised += 1
        return hit_id

    def hits(self, *, open_only: bool = False) -> list[HitRow]:
        return name_hits.hits(self.vault.conn, open_only=open_only)

    def dispose(self, hit_id: int, verdict: str, reason: str) -> HitRow:
        """An officer's signed decision on a hit; a true match makes the customer's
        risk prohibited."""
        if verdict not in VERDICTS:
            raise NameScreeningError(f"'{verdict[:20]}' is not true-match or false-positive")
        reason = reason.strip()
        if not reason:
            raise NameScreeningError("Say why (--reason): a disposition is kept as evidence.")
        hit = name_hits.hit(self.vault.conn, hit_id)
        if hit is None:
            raise NameScreeningError(f"There is no name hit {hit_id} (strongroom names hits).")
        if hit.status != "open":
            raise NameScreeningError(
                f"Hit {hit_id} was already disposed of as {hit.status} on {hit.decided_at}."
            )
        actor = Desk(self.vault, acting_as=self.acting_as, clock=self.clock).actor()
        decided_at = iso(self.clock())
        message = _message(hit, verdict, reason, decided_at)
        typed_hash, signature = signing.sign(actor.key, message)
        with self.vault.transaction() as tx:
            name_hits.dispose(
                tx.conn,
                hit_id,
                {
                    "verdict": verdict,
                    "reason": reason,
                    "decided_at": decided_at,
                    "signer": actor.member.address,
                    "typed_hash": typed_hash,
                    "signature": signature,
                },
            )
            tx.event(
                "names.disposed",
                {
                    "hit": hit_id,
                    "customer": hit.customer_uid,
                    "message": message,
                    "signer": actor.member.address,
                    "typed_hash": "0x" + typed_hash.hex(),
                    "signature": "0x" + signature.hex(),
                    "by": {"member": actor.member.id, "name": actor.member.name},
                },
            )
            if verdict == "true-match":
                self._prohibit(tx, hit)
        done = name_hits.hit(self.vault.conn, hit_id)
        assert done is not None  # written just above, in this transaction
        return done

    def _prohibit(self, tx: Transaction, hit: HitRow) -> None:
        reason = PROHIBITED_REASON.format(
            listed=hit.listed_name, source=hit.source, entry=hit.entry_id
        )
        old = customers.record(tx.conn, hit.customer_id) or {}
        changes = {"risk_rating": "prohibited", "risk_reason": reason}
        if all(old.get(k) == v for k, v in changes.items()):
            return
        book = self._customer_book()
        customers.update(tx.conn, hit.customer_id, changes, now=iso(self.clock()))
        customers.reindex(tx.conn, hit.customer_id)
        tx.event(
            "customer.updated",
            {
                "customer": hit.customer_uid,
                "old": book.seal(hit.customer_id, {k: old.get(k) for k in changes}),
                "new": book.seal(hit.customer_id, changes),
            },
        )

    def _customer_book(self) -> CustomerBook:
        if self._book is None:
            self._book = CustomerBook(self.vault)
        return self._book

    def _customer_keys(self) -> CustomerKeys:
        return self._customer_book().keys

    def verify(self, hit_id: int) -> bool:
        """Whether the hit's disposition is signed by the key it names."""
        hit = name_hits.hit(self.vault.conn, hit_id)
        stored = name_hits.disposition(self.vault.conn, hit_id)
        if hit is None or stored is None:
            return False
        if stored["signed_hit"] is not None:  # received: signed over its device's number
            hit = replace(hit, id=int(stored["signed_hit"]))
        message = _message(hit, stored["verdict"], stored["reason"], stored["decided_at"])
        return signing.check(message, bytes(stored["signature"]), stored["signer"])


def screen_book_after_import(vault: Vault) -> dict[str, int]:
    """Screen the whole book against the lists just imported; the report's summary."""
    service = NameScreening(vault)
    try:
        return service.screen().summary()
    finally:
        service.forget()


def _names(person: ScreenedCustomer) -> Iterable[tuple[str, str]]:
    yield "legal_name", person.legal_name
    if tokens(person.display_name, person.kind) != tokens(person.legal_name, person.kind):
        yield "display_name", person.display_name


def _message(hit: HitRow, verdict: str, reason: str, decided_at: str) -> dict[str, str]:
    return {
        "hit": str(hit.id),
        "customer": hit.customer_uid,
        "source": hit.source,
        "entry": hit.entry_id,
        "entryDigest": hit.entry_digest,
        "nameDigest": hit.name_digest,
        "listedName": hit.listed_name,
        "score": str(hit.score),
        "verdict": verdict,
        "reason": reason,
        "decidedAt": decided_at,
    }
