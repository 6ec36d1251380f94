"""Importing an offline sanctions list from the GUI: the OFAC SDN advanced XML or a
plain list of addresses with its asset and publication date. The date field takes
the file's own date where it has one (the XML's), read off the GUI thread; a plain
list has none, so the user states it. Shows what was loaded per chain, the list's
date, file and hash. GUI thread; the import runs on the database worker.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.tasks import Progress
from integrations.sanctions import publication_date
from ui.naming import named
from ui.screening.context import ScreeningContext
from ui.worker_dialog import WorkerDialog
from vault.screening import sanctions as lists

#: assets a plain list can be for (OFAC's codes); the XML names its own
ASSETS = ("ETH", "XBT", "TRX", "USDT", "USDC", "ARB", "BSC", "ETC", "LTC", "XMR", "BCH", "ZEC")
FROM_FILE = "From the file (XML, or a name like …_ETH.txt)"
#: the date edit's "no date chosen" value (shown as its special text)
_NO_DATE = QDate(1990, 1, 1)
_DATE_FROM = {"file": "from the file", "user": "stated on import"}


def list_text(info: dict[str, Any]) -> str:
    """'OFAC SDN · published 2024-09-27 (from the file) · sdn_advanced.xml · sha256 1a2b…
    · imported … · 105 addresses (evm 80, bitcoin 20, tron 5)'."""
    counts = info.get("counts") or {}
    parts = ", ".join(f"{k} {v:,}" for k, v in counts.items() if k != "total" and v)
    published = "no publication date"
    if info.get("list_date"):
        how = _DATE_FROM.get(str(info.get("date_from")), "source of the date not recorded")
        published = f"published {info['list_date']} ({how})"
    return " · ".join(
        [
            info.get("label") or info["source"],
            published,
            f"file {info.get('file_name') or '?'}",
            f"sha256 {str(info.get('sha256') or '')[:16]}…",
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
        self.published = named(QDateEdit(), "sanctionsDate")
        self.published.setCalendarPopup(True)
        self.published.setDisplayFormat("yyyy-MM-dd")
        self.published.setMinimumDate(_NO_DATE)
        self.published.setSpecialValueText(self.tr("choose the date the list was published"))
        self.published.setDate(_NO_DATE)
        self.published.dateChanged.connect(lambda _d: self.update_ok())
        self.date_note = named(QLabel(), "sanctionsDateNote")
        self.date_note.setWordWrap(True)
        self.date_note.setStyleSheet("color: #555;")
        self._peeked: str | None = None  # the path whose own date was last looked for
        self.path.editingFinished.connect(self._peek_date)
        self.allow_older = named(
            QCheckBox("Replace a newer list with this older one"), "sanctionsAllowOlder"
        )
        self.result_label = named(QLabel(), "sanctionsResult")
        self.result_label.setWordWrap(True)
        self.result_label.hide()
        form = QFormLayout()
        form.addRow("File:", file_row)
        form.addRow("Asset:", self.asset)
        form.addRow(self.tr("Published on:"), self.published)
        form.addRow("", self.allow_older)
        note = QLabel(
            "The official OFAC SDN advanced XML names each address's asset and the "
            "publication date. A plain list holds one address per line for one asset. "
            "Importing replaces the earlier import of the same list."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        self.body.addLayout(form)
        self.body.addWidget(self.date_note)
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
            self._peek_date()

    def _peek_date(self) -> None:
        """Take the file's own publication date into the date field (read on the
        database worker: it may be a 100 MB XML on a network share)."""
        text = self.path.text().strip()
        if not text or text == self._peeked:
            return
        self._peeked = text
        path = Path(text)
        self.date_note.setText(self.tr("Looking for the file's own date…"))

        def peek(_conn: object) -> date | None:
            try:
                return publication_date(path)
            except OSError:
                return None  # the import says what is wrong with the file

        self.context.reader.read(
            self, peek, on_success=lambda found: self._peeked_date(text, found)
        )

    def _peeked_date(self, text: str, found: date | None) -> None:
        if text != self.path.text().strip():
            return  # another file was chosen meanwhile
        if found is not None:
            self.published.setDate(QDate(found.year, found.month, found.day))
            self.date_note.setText(
                self.tr("The file says it was published on %s.") % found.isoformat()
            )
        else:
            self.date_note.setText(
                self.tr(
                    "This file gives no publication date: choose the date the list was "
                    "published (its modification time says when it was copied, not what "
                    "it holds). Answers from the list show this date."
                )
            )
        # Room for the note, not squeezed rows (a wrapped label's height is not in
        # the layout's minimum size), once the layout has taken the new text in.
        QTimer.singleShot(0, self._fit)
        self.update_ok()

    def _fit(self) -> None:
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))

    def stated_date(self) -> date | None:
        chosen = self.published.date()
        return None if chosen == _NO_DATE else date(chosen.year(), chosen.month(), chosen.day())

    def can_submit(self) -> bool:
        if self.done_once:
            return True
        return bool(self.path.text().strip()) and self.stated_date() is not None

    def submit(self) -> None:
        if self.done_once:
            self.accept()
            return
        path = Path(self.path.text().strip())
        asset = self.asset.currentData() or None
        allow_older = self.allow_older.isChecked()
        stated = self.stated_date()
        holder = self.context.holder

        def work(_progress: Progress) -> tuple[dict[str, int], dict[str, Any] | None]:
            screening = holder.get()
            before = {
                i["source"]: i["sha256"] + i["imported_at"]
                for i in lists.lists(screening.vault.conn)
            }
            counts = screening.sanctions.import_file(
                path, asset, list_date=stated, allow_older=allow_older
            )
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
