"""Use cases of the customer book: every change is a row change plus its event.

Runs on the database worker (it uses the vault's writing connection).
Personal values in events are sealed with the customer's own key
(`vault.pii`), so erasing a customer erases them from the history too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from app.addresses import AddressError, normalize
from app.book.models import PERSONAL_FIELDS, AddressDraft, CustomerDraft, Outcome, ValidationError
from app.sync import stamps
from vault.book import addresses, customers
from vault.pii import ERASED, CustomerKeys
from vault.store import Transaction, Vault

#: the batch event of an address import, and what each of its rows holds
IMPORTED_ADDRESSES = "addresses.imported"
IMPORTED_COLUMNS = ("customer", "chain", "address", "label", "evidence")
#: rows per batch event: few events in the log, yet reading one customer's history
#: parses only a small payload per event it appears in
EVENT_ROWS = 2_000


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class CustomerBook:
    """The book of one open vault. Call `forget()` when the vault locks."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.keys = CustomerKeys(vault.conn)
        vault.on_rollback(self.keys.rollback)

    def forget(self) -> None:
        self.keys.forget()

    # --- helpers -------------------------------------------------------------

    def seal(self, customer_id: int, values: Mapping[str, Any]) -> dict[str, Any]:
        """Personal values sealed with the customer's key; the rest as they are."""
        sealed: dict[str, Any] = {}
        for name, value in values.items():
            if name in PERSONAL_FIELDS and value:
                text = value if isinstance(value, str) else "\x1f".join(value)
                sealed[name] = self.keys.seal(customer_id, text)
            else:
                sealed[name] = value
        return sealed

    def uid_of(self, tx: Transaction, customer_id: int) -> str:
        return str(
            tx.execute("SELECT uid FROM customers WHERE id = ?", (customer_id,)).fetchone()[0]
        )

    # --- customers -------------------------------------------------------------

    def find_same(self, tx: Transaction, draft: CustomerDraft) -> int | None:
        """The customer this draft describes: by external id, else an identical record."""
        if draft.external_id:
            return customers.by_external_id(tx.conn, draft.external_id)
        wanted = draft.record()
        for (candidate,) in tx.execute(
            "SELECT id FROM customers WHERE display_name = ? AND external_id IS NULL "
            "AND erased_at IS NULL",
            (draft.display_name,),
        ).fetchall():
            if customers.record(tx.conn, int(candidate)) == wanted:
                return int(candidate)
        return None

    def save_customer(self, tx: Transaction, draft: CustomerDraft) -> tuple[int, Outcome]:
        """Add the customer, or update the one with the same external id."""
        existing = self.find_same(tx, draft)
        values = draft.record()
        if existing is None:
            customer_id, uid = customers.insert(tx.conn, values, now=now())
            customers.reindex(tx.conn, customer_id, new=True)
            tx.event(
                "customer.created",
                {"customer": uid, "values": self.seal(customer_id, values)},
            )
            return customer_id, Outcome(added=True)
        changed = self.apply_changes(tx, existing, draft)
        return existing, Outcome(changed=changed)

    def apply_changes(
        self,
        tx: Transaction,
        customer_id: int,
        draft: CustomerDraft,
        *,
        also: Mapping[str, Any] | None = None,
    ) -> bool:
        """Write what differs between the stored customer and `draft`, with one event;
        `also`: more the event says (a date the caller writes beside the change)."""
        values = draft.record()
        old = customers.record(tx.conn, customer_id) or {}
        changes = {k: v for k, v in values.items() if old.get(k) != v}
        if not changes:
            return False
        customers.update(tx.conn, customer_id, changes, now=now())
        customers.reindex(tx.conn, customer_id)
        uid = self.uid_of(tx, customer_id)
        # What each replaced value was set by: sync tells a change made on two devices at once.
        seen = stamps.newest_by_field(tx.conn, uid)
        tx.event(
            "customer.updated",
            {
                "customer": uid,
                "old": self.seal(customer_id, {k: old.get(k) for k in changes}),
                "new": self.seal(customer_id, changes),
                "base": {k: list(seen[k]) for k in changes if k in seen},
                **(also or {}),
            },
        )
        return True

    # --- addresses -------------------------------------------------------------

    def save_address(
        self, tx: Transaction, customer_id: int, draft: AddressDraft, *, uid: str | None = None
    ) -> Outcome:
        """Link a validated address; flags every other customer holding it as a conflict."""
        outcome, row_id = self.link_address(tx, customer_id, draft, uid=uid)
        if row_id is None:
            return outcome
        return Outcome(added=True, conflicts=tuple(self.flag_conflicts(tx, since_row=row_id)))

    def link_address(
        self,
        tx: Transaction,
        customer_id: int,
        draft: AddressDraft,
        *,
        uid: str | None = None,
        normalized: bool = False,
    ) -> tuple[Outcome, int | None]:
        """Add (or relabel) one link; returns the new row id, or None if it existed.

        Conflicts are flagged by `flag_conflicts`, in the same transaction: per
        address for a single add, once per batch for an import.
        """
        chain = draft.chain.strip().lower()
        if normalized:  # checked already, e.g. by the importer
            address = draft.address
        else:
            try:
                address = normalize(chain, draft.address)
            except AddressError as exc:
                raise ValidationError("address", exc.reason) from None
        label = (draft.label or "").strip() or None
        evidence = (draft.evidence or "").strip() or None
        uid = uid or self.uid_of(tx, customer_id)
        row_id = addresses.insert(
            tx.conn,
            customer_id=customer_id,
            chain=chain,
            address=address,
            label=label,
            evidence=evidence,
            now=now(),
        )
        if row_id is not None:
            tx.event(
                "address.added",
                {
                    "customer": uid,
                    "chain": chain,
                    "address": address,
                    **self.seal(customer_id, {"label": label, "evidence": evidence}),
                },
            )
            return Outcome(added=True), row_id
        if label is None and evidence is None:
            return Outcome(), None
        old_id, old_label, old_evidence = addresses.link(tx.conn, customer_id, chain, address)
        if (old_label, old_evidence) == (label, evidence):
            return Outcome(), None
        addresses.update_label(tx.conn, old_id, label=label, evidence=evidence)
        tx.event(
            "address.updated",
            {
                "customer": uid,
                "chain": chain,
                "address": address,
                "old": self.seal(customer_id, {"label": old_label, "evidence": old_evidence}),
                "new": self.seal(customer_id, {"label": label, "evidence": evidence}),
            },
        )
        return Outcome(changed=True), None

    def link_addresses(
        self,
        tx: Transaction,
        links: Sequence[tuple[int, str, str, str, str | None, str | None]],
        *,
        order: Sequence[int] | None = None,
    ) -> list[Outcome]:
        """The bulk form of `link_address` for imports: (customer id, uid, chain, address,
        label, evidence) with the address already normalised, label and evidence
        stripped (None when empty). `order`: the positions of `links` in (chain,
        address) order, if known (`addresses.insert_new`).

        New links are written with one executemany and logged as batch events
        (`addresses.imported`, EVENT_ROWS rows each) instead of one event per
        row: each row names its customer and carries its label and evidence
        sealed under that customer's key, so the event replays the rows, a
        customer's history finds them (the event is indexed by customer) and
        erasing a customer makes its values unreadable there too. The rest
        (existing links, repeats within the batch) go through `link_address`.
        """
        stamp = now()
        added = addresses.insert_new(
            tx.conn,
            [(cid, chain, address, label, ev) for cid, _, chain, address, label, ev in links],
            now=stamp,
            order=order,
        )
        later: list[int] = []
        fresh: Sequence[tuple[int, str, str, str, str | None, str | None]]
        if added is None:  # every row new: the usual import
            fresh = links
            outcomes = [Outcome(added=True)] * len(links)
        else:
            fresh = kept = []
            outcomes = []
            new, same = Outcome(added=True), Outcome()
            for i, link in enumerate(links):
                key = (link[0], link[2], link[3])
                if key in added:
                    added.discard(key)  # a repeat later in the batch is not new again
                    kept.append(link)
                    outcomes.append(new)
                else:
                    later.append(i)
                    outcomes.append(same)
        # Label and evidence are personal fields: sealed under the row's customer's key.
        labels = self.keys.seal_many([(c[0], c[4]) for c in fresh])
        evidences: Sequence[str | None] = (
            self.keys.seal_many([(c[0], c[5]) for c in fresh])
            if any(c[5] is not None for c in fresh)
            else [None] * len(fresh)
        )
        rows = [
            [c[1], c[2], c[3], label, ev]
            for c, label, ev in zip(fresh, labels, evidences, strict=True)
        ]
        owners = [c[0] for c in fresh]
        for start in range(0, len(rows), EVENT_ROWS):
            tx.event(
                IMPORTED_ADDRESSES,
                {"columns": list(IMPORTED_COLUMNS), "rows": rows[start : start + EVENT_ROWS]},
                about=sorted(set(owners[start : start + EVENT_ROWS])),
            )
        for i in later:
            customer_id, uid, chain, address, label, evidence = links[i]
            draft = AddressDraft(chain, address, label, evidence)
            outcomes[i] = self.link_address(tx, customer_id, draft, uid=uid, normalized=True)[0]
        return outcomes

    def flag_conflicts(
        self, tx: Transaction, *, since_row: int | None = None, customer: int | None = None
    ) -> list[int]:
        """Record (and log) each customer pair sharing an address: for the links added at or
        after row `since_row`, or for every address of `customer`."""
        found: list[int] = []
        stamp = now()
        if customer is not None:
            pairs = addresses.shared_by(tx.conn, customer)
        else:
            assert since_row is not None
            pairs = addresses.shared_since(tx.conn, since_row)
        for chain, address, first, second in pairs:
            conflict_id = addresses.record_conflict(
                tx.conn, chain=chain, address=address, first=first, second=second, now=stamp
            )
            if conflict_id is not None:
                found.append(conflict_id)
                tx.event(
                    "conflict.detected",
                    {
                        "conflict": conflict_id,
                        "chain": chain,
                        "address": address,
                        "customers": sorted([self.uid_of(tx, first), self.uid_of(tx, second)]),
                    },
                )
        return found

    def resolve_conflict(self, conflict_id: int, resolution: str) -> bool:
        text = resolution.strip()
        if not text:
            raise ValidationError("resolution", "say how the conflict was resolved")
        with self.vault.transaction() as tx:
            if not addresses.resolve_conflict(tx.conn, conflict_id, resolution=text, now=now()):
                return False
            chain, address, first, second = tx.execute(
                "SELECT k.chain, k.address, a.uid, b.uid FROM conflicts k JOIN customers a "
                "ON a.id = k.customer_a JOIN customers b ON b.id = k.customer_b WHERE k.id = ?",
                (conflict_id,),
            ).fetchone()
            # Named by what it is about, not only its number here: another device
            # numbers its conflicts itself.
            tx.event(
                "conflict.resolved",
                {
                    "conflict": conflict_id,
                    "resolution": text,
                    "chain": chain,
                    "address": address,
                    "customers": sorted([first, second]),
                },
            )
        return True

    # --- erasure ---------------------------------------------------------------

    def erase_customer(self, customer_id: int, *, reason: str) -> None:
        """Data-subject erasure: personal values go from records, index and history.

        A tombstone row stays (id, kind, country, dates, wallet addresses for
        AML record-keeping, without labels or evidence), and so does the
        audit event; the customer's key is destroyed, so every sealed value in
        the history becomes unreadable while the chain still verifies.
        """
        if not reason.strip():
            raise ValidationError("reason", "an erasure needs a reason for the audit trail")
        with self.vault.transaction() as tx:
            row = tx.execute(
                "SELECT uid, erased_at FROM customers WHERE id = ?", (customer_id,)
            ).fetchone()
            if row is None:
                raise ValidationError("customer", "no such customer")
            if row[1] is not None:
                return
            customers.erase(tx.conn, customer_id, placeholder=ERASED, now=now())
            self.keys.destroy(customer_id)
            tx.event("customer.erased", {"customer": row[0], "reason": reason.strip()})
        # Deleted FTS entries linger in index segments until they are merged.
        with self.vault.transaction() as tx:
            tx.execute("INSERT INTO search (search) VALUES ('optimize')")
        self.vault.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
