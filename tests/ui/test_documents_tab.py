"""The Documents tab of a customer: the list with its marks, the preview, Add… and
Save a copy…, on a real vault with the work on the database worker."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from app.book.documents import DocumentDraft, add_document
from app.book.reads import HistoryRow
from app.book.service import CustomerBook
from app.session import VaultSession
from ui.book.detail import documents as documents_tab
from ui.book.detail import history_text
from ui.book.detail.document_dialog import AddDocumentDialog
from ui.book.detail.page import CustomerDetailPage
from ui.main_window import MainWindow
from ui.services import Services

from .book_helpers import add_customer, count_events, on_worker, open_customer
from .conftest import WindowFactory, unlock


def _png(path: Path, width: int = 2400, height: int = 1600) -> Path:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#3b6ea8"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    path.write_bytes(bytes(data.data()))
    return path


def _add(
    session: VaultSession, services: Services, customer: int, path: Path, kind: str, **dates: date
) -> str:
    return on_worker(
        services,
        lambda: (
            add_document(
                CustomerBook(session.vault), DocumentDraft(customer, path, kind, **dates)
            ).id
        ),
    )


def _open(qtbot: QtBot, window: MainWindow, customer_id: int) -> CustomerDetailPage:
    page: CustomerDetailPage = open_customer(qtbot, window, customer_id)
    page.tabs.setCurrentWidget(page.documents)
    return page


def test_documents_are_listed_marked_previewed_added_and_copied(
    qtbot: QtBot,
    services: Services,
    session: VaultSession,
    make_window: WindowFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unlock(session, services)
    customer = add_customer(session, services, name="Dana Weiss", external_id="D1")
    scan = _png(tmp_path / "passport-scan.png")
    pdf = tmp_path / "utility-bill.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + b"x" * 5000)
    today = date.today()
    _add(session, services, customer, pdf, "proof_of_address", expires_on=today - timedelta(1))
    _add(session, services, customer, scan, "passport", expires_on=today + timedelta(10))
    window = make_window()
    page = _open(qtbot, window, customer)
    tab = page.documents
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    index = page.tabs.indexOf(tab)
    qtbot.waitUntil(lambda: page.tabs.tabText(index) == "Documents (2) ⚠")
    statuses = {
        tab.model.row_at(r).file_name: documents_tab.status_text(tab.model.row_at(r))
        for r in range(2)
    }
    assert statuses == {"passport-scan.png": "Expires soon", "utility-bill.pdf": "Expired"}

    # The newest (the PNG) is selected: its preview is decoded on the worker and scaled.
    qtbot.waitUntil(lambda: not tab.preview.pixmap().isNull(), timeout=10_000)
    assert tab.preview.pixmap().width() <= documents_tab.PREVIEW_SIDE
    assert count_events(session, services, "document.viewed") == 1
    # A PDF says why it is not previewed.
    tab.view.selectRow(1)
    qtbot.waitUntil(lambda: "Save a copy" in tab.preview.text())

    # Save a copy… writes the selected document (the file dialog is the OS's: answered here).
    target = tmp_path / "copy.pdf"
    monkeypatch.setattr(documents_tab, "ask_save", lambda *_a, **_k: target)
    tab.save_button.click()
    qtbot.waitUntil(lambda: target.exists() and "Saved a copy" in tab.status.text())
    assert target.read_bytes() == pdf.read_bytes()

    # Add… through the dialog: a refusal is shown at the file, then a good file is added.
    tab.add_button.click()
    dialog = next(d for d in tab.findChildren(AddDocumentDialog) if d.isVisible())
    text = tmp_path / "notes.pdf"
    text.write_text("not a pdf at all")
    dialog.file.setText(str(text))
    dialog.ok_button.click()  # type: ignore[attr-defined]
    refusal = dialog.form.error_for("file")
    qtbot.waitUntil(refusal.isVisible)
    assert "PDF, PNG or JPEG" in refusal.text()
    dialog.file.setText(str(_png(tmp_path / "id-card.png", 300, 200)))
    dialog.type.setCurrentIndex(dialog.type.findData("id_card"))
    dialog.ok_button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: tab.model.rowCount() == 3)
    assert tab.model.row_at(0).type == "id_card"
    qtbot.waitUntil(lambda: "Added id-card.png" in tab.status.text())
    assert count_events(session, services, "document.added") == 3


def test_history_says_which_document_in_words() -> None:
    added = HistoryRow(
        1,
        "2026-01-02T03:04:05+00:00",
        "ana",
        "document.added",
        {
            "customer": "u1",
            "document": "0f1e2d3c-aaaa",
            "type": "proof_of_address",
            "file_name": "bill.pdf",
            "digest": "ab" * 32,
            "expires_on": "2027-01-01",
            "issued_on": None,
        },
    )
    assert history_text.describe(added) == "proof of address: bill.pdf · Expires on 2027-01-01"
    gone = {"type": "passport", "file_name": "[erased]"}
    erased = HistoryRow(2, "", "ana", "document.added", gone)
    assert history_text.describe(erased) == "passport: [erased]"
    seen = {"customer": "u1", "document": "0f1e2d3c-a"}
    viewed = HistoryRow(3, "", "ana", "document.viewed", seen)
    assert history_text.describe(viewed) == "document 0f1e2d3c"
