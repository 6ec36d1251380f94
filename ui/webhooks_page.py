"""Settings › Webhooks: add an endpoint (its secret shown once), send a test, remove
one, and see the delivery log.

Every vault read or write runs on the database worker (the keychain may block);
a test's POST runs on the network pool and reaches the vault only through
`DbCalls`. The secret is shown once in a read-only field and never again; URLs
are shown with any user and password replaced. GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.tasks import DbCalls, Progress
from app.webhooks import endpoints
from app.webhooks.delivery import WebhookRun, deliver_due, waiting
from app.webhooks.events import EVENT_TYPES
from ui import errors
from ui.naming import named
from ui.ops import run_db, run_network
from ui.screening.context import ScreeningContext
from vault import webhooks as hooks
from vault.store import Vault

OK_STYLE = "color: #1b5e20;"
BAD_STYLE = "color: #b71c1c;"


@dataclass(frozen=True)
class Snapshot:
    """What the page shows, read on the database worker."""

    endpoints: list[endpoints.Endpoint]
    attempts: list[hooks.AttemptRow]
    waiting: int


def snapshot(vault: Vault) -> Snapshot:
    """Database worker."""
    return Snapshot(endpoints.listed(vault), hooks.attempts(vault.conn, limit=200), waiting(vault))


class WebhooksPage(QWidget):
    def __init__(self, context: ScreeningContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("webhooksPage")
        self.title = self.tr("Webhooks")
        self.context = context
        self._db = DbCalls(context.services.runner)
        self._shown: list[endpoints.Endpoint] = []
        layout = QVBoxLayout(self)
        note = QLabel(
            self.tr(
                "Events are signed as Standard Webhooks say, wait in the outbox while the "
                "receiver cannot be reached, and go to each endpoint once. They carry ids "
                "and facts, never names or contact details."
            )
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        layout.addWidget(note)
        layout.addWidget(self._add_box())
        layout.addWidget(self._endpoints_box(), 1)
        layout.addWidget(self._log_box(), 2)
        self.reload()

    # --- building ------------------------------------------------------------------

    def _add_box(self) -> QGroupBox:
        box = named(QGroupBox(self.tr("Add an endpoint")), "webhookAddBox")
        grid = QGridLayout(box)
        self.url = named(QLineEdit(), "webhookUrl")
        self.url.setPlaceholderText(self.tr("https://receiver.example/hooks"))
        self.add_button = named(QPushButton(self.tr("Add")), "webhookAdd")
        self.add_button.clicked.connect(self.add)
        grid.addWidget(QLabel(self.tr("URL:")), 0, 0)
        grid.addWidget(self.url, 0, 1, 1, 3)
        grid.addWidget(self.add_button, 0, 4)
        self.event_boxes: dict[str, QCheckBox] = {}
        for n, event in enumerate(EVENT_TYPES):
            check = named(QCheckBox(event), f"webhookEvent_{event}")
            check.setChecked(True)
            self.event_boxes[event] = check
            grid.addWidget(check, 1 + n // 2, 1 + n % 2)
        self.secret = named(QLineEdit(), "webhookSecret")
        self.secret.setReadOnly(True)
        self.secret.hide()
        self.secret_note = named(QLabel(), "webhookSecretNote")
        self.secret_note.setWordWrap(True)
        self.secret_note.hide()
        grid.addWidget(self.secret_note, 3, 0, 1, 5)
        grid.addWidget(self.secret, 4, 0, 1, 5)
        self.message = named(QLabel(), "webhookMessage")
        self.message.setWordWrap(True)
        grid.addWidget(self.message, 5, 0, 1, 5)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        return box

    def _endpoints_box(self) -> QGroupBox:
        box = named(QGroupBox(self.tr("Endpoints")), "webhookEndpointsBox")
        column = QVBoxLayout(box)
        self.table = named(QTableWidget(0, 3), "webhookEndpoints")
        self.table.setHorizontalHeaderLabels([self.tr("Id"), self.tr("URL"), self.tr("Events")])
        self._table_style(self.table)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QHBoxLayout()
        self.test_button = named(QPushButton(self.tr("Send a test")), "webhookTest")
        self.test_button.setToolTip(self.tr("Send a webhook.test event to the selected endpoint"))
        self.remove_button = named(QPushButton(self.tr("Remove")), "webhookRemove")
        self.test_button.clicked.connect(self.send_test)
        self.remove_button.clicked.connect(self.remove)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        column.addWidget(self.table)
        column.addLayout(buttons)
        return box

    def _log_box(self) -> QGroupBox:
        box = named(QGroupBox(self.tr("Deliveries")), "webhookLogBox")
        column = QVBoxLayout(box)
        self.waiting_label = named(QLabel(), "webhookWaiting")
        self.log = named(QTableWidget(0, 5), "webhookLog")
        self.log.setHorizontalHeaderLabels(
            [self.tr("When (UTC)"), self.tr("Endpoint"), self.tr("Event"), self.tr("Result"),
             self.tr("Time")]
        )  # fmt: skip
        self._table_style(self.log)
        self.log.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        line = QHBoxLayout()
        line.addWidget(self.waiting_label, 1)
        refresh = named(QPushButton(self.tr("Refresh")), "webhookRefresh")
        refresh.clicked.connect(self.reload)
        line.addWidget(refresh)
        column.addLayout(line)
        column.addWidget(self.log)
        return box

    @staticmethod
    def _table_style(table: QTableWidget) -> None:
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    # --- reading ---------------------------------------------------------------------

    def reload(self) -> None:
        session = self.context.session
        run_db(
            self.context.services.runner,
            self,
            lambda _p: snapshot(session.vault),
            on_success=self._show,
            on_failure=self._failed,
        )

    def _show(self, shot: Snapshot) -> None:
        self._shown = shot.endpoints
        self.table.setRowCount(len(shot.endpoints))
        for r, endpoint in enumerate(shot.endpoints):
            for c, text in enumerate((endpoint.id, endpoint.url, ", ".join(endpoint.events))):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.log.setRowCount(len(shot.attempts))
        for r, attempt in enumerate(shot.attempts):
            result = (
                self.tr("delivered (HTTP %1)").replace("%1", str(attempt.status))
                if attempt.error is None
                else attempt.error
            )
            cells = (
                attempt.attempted_at[:19].replace("T", " "),
                attempt.endpoint_id,
                attempt.event_type,
                result,
                f"{attempt.ms} ms",
            )
            for c, text in enumerate(cells):
                self.log.setItem(r, c, QTableWidgetItem(text))
        self.waiting_label.setText(
            self.tr("%n delivery(ies) wait in the outbox.", "", shot.waiting)
            if shot.waiting
            else self.tr("Nothing waits to be delivered.")
        )
        has = bool(shot.endpoints)
        self.test_button.setEnabled(has)
        self.remove_button.setEnabled(has)

    # --- actions ---------------------------------------------------------------------

    def _selected(self) -> endpoints.Endpoint | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows and len(self._shown) == 1:
            return self._shown[0]
        return self._shown[rows[0].row()] if rows else None

    def add(self) -> None:
        url = self.url.text().strip()
        chosen = [e for e, box in self.event_boxes.items() if box.isChecked()]
        if not url or not chosen:
            self._say(False, self.tr("Enter the receiver's URL and choose at least one event."))
            return
        session = self.context.session
        self.add_button.setEnabled(False)

        def added(result: endpoints.Added) -> None:
            self.add_button.setEnabled(True)
            self.url.clear()
            self.secret.setText(result.secret)
            self.secret.show()
            self.secret_note.setText(
                self.tr(
                    "Endpoint %1 added. Its signing secret is shown this once: give it to the "
                    "receiver now (it verifies the webhook-signature header with it)."
                ).replace("%1", result.id)
            )
            self.secret_note.show()
            self._say(True, "")
            self.reload()

        run_db(
            self.context.services.runner,
            self,
            lambda _p: endpoints.add(session.vault, url, chosen),
            on_success=added,
            on_failure=self._failed,
        )

    def send_test(self) -> None:
        endpoint = self._selected()
        if endpoint is None:
            self._say(False, self.tr("Select an endpoint first."))
            return
        session, db = self.context.session, self._db
        self.test_button.setEnabled(False)
        self._say(True, self.tr("Sending a test to %1…").replace("%1", endpoint.id))

        def work(progress: Progress) -> WebhookRun:
            db(lambda: endpoints.queue_test(session.vault, endpoint.id))
            return deliver_due(session.vault, cancelled=lambda: progress.cancelled, db=db)

        def done(run: WebhookRun) -> None:
            self.test_button.setEnabled(True)
            if run.delivered:
                self._say(True, self.tr("The test was delivered."))
            else:
                self._say(
                    False,
                    self.tr(
                        "The test was not delivered yet; it waits in the outbox. "
                        "The log below says why."
                    ),
                )
            self.reload()

        run_network(
            self.context.services.runner, self, work, on_success=done, on_failure=self._failed
        )

    def remove(self) -> None:
        endpoint = self._selected()
        if endpoint is None:
            self._say(False, self.tr("Select an endpoint first."))
            return
        session = self.context.session

        def removed(_gone: bool) -> None:
            self._say(True, self.tr("Endpoint %1 removed.").replace("%1", endpoint.id))
            self.reload()

        run_db(
            self.context.services.runner,
            self,
            lambda _p: endpoints.remove(session.vault, endpoint.id),
            on_success=removed,
            on_failure=self._failed,
        )

    def _failed(self, error: BaseException) -> None:
        self.add_button.setEnabled(True)
        self.test_button.setEnabled(bool(self._shown))
        self._say(False, errors.describe(error))

    def _say(self, ok: bool, text: str) -> None:
        self.message.setStyleSheet(OK_STYLE if ok else BAD_STYLE)
        self.message.setText(text)
