"""The due list as a table: one row per customer due (`ListModel`: the list holds only
the customers due, computed on the database worker), sorted and filtered through
`DueFilter`. GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
)
from PySide6.QtGui import QColor

from app.reviews.due import DueItem
from ui.book.list_model import Column, ListModel

Index = QModelIndex | QPersistentModelIndex
REASON_LABELS = {
    "periodic": "Periodic",
    "first_review": "First review",
    "document": "Document expiry",
    "kyc_expiry": "KYC expiry",
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("DueModel", text)


class DueModel(ListModel[DueItem]):
    def __init__(self, parent: QObject | None = None) -> None:
        self.today = date.today()

        def overdue(item: DueItem) -> str:
            days = item.overdue_days(self.today)
            return _tr("{} days").format(days) if days else ""

        super().__init__(
            [
                Column(_tr("Customer"), lambda i: i.customer.external_id or ""),
                Column(_tr("Name"), lambda i: i.customer.name),
                Column(_tr("Risk"), lambda i: _tr(i.customer.risk_rating or "unrated")),
                Column(_tr("Due on"), lambda i: i.due_on.isoformat()),
                Column(
                    _tr("Overdue"),
                    overdue,
                    right=True,
                    colour=lambda i: QColor("#b00020") if i.overdue_days(self.today) else None,
                ),
                Column(
                    _tr("Last review"),
                    lambda i: (
                        i.customer.last_review.isoformat()
                        if i.customer.last_review
                        else _tr("never")
                    ),
                ),
                Column(
                    _tr("Why"),
                    lambda i: "; ".join(r.why for r in i.reasons),
                    tooltip=lambda i: "\n".join(
                        f"{_tr(REASON_LABELS[r.kind])}: {r.why}" for r in i.reasons
                    ),
                ),
            ],
            parent,
        )

    def set_items(self, items: list[DueItem], today: date) -> None:
        self.today = today
        self.set_rows(items)


RISK_ORDER = {"prohibited": 0, "high": 1, "medium": 2, "low": 3}
#: per column, what it sorts by
SORT_KEYS: tuple[Callable[[DueItem, date], object], ...] = (
    lambda i, _t: i.customer.external_id or "",
    lambda i, _t: i.customer.name.casefold(),
    lambda i, _t: RISK_ORDER.get(i.customer.risk_rating or "", len(RISK_ORDER)),
    lambda i, _t: i.due_on,
    lambda i, t: i.overdue_days(t),
    lambda i, _t: i.customer.last_review or date.min,
    lambda i, _t: i.reasons[0].kind,
)


class DueFilter(QSortFilterProxyModel):
    """Text (customer or name), one reason kind, overdue only; sorts by real values."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.text = ""
        self.kind = ""
        self.overdue_only = False

    def _model(self) -> DueModel:
        model = self.sourceModel()
        assert isinstance(model, DueModel)
        return model

    def set_filter(self, *, text: str, kind: str, overdue_only: bool) -> None:
        self.beginFilterChange()
        self.text, self.kind, self.overdue_only = text.strip().casefold(), kind, overdue_only
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        model = self._model()
        item = model.row_at(source_row)
        c = item.customer
        if self.text and self.text not in f"{c.external_id or ''} {c.name}".casefold():
            return False
        if self.kind and all(r.kind != self.kind for r in item.reasons):
            return False
        return not (self.overdue_only and not item.overdue_days(model.today))

    def lessThan(self, left: Index, right: Index) -> bool:  # noqa: N802
        model = self._model()
        key = SORT_KEYS[left.column()]
        a = key(model.row_at(left.row()), model.today)
        b = key(model.row_at(right.row()), model.today)
        return bool(a < b)  # type: ignore[operator]
