"""Editing a customer, notes and the interaction timeline, tasks with reminders."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from app.book import validate
from app.book.models import ValidationError
from app.book.service import CustomerBook, now
from vault.book import customers, kyc_dates

NOTE_KINDS = ("note", "call", "meeting", "email", "document")


def _when(value: str | None, name: str) -> str | None:
    """An ISO date or date-time, checked; None for empty."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return (
            date.fromisoformat(text).isoformat()
            if len(text) == 10
            else datetime.fromisoformat(text).isoformat(timespec="minutes")
        )
    except ValueError:
        raise ValidationError(name, f"'{text[:25]}' is not a date (YYYY-MM-DD)") from None


def update_customer(book: CustomerBook, customer_id: int, fields: Mapping[str, object]) -> bool:
    """Apply edited fields (form names as in import: name, email, phone, tags, ...).

    Returns whether anything changed; the event records old and new values.
    """
    with book.vault.transaction() as tx:
        current = customers.record(tx.conn, customer_id)
        if current is None:
            raise ValidationError("customer", "no such customer")
        merged: dict[str, object] = {
            "external_id": current["external_id"],
            "name": current["display_name"],
            "legal_name": current["legal_name"],
            "kind": current["kind"],
            "country": current["country"],
            "owner": current["owner"],
            "kyc_status": current["kyc_status"],
            "risk_rating": current["risk_rating"],
            "risk_reason": current["risk_reason"],
            "email": "; ".join(current["emails"]),
            "phone": "; ".join(current["phones"]),
            "tags": "; ".join(current["tags"]),
            **fields,
        }
        draft = validate.customer(merged)
        if draft.external_id != current["external_id"] and draft.external_id:
            other = customers.by_external_id(tx.conn, draft.external_id)
            if other is not None and other != customer_id:
                raise ValidationError("external_id", "another customer already has this id")
        # The date travels in the change's own event, so every device sets the same.
        stamp = {kyc_dates.UPDATED: now()} if "kyc_status" in fields else None
        changed = book.apply_changes(tx, customer_id, draft, also=stamp)
        if changed and stamp is not None:
            kyc_dates.set_dates(tx.conn, customer_id, stamp)
        dates: dict[str, str | None] = {}
        if "kyc_expires_at" in fields:
            expires = _when(str(fields["kyc_expires_at"] or ""), "kyc_expires_at")
            held = tx.execute(
                "SELECT kyc_expires_at FROM customers WHERE id = ?", (customer_id,)
            ).fetchone()
            if held[0] != expires:
                dates["kyc_expires_at"] = expires
        if dates:
            kyc_dates.set_dates(tx.conn, customer_id, dates)
            # its own event: the desk's other devices set the same dates (sync)
            tx.event(kyc_dates.EVENT, {"customer": book.uid_of(tx, customer_id), **dates})
        return changed


def add_note(book: CustomerBook, customer_id: int, body: str, *, kind: str = "note") -> int:
    text = body.strip()
    if not text:
        raise ValidationError("note", "is empty")
    if kind not in NOTE_KINDS:
        raise ValidationError("kind", f"is not one of {', '.join(NOTE_KINDS)}")
    with book.vault.transaction() as tx:
        cur = tx.execute(
            "INSERT INTO notes (customer_id, kind, body, at, author) VALUES (?, ?, ?, ?, ?)",
            (customer_id, kind, text[: validate.MAX_TEXT], now(), book.vault.log.author),
        )
        note_id = int(cur.lastrowid)
        customers.reindex(tx.conn, customer_id)
        tx.event(
            "note.added",
            {
                "customer": book.uid_of(tx, customer_id),
                "note": note_id,
                "kind": kind,
                **book.seal(customer_id, {"body": text}),
            },
        )
    return note_id


def add_task(
    book: CustomerBook,
    customer_id: int,
    title: str,
    *,
    due_at: str | None = None,
    remind_at: str | None = None,
) -> int:
    text = title.strip()
    if not text:
        raise ValidationError("task", "is empty")
    due, remind = _when(due_at, "due_at"), _when(remind_at, "remind_at")
    with book.vault.transaction() as tx:
        cur = tx.execute(
            "INSERT INTO tasks (customer_id, title, due_at, remind_at, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (customer_id, text[:500], due, remind, now()),
        )
        task_id = int(cur.lastrowid)
        tx.event(
            "task.added",
            {
                "customer": book.uid_of(tx, customer_id),
                "task": task_id,
                "due_at": due,
                "remind_at": remind,
                **book.seal(customer_id, {"body": text}),
            },
        )
    return task_id


def complete_task(book: CustomerBook, task_id: int) -> bool:
    with book.vault.transaction() as tx:
        row = tx.execute(
            "SELECT customer_id, done_at FROM tasks WHERE id = ?", (task_id,)
        ).fetchone()
        if row is None or row[1] is not None:
            return False
        tx.execute("UPDATE tasks SET done_at = ? WHERE id = ?", (now(), task_id))
        payload: dict[str, object] = {"customer": book.uid_of(tx, int(row[0])), "task": task_id}
        # A task made on another device is known there by that device's number.
        origin = tx.execute(
            "SELECT log_device, origin FROM sync_ids WHERE kind = 'task' AND local = ?",
            (task_id,),
        ).fetchone()
        if origin is not None:
            payload["origin"] = [origin[0], int(origin[1])]
        tx.event("task.done", payload)
    return True


def due_reminders(book: CustomerBook, *, at: str | None = None) -> list[tuple[int, int, str, str]]:
    """Open tasks whose reminder time has come: (task id, customer id, title, remind_at)."""
    moment = at or now()
    return [
        (int(r[0]), int(r[1]), str(r[2]), str(r[3]))
        for r in book.vault.conn.execute(
            "SELECT id, customer_id, title, remind_at FROM tasks WHERE done_at IS NULL "
            "AND remind_at IS NOT NULL AND remind_at <= ? ORDER BY remind_at",
            (moment,),
        )
    ]
