"""The cases list as a table (`ListModel`: a desk's cases number in the hundreds).
GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject

from app.cases.model import CaseView
from ui.book.list_model import Column, ListModel

STATUS_LABELS = {"open": "Open", "escalated": "Escalated", "closed": "Closed"}
DISPOSITION_LABELS = {
    "sar_filed": "Suspicious activity reported",
    "no_further_action": "No further action",
    "relationship_exited": "Relationship exited",
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("CasesModel", text)


def status_text(case: CaseView) -> str:
    if case.closing:
        return _tr("{} · closing awaits approval").format(_tr(STATUS_LABELS[case.status]))
    return _tr(STATUS_LABELS[case.status])


class CasesModel(ListModel[CaseView]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            [
                Column(_tr("No."), lambda c: c.number, right=True),
                Column(_tr("Title"), lambda c: c.title, tooltip=lambda c: c.title),
                Column(_tr("Customer"), lambda c: f"{c.customer_name} ({c.customer})"),
                Column(_tr("Status"), status_text),
                Column(_tr("Owner"), lambda c: c.owner),
                Column(_tr("Items"), lambda c: c.items, right=True),
                Column(_tr("Updated"), lambda c: c.updated_at[:16].replace("T", " ")),
            ],
            parent,
        )
