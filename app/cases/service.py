"""Cases for one open vault: open, gather, escalate, ask to close (four eyes), read.

Runs on the database worker. Every write is one transaction with its event,
carrying what a replay needs (sealed values stay sealed under the customer's key,
as in the book's events). Closing is an approval request of kind 'case_close';
the case closes when that request is approved (a trigger of schema 18 follows
the request's status, so a decision made here or replayed from elsewhere closes it).
"""

from __future__ import annotations

from collections.abc import Sequence

from app.approvals import requests
from app.approvals.desk import Desk
from app.approvals.model import ApprovalError, QueueRow
from app.approvals.times import Clock, iso, utc_now
from app.book.service import CustomerBook
from app.cases.model import (
    DISPOSITIONS,
    ITEM_KINDS,
    MAX_NOTE,
    MAX_TITLE,
    WAITING,
    CaseError,
    CaseItem,
    CaseView,
)
from vault.book import customers
from vault.cases import rows
from vault.cases.rows import CaseRow
from vault.events import time_ordered_id
from vault.pii import ERASED
from vault.screening import name_hits
from vault.store import Vault


class Cases:
    """`acting_as`: the member who acts (see app.approvals.desk.Desk)."""

    def __init__(
        self, vault: Vault, *, acting_as: str | None = None, clock: Clock = utc_now
    ) -> None:
        self.vault = vault
        self.clock = clock
        self.desk = Desk(vault, acting_as=acting_as, clock=clock)
        self.book = CustomerBook(vault)

    def forget(self) -> None:
        self.desk.forget()
        self.book.forget()

    def _member(self) -> str:
        try:
            return self.desk.actor().member.name
        except ApprovalError as exc:
            raise CaseError(exc.message) from None

    # --- reading ----------------------------------------------------------------------

    def cases(
        self,
        *,
        statuses: Sequence[str] = (),
        customer_id: int | None = None,
        sort: str = "updated",
        descending: bool = True,
    ) -> list[CaseView]:
        found = rows.cases(
            self.vault.conn,
            statuses=statuses,
            customer_id=customer_id,
            sort=sort,
            descending=descending,
        )
        return [self._view(r) for r in found]

    def case(self, key: str) -> CaseView:
        """The case with what it gathers."""
        row = self._row(key)
        opened = [
            CaseItem(
                id=i.uid,
                kind=i.kind,
                ref=i.ref,
                text=self._open(row.customer_id, i.body) if i.body else "",
                added_by=i.added_by,
                added_at=i.added_at,
            )
            for i in rows.items(self.vault.conn, row.id)
        ]
        return self._view(row, tuple(opened))

    def _row(self, key: str) -> CaseRow:
        row = rows.case(self.vault.conn, key.strip())
        if row is None:
            raise CaseError(f"There is no case '{key.strip()[:40]}' (strongroom cases list).")
        return row

    def _open(self, customer_id: int, sealed: str | None) -> str:
        value = self.book.keys.open(customer_id, sealed)
        return value if isinstance(value, str) else ERASED

    def _view(self, row: CaseRow, detail: tuple[CaseItem, ...] = ()) -> CaseView:
        return CaseView(
            id=row.uid,
            number=row.id,
            customer=row.external_id or row.customer_uid,
            customer_name=row.customer_name,
            title=self._open(row.customer_id, row.title),
            owner=row.owner,
            status=row.status,
            disposition=row.disposition,
            disposition_reason=(
                None
                if row.disposition_reason is None
                else self._open(row.customer_id, row.disposition_reason)
            ),
            close_request=row.close_request,
            close_status=row.close_status,
            opened_at=row.opened_at,
            opened_by=row.opened_by,
            updated_at=row.updated_at,
            closed_at=row.closed_at,
            items=row.items,
            detail=detail,
        )

    # --- writing ----------------------------------------------------------------------

    def open_case(self, external_id: str, title: str, *, owner: str | None = None) -> CaseView:
        """A new case about the customer; its owner is the acting member unless named."""
        text = " ".join(title.split())
        if not text:
            raise CaseError("Give the case a title: what is suspected, in a few words.")
        if len(text) > MAX_TITLE:
            raise CaseError(f"The title is longer than {MAX_TITLE} characters; shorten it.")
        customer_id = customers.by_external_id(self.vault.conn, external_id.strip())
        active = self.vault.conn.execute(
            "SELECT uid FROM customers WHERE id = ? AND erased_at IS NULL AND merged_into IS NULL",
            (customer_id,),
        ).fetchone()
        if customer_id is None or active is None:
            raise CaseError(
                f"There is no customer with the external id '{external_id.strip()[:40]}' "
                "(or it was erased or merged)."
            )
        me = self._member()
        who = " ".join((owner or me).split())[:80]
        uid = time_ordered_id()
        now = iso(self.clock())
        with self.vault.transaction() as tx:
            sealed = self.book.keys.seal(customer_id, text)
            case_id = rows.insert_case(
                tx.conn,
                {
                    "uid": uid,
                    "customer_id": customer_id,
                    "title": sealed,
                    "owner": who,
                    "opened_at": now,
                    "opened_by": me,
                },
            )
            tx.event(
                "case.opened",
                {
                    "customer": str(active[0]),
                    "case": uid,
                    "title": sealed,
                    "owner": who,
                    "opened_at": now,
                    "opened_by": me,
                },
            )
        del case_id
        return self.case(uid)

    def add(self, key: str, kind: str, ref: str) -> CaseItem:
        """Link something to the case (or, for a note, add its text)."""
        row = self._row(key)
        if row.status == "closed":
            raise CaseError(f"Case {row.id} is closed; open a new case for what came up since.")
        if kind not in ITEM_KINDS:
            raise CaseError(f"'{kind[:20]}' is not one of {', '.join(ITEM_KINDS)}.")
        body: str | None = None
        clean = ref.strip()
        if kind == "note":
            if not clean:
                raise CaseError("The note is empty.")
            if len(clean) > MAX_NOTE:
                raise CaseError(f"The note is longer than {MAX_NOTE} characters; split it.")
            body, clean = self.book.keys.seal(row.customer_id, clean), time_ordered_id()
        else:
            clean = self._checked_ref(row, kind, clean)
        me = self._member()
        now = iso(self.clock())
        uid = time_ordered_id()
        with self.vault.transaction() as tx:
            added = rows.insert_item(
                tx.conn,
                {
                    "uid": uid,
                    "case_id": row.id,
                    "kind": kind,
                    "ref": clean,
                    "body": body,
                    "added_by": me,
                    "added_at": now,
                },
            )
            if added is None:
                raise CaseError(f"Case {row.id} holds this {kind.replace('_', ' ')} already.")
            rows.touch(tx.conn, row.id, now)
            tx.event(
                "case.item_added",
                {
                    "customer": row.customer_uid,
                    "case": row.uid,
                    "item": uid,
                    "kind": kind,
                    "ref": clean,
                    "body": body,
                    "added_by": me,
                    "added_at": now,
                },
            )
        item = next(i for i in self.case(row.uid).detail if i.id == uid)
        return item

    def _checked_ref(self, row: CaseRow, kind: str, ref: str) -> str:
        conn = self.vault.conn
        if kind == "name_hit":
            hit = name_hits.hit(conn, int(ref)) if ref.isdigit() else None
            if hit is None or hit.customer_id != row.customer_id:
                raise CaseError(f"'{ref[:20]}' is not a name hit of this customer.")
            return str(hit.id)
        if kind in ("address_hit", "flow"):
            chain, sep, address = ref.partition(":")
            known = conn.execute(
                "SELECT 1 FROM addresses WHERE customer_id = ? AND chain = ? AND address = ? "
                "UNION ALL SELECT 1 FROM screenings WHERE chain = ? AND address = ? LIMIT 1",
                (row.customer_id, chain.lower(), address, chain.lower(), address),
            ).fetchone()
            if not sep or known is None:
                raise CaseError(
                    f"'{ref[:60]}' is neither an address of this customer nor a screened "
                    "address; give it as chain:address (ethereum:0x...)."
                )
            return f"{chain.lower()}:{address}"
        if kind == "document":
            owner = conn.execute(
                "SELECT customer_id FROM documents WHERE uid = ?", (ref,)
            ).fetchone()
            if owner is None or int(owner[0]) != row.customer_id:
                raise CaseError(f"'{ref[:40]}' is not a document of this customer.")
            return ref
        # an alert is kept by its uid: the same on every device, unlike its row id
        if not ref or len(ref) > 80:
            raise CaseError("Give the alert's id.")
        found = conn.execute(
            "SELECT uid FROM alerts WHERE (uid = ? OR CAST(id AS TEXT) = ?) "
            "AND (customer_id IS NULL OR customer_id = ?)",
            (ref, ref, row.customer_id),
        ).fetchone()
        if found is None:
            raise CaseError(f"There is no alert '{ref[:40]}' about this customer.")
        return str(found[0])

    def escalate(self, key: str) -> CaseView:
        row = self._row(key)
        if row.status != "open":
            raise CaseError(f"Case {row.id} is {row.status}; only an open case is escalated.")
        me = self._member()
        now = iso(self.clock())
        with self.vault.transaction() as tx:
            rows.touch(tx.conn, row.id, now, status="escalated")
            tx.event(
                "case.escalated",
                {"customer": row.customer_uid, "case": row.uid, "by": me, "at": now},
            )
        return self.case(row.uid)

    def request_close(self, key: str, disposition: str, reason: str) -> QueueRow:
        """Ask to close the case with a disposition: an approval request of kind
        'case_close' that a second officer decides (whoever asks cannot approve)."""
        row = self._row(key)
        if row.status == "closed":
            raise CaseError(f"Case {row.id} is closed already.")
        if row.close_status in WAITING:
            raise CaseError(
                f"Case {row.id} waits for the decision on its closing request "
                f"{row.close_request} (strongroom approvals show)."
            )
        if disposition not in DISPOSITIONS:
            raise CaseError(f"The disposition is one of {', '.join(DISPOSITIONS)}.")
        text = " ".join(reason.split())
        if not text:
            raise CaseError("Say why the case can close (--reason): it is kept as evidence.")
        if not row.external_id:
            raise CaseError("Give the customer an external id first: approvals name it by that.")
        justification = f"Close case {row.id} ({row.uid}) as {disposition}: {text}"
        try:
            request = requests.case_close(self.desk, row.external_id, justification)
        except ApprovalError as exc:
            raise CaseError(exc.message) from None
        now = iso(self.clock())
        with self.vault.transaction() as tx:
            sealed = self.book.keys.seal(row.customer_id, text)
            rows.touch(
                tx.conn,
                row.id,
                now,
                disposition=disposition,
                disposition_reason=sealed,
                close_request=request.id,
            )
            tx.event(
                "case.close_requested",
                {
                    "customer": row.customer_uid,
                    "case": row.uid,
                    "request": request.id,
                    "disposition": disposition,
                    "reason": sealed,
                    "at": now,
                },
            )
        return request
