"""The Reviews and Cases sections on a real vault: the due list (sorted, filtered),
recording a review from a customer's page, opening a case and asking to close it,
each drawn at 1280x800 and 1000x640."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QComboBox, QPlainTextEdit
from pytestqt.qtbot import QtBot

from app.book.documents import DocumentDraft, add_document
from app.book.service import CustomerBook
from app.session import VaultSession
from ui.cases.dialogs import TextDialog
from ui.main_window import MainWindow
from ui.reviews.record_dialog import RecordReviewDialog
from ui.services import Services

from .book_helpers import add_customer, count_events, on_worker, open_customer
from .conftest import WindowFactory, unlock

SHOTS = Path("/tmp")


def _shoot(window: MainWindow, name: str) -> None:
    for width, height in ((1280, 800), (1000, 640)):
        window.resize(width, height)
        window.grab().save(str(SHOTS / f"reviews-cases-{name}-{width}.png"))


def _tested(model: QAbstractItemModel) -> None:
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)


def test_reviews_are_listed_recorded_and_cases_opened_and_closed(
    qtbot: QtBot,
    services: Services,
    session: VaultSession,
    make_window: WindowFactory,
    tmp_path: Path,
) -> None:
    unlock(session, services)
    ada = add_customer(session, services, name="Ada Lovelace", external_id="A1")
    add_customer(session, services, name="Bob Brown", external_id="B1")
    grace = add_customer(session, services, name="Grace Hopper", external_id="G1")
    soon, past = date.today() + timedelta(days=12), date.today() - timedelta(days=3)
    for customer, expires, name in ((ada, soon, "a.pdf"), (grace, past, "g.pdf")):
        scan = tmp_path / name
        scan.write_bytes(b"%PDF-1.4\n" + b"x" * 500)
        on_worker(
            services,
            lambda c=customer, s=scan, e=expires: add_document(
                CustomerBook(session.vault), DocumentDraft(c, s, "passport", expires_on=e)
            ),
        )
    window = make_window()
    assert window.workspace is not None
    workspace = window.workspace
    workspace.select_key("reviews")
    page = workspace.reviews
    _tested(page.proxy)
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 2, timeout=15_000)
    # Earliest due first: Grace's passport expired, Ada's expires in 12 days.
    first = page.proxy.index(0, 0).data()
    assert first == "G1"
    assert "expired on" in str(page.proxy.index(0, 6).data())
    assert page.proxy.index(0, 4).data() == "3 days"
    assert page.summary.text() == "2 of 2 due · 1 overdue"
    page.overdue.setChecked(True)
    assert page.proxy.rowCount() == 1
    page.overdue.setChecked(False)
    page.search.setText("ada")
    assert page.proxy.rowCount() == 1 and page.proxy.index(0, 0).data() == "A1"
    page.search.setText("")
    page.view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert page.proxy.index(0, 1).data() == "Grace Hopper"
    _shoot(window, "due")

    # Record a review from Grace's page: the list loses her.
    detail = open_customer(qtbot, window, grace)
    dialog = workspace.customer_reviews.record_review()
    assert isinstance(dialog, RecordReviewDialog)
    qtbot.waitUntil(lambda: len(dialog.answers) == 5)
    # Rows added to a shown dialog are shown by a queued call: wait for them.
    qtbot.waitUntil(lambda: all(box.isVisible() for box in dialog.answers.values()))
    dialog.resize(560, 480)
    dialog.grab().save(str(SHOTS / "reviews-cases-record-dialog.png"))
    dialog.record()
    assert dialog.error.text() == "Answer every question of the checklist."
    for box in dialog.answers.values():
        box.setCurrentIndex(1)
    dialog.findChild(QPlainTextEdit, "reviewOutcome").setPlainText("New passport requested")
    dialog.record()
    qtbot.waitUntil(lambda: count_events(session, services, "review.recorded") == 1)
    workspace.select_key("reviews")
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 1, timeout=15_000)
    assert page.proxy.index(0, 0).data() == "A1"

    # Open a case from Ada's page; the Cases section shows it chosen.
    open_customer(qtbot, window, ada)
    assert detail is workspace.customers.detail
    asked = workspace.customer_reviews.open_case()
    assert isinstance(asked, TextDialog)
    asked.text.setText("Deposits split below the reporting threshold")  # type: ignore[union-attr]
    asked._ok()
    cases = workspace.cases
    _tested(cases.proxy)
    qtbot.waitUntil(lambda: workspace.current_key() == "cases")
    qtbot.waitUntil(lambda: cases.chosen is not None, timeout=15_000)
    assert cases.chosen is not None and cases.chosen.customer == "A1"
    qtbot.waitUntil(lambda: "Deposits split" in cases.reader.toPlainText(), timeout=15_000)
    note = cases.ask_note()
    assert note is not None
    note.text.setPlainText("Six deposits of 9,900 within two days")  # type: ignore[union-attr]
    note._ok()
    qtbot.waitUntil(lambda: "Six deposits" in cases.reader.toPlainText(), timeout=15_000)
    closing = cases.ask_close()
    assert closing is not None
    combo = closing.findChild(QComboBox, "caseDisposition")
    combo.setCurrentIndex(1)
    closing.text.setPlainText("Explained by payroll")  # type: ignore[union-attr]
    closing.grab().save(str(SHOTS / "reviews-cases-close-dialog.png"))
    closing._ok()
    qtbot.waitUntil(lambda: cases.chosen is not None and cases.chosen.closing, timeout=15_000)
    assert not cases.close_button.isEnabled()
    assert "closing awaits approval" in str(cases.proxy.index(0, 3).data())
    qtbot.waitUntil(lambda: "pending" in cases.reader.toPlainText(), timeout=15_000)
    _shoot(window, "cases")

    out = tmp_path / "export"
    cases.export_to(out)
    qtbot.waitUntil(lambda: (out / "case-1.pdf").exists(), timeout=30_000)
    assert (out / "case-1.pdf").read_bytes().startswith(b"%PDF")
    assert count_events(session, services, "case.close_requested") == 1
