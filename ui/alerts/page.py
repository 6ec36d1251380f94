"""The Alerts section: the inbox of live alerts (critical first, then newest), and what
to do with one.

Select an alert to see why it was raised (in numbers), open its customer or its
request, acknowledge it with a reason (audited), snooze it, or make it a task on
its customer. Every read and action runs on the database worker. GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui import errors
from ui.alerts.context import AlertsContext
from ui.alerts.model import AlertsModel, rule_title, severity_title, subject_text
from ui.book.context import RefreshWhenShown
from ui.naming import named
from vault.alerts.store import AlertRow


class AlertsPage(QWidget):
    #: open this customer's page (its id)
    open_customer = Signal(int)
    #: show the approval requests of this customer (its external id or name)
    show_requests = Signal(str)

    def __init__(self, context: AlertsContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alertsPage")
        self.context = context
        self.model = AlertsModel(context.reader, self)
        self.alert: AlertRow | None = None

        title = QLabel(f"<h2>{self.tr('Alerts')}</h2>")
        self.status = named(QComboBox(), "alertStatus")
        for text, value in (
            (self.tr("Open"), "open"),
            (self.tr("Snoozed"), "snoozed"),
            (self.tr("Acknowledged"), "acknowledged"),
            (self.tr("All not cleared"), None),
            (self.tr("Cleared"), "cleared"),
        ):
            self.status.addItem(text, value)
        self.status.currentIndexChanged.connect(
            lambda _i: self.model.set_status(self.status.currentData())
        )
        self.run_button = named(QPushButton(self.tr("Run rules now")), "alertsRun")
        self.run_button.setToolTip(
            self.tr(
                "The rules also run after every change that can trigger them, and every 10 minutes"
            )
        )
        self.run_button.clicked.connect(self._run)
        self.state = named(QLabel(), "alertsState")
        self.state.setStyleSheet("color: #555;")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addWidget(self.state, 1)
        top.addWidget(QLabel(self.tr("Show:")))
        top.addWidget(self.status)
        top.addWidget(self.run_button)

        self.view = named(QTableView(), "alertsTable")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 80), (1, 150), (2, 260), (4, 140)):
            self.view.setColumnWidth(column, width)
        self.view.selectionModel().selectionChanged.connect(self._selected)

        self.detail = named(
            QLabel(self.tr("Select an alert to see why it was raised.")), "alertWhy"
        )
        self.detail.setWordWrap(True)
        # room for the title line and a why that wraps once, at every window size
        self.detail.setMinimumHeight(self.detail.fontMetrics().lineSpacing() * 3)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.customer_button = named(QPushButton(self.tr("Open customer")), "alertCustomer")
        self.customer_button.clicked.connect(self._open_customer)
        self.request_button = named(QPushButton(self.tr("Show requests")), "alertRequest")
        self.request_button.clicked.connect(self._open_request)
        self.task_button = named(QPushButton(self.tr("Make a task")), "alertTask")
        self.task_button.setToolTip(self.tr("A task on the alert's customer, due in 3 days"))
        self.task_button.clicked.connect(self._to_task)
        self.snooze_for = named(QComboBox(), "alertSnoozeFor")
        for text, days in ((self.tr("1 day"), 1), (self.tr("7 days"), 7), (self.tr("30 days"), 30)):
            self.snooze_for.addItem(text, days)
        self.snooze_button = named(QPushButton(self.tr("Snooze")), "alertSnooze")
        self.snooze_button.clicked.connect(self._snooze)
        links = QHBoxLayout()
        for widget in (self.customer_button, self.request_button, self.task_button):
            links.addWidget(widget)
        links.addStretch(1)
        links.addWidget(self.snooze_for)
        links.addWidget(self.snooze_button)
        self.reason = named(QLineEdit(), "alertReason")
        self.reason.setPlaceholderText(self.tr("Why this alert needs no more action (audited)"))
        self.reason.textChanged.connect(lambda _t: self._enable())
        self.reason.returnPressed.connect(self._acknowledge)
        self.ack_button = named(QPushButton(self.tr("Acknowledge")), "alertAck")
        self.ack_button.clicked.connect(self._acknowledge)
        ack = QHBoxLayout()
        ack.addWidget(self.reason, 1)
        ack.addWidget(self.ack_button)
        self.message = named(QLabel(), "alertMessage")
        self.message.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)
        layout.addLayout(links)
        layout.addLayout(ack)
        layout.addWidget(self.message)

        self.model.failed.connect(self.message.setText)
        self.model.loaded.connect(self._loaded)
        context.changed.connect(self._changed)
        context.run_failed.connect(self._run_failed)
        self._refresher = RefreshWhenShown(self, self._reload)
        self._refresher.request()
        self._enable()

    # --- reading ---------------------------------------------------------------

    def _reload(self) -> None:
        self.model.reload(keep_loaded=True)

    def _changed(self) -> None:
        self._refresher.request()
        report = self.context.last_run
        if report is not None:
            self.state.setText(
                self.tr("Last run: %n raised", "", len(report.raised))
                + self.tr(", %n cleared", "", report.cleared)
            )

    def _loaded(self) -> None:
        uid = self.alert.uid if self.alert else None
        self.alert = None
        for position in range(self.model.rowCount()):
            if self.model.alert_at(position).uid == uid:
                self.view.selectRow(position)
                break
        else:
            self._show(None)

    def _selected(self, _new: QItemSelection, _old: QItemSelection) -> None:
        rows = self.view.selectionModel().selectedRows()
        self._show(self.model.alert_at(rows[0].row()) if rows else None)

    def _show(self, alert: AlertRow | None) -> None:
        self.alert = alert
        if alert is None:
            self.detail.setText(self.tr("Select an alert to see why it was raised."))
        else:
            subject = subject_text(alert)
            self.detail.setText(
                f"<b>{severity_title(alert.severity)} · {rule_title(alert.rule)}</b>"
                f"{' · ' + _escape(subject) if subject else ''}<br>{_escape(alert.why)}"
                + (
                    "<br>" + self.tr("Acknowledged by %1: %2")
                    .replace("%1", _escape(alert.acknowledged_by or ""))
                    .replace("%2", _escape(alert.ack_reason or ""))
                    if alert.acknowledged_at else ""
                )
            )  # fmt: skip
        self._enable()

    def _enable(self) -> None:
        alert = self.alert
        live = alert is not None and alert.cleared_at is None
        self.customer_button.setEnabled(alert is not None and alert.customer_id is not None)
        self.request_button.setEnabled(alert is not None and alert.request_id is not None)
        self.task_button.setEnabled(
            live and alert is not None and alert.customer_id is not None and alert.task_id is None
        )
        open_ = live and alert is not None and alert.acknowledged_at is None
        self.snooze_button.setEnabled(open_)
        self.reason.setEnabled(open_)
        self.ack_button.setEnabled(open_ and bool(self.reason.text().strip()))

    # --- actions ---------------------------------------------------------------

    def _run(self) -> None:
        self.state.setText(self.tr("Running the rules…"))
        self.context.run_now()

    def _run_failed(self, text: str) -> None:
        self.state.setText(self.tr("The rules could not run: %1").replace("%1", text))

    def _open_customer(self) -> None:
        if self.alert is not None and self.alert.customer_id is not None:
            self.open_customer.emit(self.alert.customer_id)

    def _open_request(self) -> None:
        if self.alert is not None and self.alert.request_id is not None:
            self.show_requests.emit(self.alert.external_id or self.alert.customer_name or "")

    def _acknowledge(self) -> None:
        alert, reason = self.alert, self.reason.text().strip()
        if alert is None or not reason or not self.ack_button.isEnabled():
            return
        self.ack_button.setEnabled(False)
        self.context.act(
            self,
            lambda service: service.acknowledge(alert.uid, reason=reason),
            on_success=lambda _row: self._done(
                self.tr("Acknowledged; the reason is in the audit log.")
            ),
            on_failure=self._failed,
        )

    def _snooze(self) -> None:
        alert, days = self.alert, float(self.snooze_for.currentData())
        if alert is None:
            return
        self.context.act(
            self,
            lambda service: service.snooze(alert.uid, days=days),
            on_success=lambda until: self._done(
                self.tr("Snoozed until %1.").replace("%1", until[:16].replace("T", " "))
            ),
            on_failure=self._failed,
        )

    def _to_task(self) -> None:
        alert = self.alert
        if alert is None:
            return
        self.context.act(
            self,
            lambda service: service.to_task(alert.uid),
            on_success=lambda _task: self._done(
                self.tr("Made a task on the customer, due in 3 days.")
            ),
            on_failure=self._failed,
        )

    def _done(self, text: str) -> None:
        self.reason.clear()
        self.message.setStyleSheet("color: #1b5e20;")
        self.message.setText(text)

    def _failed(self, error: BaseException) -> None:
        errors.log(error, debug=self.context.debug)
        self.message.setStyleSheet("color: #D55E00;")
        self.message.setText(errors.describe(error))
        self._enable()

    def close_vault_views(self) -> None:
        self.alert = None
        self.model.close()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
