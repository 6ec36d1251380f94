"""What a person does with an alert: acknowledge it with a reason (audited, an
`alert.acknowledged` event, so sync carries it), snooze it, turn it into a task."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.book.activity import add_task
from app.book.models import ValidationError
from app.book.service import CustomerBook
from vault.alerts import store
from vault.alerts.store import AlertRow
from vault.store import Vault

MAX_REASON = 2000
MAX_SNOOZE_DAYS = 90


def _live(vault: Vault, uid: str) -> AlertRow:
    alert = store.by_uid(vault.conn, uid.strip())
    if alert is None:
        raise ValidationError("alert", f"no alert has the id '{uid[:40]}'; see 'alerts list'")
    if alert.cleared_at is not None:
        raise ValidationError(
            "alert", "this alert has cleared already: its condition no longer holds"
        )
    return alert


def acknowledge(vault: Vault, uid: str, *, reason: str) -> AlertRow:
    """Mark a live alert acknowledged by this device's user, with why; audited."""
    text = reason.strip()
    if not text:
        raise ValidationError("reason", "say why the alert needs no more action (audited)")
    alert = _live(vault, uid)
    if alert.acknowledged_at is not None:
        raise ValidationError("alert", f"acknowledged already, by {alert.acknowledged_by}")
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    with vault.transaction() as tx:
        tx.execute(
            "UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ?, ack_reason = ? "
            "WHERE id = ?",
            (stamp, vault.log.author, text[:MAX_REASON], alert.id),
        )
        payload = {"alert": alert.uid, "rule": alert.rule, "subject": alert.subject,
                   "reason": text[:MAX_REASON]}  # fmt: skip
        about = [alert.customer_id] if alert.customer_id else []
        tx.event("alert.acknowledged", payload, about=about)
    found = store.by_uid(vault.conn, alert.uid)
    assert found is not None
    return found


def snooze(vault: Vault, uid: str, *, days: float, now: datetime | None = None) -> str:
    """Hide a live alert from the open ones for `days`; returns the time it comes back."""
    if not 0 < days <= MAX_SNOOZE_DAYS:
        raise ValidationError("days", f"snooze for more than 0 and at most {MAX_SNOOZE_DAYS} days")
    alert = _live(vault, uid)
    until = ((now or datetime.now(UTC)) + timedelta(days=days)).isoformat(timespec="seconds")
    with vault.transaction() as tx:
        tx.execute("UPDATE alerts SET snoozed_until = ? WHERE id = ?", (until, alert.id))
    return until


def to_task(book: CustomerBook, uid: str, *, due_days: int = 3) -> int:
    """A task on the alert's customer titled with the alert's why; the task's id."""
    alert = _live(book.vault, uid)
    if alert.customer_id is None:
        raise ValidationError("alert", "this alert is about no customer, so it cannot be a task")
    if alert.task_id is not None:
        return alert.task_id
    due = (datetime.now(UTC) + timedelta(days=due_days)).date().isoformat()
    title = f"Alert ({alert.rule.replace('_', ' ')}): {alert.why}"
    task_id = add_task(book, alert.customer_id, title, due_at=due)
    with book.vault.transaction() as tx:
        tx.execute("UPDATE alerts SET task_id = ? WHERE id = ?", (task_id, alert.id))
    return task_id
