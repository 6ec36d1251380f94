"""The alerts of one open vault: run the rules, act on alerts, and tell who listens.

Two ways to hear of a raised alert:

- `add_hook(hook)`: `hook(tx, raised)` is called for each alert raised, inside the
  transaction that raises it (app.alerts.engine.RaisedHook). Whatever must not be
  lost (the webhooks' outbox row for `alert.raised`) is written there: it commits
  or rolls back with the alert.
- the bus topic `alerts.changed` ({"raised": [Raised.as_dict(), ...], "cleared": n,
  "live": n}), published after the commit, for views (the GUI's badge).

Database worker (GUI) or the command's thread (CLI).
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.alerts import actions
from app.alerts.engine import Raised, RaisedHook, RunReport, run_rules
from app.book.service import CustomerBook
from app.bus import EventBus
from app.webhooks.events import ALERT_RAISED, enqueue
from vault.alerts import store
from vault.alerts.store import AlertRow
from vault.connection import Connection
from vault.store import Transaction, Vault

TOPIC = "alerts.changed"


class AlertService:
    def __init__(self, vault: Vault, bus: EventBus | None = None) -> None:
        self._vault = vault
        self._bus = bus
        # The webhook row commits with the alert, so a crash cannot lose one.
        self._hooks: list[RaisedHook] = [_queue_webhook]
        self._book: CustomerBook | None = None

    @property
    def vault(self) -> Vault:
        return self._vault

    def add_hook(self, hook: RaisedHook) -> None:
        self._hooks.append(hook)

    def run(self, *, now: datetime | None = None) -> RunReport:
        report = run_rules(self._vault, now=now, hooks=tuple(self._hooks))
        if self._bus is not None and (report.raised or report.cleared):
            self._bus.publish(
                TOPIC,
                raised=[raised.as_dict() for raised in report.raised],
                cleared=report.cleared,
                live=report.live,
            )
        return report

    def open_count(self, now: str) -> int:
        return self.count_open(self._vault.conn, now)

    @staticmethod
    def count_open(conn: Connection, now: str) -> int:
        """The alerts open at `now`: live, not acknowledged, not snoozed past it."""
        return store.count(conn, status="open", now=now)

    def acknowledge(self, uid: str, *, reason: str) -> AlertRow:
        return actions.acknowledge(self._vault, uid, reason=reason)

    def snooze(self, uid: str, *, days: float) -> str:
        return actions.snooze(self._vault, uid, days=days)

    def to_task(self, uid: str) -> int:
        if self._book is None:
            self._book = CustomerBook(self._vault)
        return actions.to_task(self._book, uid)

    def forget(self) -> None:
        if self._book is not None:
            self._book.forget()
            self._book = None


def _queue_webhook(tx: Transaction, raised: Raised) -> None:
    enqueue(
        tx.conn,
        event_type=ALERT_RAISED,
        key=raised.id,
        data=raised.as_dict(),
        now=datetime.now(UTC),
    )
