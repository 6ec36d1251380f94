"""The alerts inbox as a lazily paged table model, newest first (STYLE.md point 4)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QColor

from ui.audit_model import local_time
from ui.book.paged_model import PagedModel, Reader, Row
from vault.alerts import store
from vault.alerts.store import AlertRow
from vault.connection import Connection


def _tr(text: str) -> str:
    return QCoreApplication.translate("AlertsModel", text)


def rule_title(rule: str) -> str:
    titles = {
        "inflow_drop": _tr("Inflow drop"),
        "outflow_spike": _tr("Outflow spike"),
        "dormant_active": _tr("Dormant address active"),
        "risk_raised": _tr("Risk raised"),
        "sanctions_hit": _tr("Sanctions hit"),
        "kyc_review": _tr("KYC review"),
        "approvals_pending": _tr("Approval pending"),
        "mass_export": _tr("Mass export"),
    }
    return titles.get(rule, rule)


def severity_title(severity: str) -> str:
    return {"critical": _tr("Critical"), "warning": _tr("Warning"), "info": _tr("Info")}.get(
        severity, severity
    )


def subject_text(alert: AlertRow) -> str:
    parts = []
    if alert.customer_id is not None:
        parts.append(alert.customer_name or alert.external_id or "")
        if alert.external_id:
            parts[-1] += f" ({alert.external_id})"
    if alert.chain and alert.address:
        parts.append(f"{alert.chain}:{alert.address}")
    if "person" in alert.facts:
        parts.append(str(alert.facts["person"]))
    return " · ".join(p for p in parts if p)


#: colour-blind safe (Okabe-Ito), as the dashboards' tones
_TONES = {"critical": "#D55E00", "warning": "#E69F00"}


class _Query:
    def __init__(self, status: str | None) -> None:
        self.status = status
        self.now = datetime.now(UTC).isoformat(timespec="seconds")

    def resolve(self, conn: Connection) -> tuple[_Query, int]:
        return self, store.count(conn, status=self.status, now=self.now)

    def page(self, conn: Connection, offset: int, limit: int) -> list[Row]:
        rows = store.listed(conn, status=self.status, now=self.now, limit=limit, offset=offset)
        return [(row.id, row) for row in rows]


class AlertsModel(PagedModel):
    """GUI thread. Each stored row is (id, vault.alerts.store.AlertRow)."""

    def __init__(self, reader: Reader, parent: QObject | None = None) -> None:
        super().__init__(reader, parent=parent)
        self.status: str | None = "open"
        self.COLUMNS = (_tr("Severity"), _tr("Rule"), _tr("Subject"), _tr("Why"), _tr("Raised"))

    def set_status(self, status: str | None) -> None:
        if status != self.status:
            self.status = status
            self.reload()

    def query(self) -> _Query:
        return _Query(self.status)

    def alert_at(self, position: int) -> AlertRow:
        alert: AlertRow = self.row_at(position)[1]
        return alert

    def display(self, row: Row, column: int) -> Any:
        alert: AlertRow = row[1]
        values = (
            severity_title(alert.severity),
            rule_title(alert.rule),
            subject_text(alert),
            alert.why,
            local_time(alert.raised_at),
        )
        return values[column] if 0 <= column < len(values) else None

    def role_data(self, row: Row, column: int, role: int) -> Any:
        alert: AlertRow = row[1]
        if role == Qt.ItemDataRole.ForegroundRole and column == 0 and alert.severity in _TONES:
            return QColor(_TONES[alert.severity])
        if role == Qt.ItemDataRole.ToolTipRole and column in (2, 3):
            return self.display(row, column)
        return None
