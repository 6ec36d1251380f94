"""Importing an offline sanctions list from the GUI: the OFAC SDN advanced XML or a
plain list of addresses with its asset. Shows what was loaded per chain, the list's
publication date and its source. GUI thread; the import runs on the database worker.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.tasks import Progress
from ui.naming import named
from ui.screening.context import ScreeningContext
from ui.worker_dialog import WorkerDialog
from vault.screening import sanctions as lists

#: assets a plain list can be for (OFAC's codes); the XML names its own
ASSETS = ("ETH", "XBT", "TRX", "USDT", "USDC", "ARB", "BSC", "ETC", "LTC", "XMR", "BCH", "ZEC")
FROM_FILE = "From the file (XML, or a name like …_ETH.txt)"


def list_text(info: dict[str, Any]) -> str:
    """'OFAC SDN · published 2024-09-27 · sdn_advanced.xml · evm 80, bitcoin 20, tron 5'."""
    counts = info.get("counts") or {}
    parts = ", ".join(f"{k} {v:,}" for k, v in counts.items() if k != "total" and v)
    return " · ".join(
        [
            info.get("label") or info["source"],
            f"published {info['list_date']}" if info.get("list_date") else "no publication date",
            f"source {info['source']} ({info.get('file_name') or 'file'})",
            f"imported {str(info.get('imported_at') or '')[:16].replace('T', ' ')}",
            f"{counts.get('total', 0):,} addresses" + (f" ({parts})" if parts else ""),
        ]
    )


class SanctionsImportDialog(WorkerDialog):
    #: the lists in the vault changed
    imported = Signal()

    def __init__(self, context: ScreeningContext, parent: QWidget | None = None) -> None:
        super().__init__(context.services, parent)
        self.setObjectName("sanctionsImportDialog")
        self.setWindowTitle("Import a sanctions list")
        self.context = context
        self.done_once = False
        self.path = named(QLineEdit(), "sanctionsPath")
        self.path.setPlaceholderText("SDN_ADVANCED.XML (or .zip), or a list of addresses")
        self.path.textChanged.connect(lambda _t: self.update_ok())
        browse = named(QPushButton("Browse…"), "sanctionsBrowse")
        browse.clicked.connect(self._browse)
        browse.setProperty("lockWhileBusy", True)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        self.asset = named(QComboBox(), "sanctionsAsset")
        self.asset.addItem(FROM_FILE, "")
        for code in ASSETS:
            self.asset.addItem(code, code)
        self.asset.setToolTip("For a plain list: which asset its addresses are for")
        self.allow_older = named(
            QCheckBox("Replace a newer list with this older one"), "sanctionsAllowOlder"
        )
        self.result_label = named(QLabel(), "sanctionsResult")
        self.result_label.setWordWrap(True)
        self.result_label.hide()
        form = QFormLayout()
        form.addRow("File:", file_row)
        form.addRow("Asset:", self.asset)
        form.addRow("", self.allow_older)
        note = QLabel(
            "The official OFAC SDN advanced XML names each address's asset and the "
            "publication date. A plain list holds one address per line for one asset. "
            "Importing replaces the earlier import of the same list."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        self.body.addLayout(form)
        self.body.addWidget(note)
        self.body.addWidget(self.result_label)
        self.set_ok_text("Import")
        self.update_ok()

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Sanctions list", "", "Lists (*.xml *.zip *.txt *.csv);;All files (*)"
        )
        if chosen:
            self.path.setText(chosen)

    def can_submit(self) -> bool:
        return self.done_once or bool(self.path.text().strip())

    def submit(self) -> None:
        if self.done_once:
            self.accept()
            return
        path = Path(self.path.text().strip())
        asset = self.asset.currentData() or None
        allow_older = self.allow_older.isChecked()
        holder = self.context.holder

        def work(_progress: Progress) -> tuple[dict[str, int], dict[str, Any] | None]:
            screening = holder.get()
            before = {
                i["source"]: i["sha256"] + i["imported_at"]
                for i in lists.lists(screening.vault.conn)
            }
            counts = screening.sanctions.import_file(path, asset, allow_older=allow_older)
            found = lists.lists(screening.vault.conn)
            changed = [
                i for i in found if before.get(i["source"]) != i["sha256"] + i["imported_at"]
            ]
            return counts, next(iter(changed or found), None)

        self.run(work, on_success=self._done)

    def _done(self, outcome: tuple[dict[str, int], dict[str, Any] | None]) -> None:
        counts, info = outcome
        per_chain = "".join(
            f"<tr><td>{k}</td><td align='right'>{v:,}</td></tr>" for k, v in counts.items()
        )
        about = list_text(info) if info is not None else ""
        self.result_label.setText(
            f"<b>Imported.</b> {about}<table cellspacing='6'>{per_chain}</table>"
            "Screen the book again to check every address against it."
        )
        self.result_label.show()
        self.done_once = True
        self.set_ok_text("Close")
        self.update_ok()
        self.imported.emit()
        self.context.changed.emit()
