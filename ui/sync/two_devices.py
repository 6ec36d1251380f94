"""On a customer's page: "changed on two devices", with both values, until someone looks.

When two devices changed the same field of a customer at once, sync keeps the
later change (merge order) and the other stays in the history; this panel shows
both values and which device wrote each, until "I have looked" marks them seen
here (`app.sync.overview.mark_seen`). Hidden when there is nothing to show.
GUI thread; reads and the mark on the database worker.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.session import VaultSession
from app.sync.overview import changes_of, mark_seen
from ui import errors
from ui.naming import named
from ui.ops import run_db
from ui.services import Services


class TwoDevicesPanel(QFrame):
    def __init__(
        self, session: VaultSession, services: Services, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("twoDevicesPanel")
        self.session = session
        self.services = services
        self.customer_id: int | None = None
        self.changes: list[dict[str, Any]] = []
        self._generation = 0
        self.setStyleSheet("#twoDevicesPanel { background: #fdecea; border: 1px solid #e6a19a; }")
        self.text = named(QLabel(), "twoDevicesText")
        self.text.setWordWrap(True)
        self.looked_button = named(QPushButton(self.tr("I have looked")), "twoDevicesLooked")
        self.looked_button.setToolTip(
            self.tr("Stop showing these here; both values stay in the history")
        )
        self.looked_button.clicked.connect(self.looked)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 6, 8, 6)
        row.addWidget(self.text, 1)
        row.addWidget(self.looked_button)
        self.hide()

    def load(self, customer_id: int | None) -> None:
        self._generation += 1
        generation = self._generation
        self.customer_id = customer_id
        if customer_id is None:
            self._show([])
            return
        session = self.session
        run_db(
            self.services.runner,
            self,
            lambda _p: changes_of(session.vault, customer_id),
            on_success=lambda found: self._shown(generation, found),
            on_failure=lambda error: errors.log(error, debug=self.services.debug),
        )

    def _shown(self, generation: int, found: list[dict[str, Any]]) -> None:
        if generation == self._generation:
            self._show(found)

    def _show(self, found: list[dict[str, Any]]) -> None:
        self.changes = found
        self.setVisible(bool(found))
        if not found:
            self.text.clear()
            return
        lines = [
            self.tr(
                "<b>{field}</b>: kept <b>{kept}</b> (from {kept_from}); {other_from} wrote "
                "<b>{other}</b>"
            ).format(
                field=html.escape(str(c["field"])),
                kept=html.escape(_text(c["kept"])),
                kept_from=html.escape(self._who(c["kept_by"])),
                other=html.escape(_text(c["other"])),
                other_from=html.escape(self._who(c["other_by"])),
            )
            for c in found
        ]
        self.text.setText(
            self.tr("<b>Changed on two devices</b> at once:") + "<br>" + "<br>".join(lines)
        )

    def _who(self, by: str) -> str:
        return (
            self.tr("this device") if by == "this device" else self.tr("device {id}").format(id=by)
        )

    def looked(self) -> None:
        customer_id = self.customer_id
        if customer_id is None:
            return
        session = self.session
        self.looked_button.setEnabled(False)

        def done(_count: int) -> None:
            self.looked_button.setEnabled(True)
            self.load(self.customer_id)

        def failed(error: BaseException) -> None:
            self.looked_button.setEnabled(True)
            errors.show_error(self, self.tr("Changed on two devices"), error, debug=False)

        run_db(
            self.services.runner,
            self,
            lambda _p: mark_seen(session.vault, customer_id, now=datetime.now(UTC)),
            on_success=done,
            on_failure=failed,
        )


def _text(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)
