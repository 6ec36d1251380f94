from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.book import import_rows, importer
from app.session import VaultSession
from ui.book import import_dialog
from ui.book.context import BookContext
from ui.book.import_dialog import ImportDialog
from ui.book.import_mapping import NOT_IMPORTED
from ui.services import Services
from vault.book import queries

from .book_helpers import ETH_A, add_customer, read
from .conftest import unlock

CSV = (
    "Client ID;Full Name;Country;E-Mail\n"
    "C1;Ada Quint;GB;ada@example.com\n"
    "C2;Bo Rahman;DE;not-an-email\n"
    "C3;Chidi Ueda;SG;chidi@example.com\n"
)


@pytest.fixture
def dialog(qtbot: QtBot, services: Services, session: VaultSession) -> ImportDialog:
    unlock(session, services)
    dialog = ImportDialog(BookContext(session, services))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _map(dialog: ImportDialog, **columns: str) -> None:
    for field, header in columns.items():
        combo = dialog.mapping.combos[field]
        combo.setCurrentIndex(combo.findData(header))


def _customers(session: VaultSession, services: Services) -> int:
    return read(session, services, queries.count_customers)


def test_preview_mapping_import_counts_and_rejects(
    qtbot: QtBot, dialog: ImportDialog, services: Services, session: VaultSession, tmp_path: Path
) -> None:
    path = tmp_path / "clients.csv"
    path.write_text(CSV, encoding="utf-8")
    assert not dialog.import_button.isEnabled()
    dialog.set_file(path)
    qtbot.waitUntil(lambda: dialog.preview is not None)
    view = dialog.source.view.model()
    assert view.rowCount() == 3 and view.columnCount() == 5  # line + 4 columns
    assert view.index(1, 2).data() == "Bo Rahman"
    assert "delimiter “;”" in dialog.source.detected.text()
    # "Country" matched by name; "Full Name" and "E-Mail" need choosing; name is required.
    assert dialog.mapping.combos["country"].currentData() == "Country"
    assert dialog.mapping.combos["email"].currentData() == "E-Mail"  # punctuation ignored
    assert dialog.mapping.combos["name"].currentText() == NOT_IMPORTED
    assert not dialog.import_button.isEnabled()
    assert "Name" in dialog.missing_label.text()
    _map(dialog, name="Full Name", external_id="Client ID")
    assert dialog.import_button.isEnabled()
    combo = dialog.mapping.combos["country"]
    combo.setCurrentIndex(0)  # "not imported" really leaves the "Country" column out
    assert dialog.mapping.columns()["country"] == ""
    combo.setCurrentIndex(combo.findData("Country"))
    assert dialog.mapping.columns()["country"] == "Country"

    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    results = dialog.results
    assert dialog.pages.currentWidget() is results
    counts = {k: label.text() for k, label in results.count_labels.items()}
    assert counts == {
        "added": "2",
        "unchanged": "0",
        "changed": "0",
        "rejected": "1",
        "conflicts": "0",
    }
    assert results.model.rowCount() == 1
    assert results.model.index(0, 0).data() == 3  # the line a text editor shows
    assert "email" in results.model.index(0, 1).data().lower()
    assert _customers(session, services) == 2

    rejects = tmp_path / "rejects.csv"
    results.save_rejects(rejects)
    qtbot.waitUntil(lambda: "Saved" in results.message.text())
    assert "not-an-email" in rejects.read_text(encoding="utf-8-sig")


def test_profile_round_trip(qtbot: QtBot, dialog: ImportDialog, tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    path.write_text(CSV, encoding="utf-8")
    dialog.set_file(path)
    qtbot.waitUntil(lambda: dialog.preview is not None)
    _map(dialog, name="Full Name", external_id="Client ID")
    profile = tmp_path / "clients.yaml"
    dialog.save_profile(profile)
    qtbot.waitUntil(profile.exists)
    _map(dialog, name=None, external_id=None)  # type: ignore[arg-type]
    assert not dialog.import_button.isEnabled()
    dialog.load_profile(profile)
    qtbot.waitUntil(dialog.import_button.isEnabled)
    assert dialog.mapping.combos["name"].currentData() == "Full Name"


def test_a_bad_file_says_why(qtbot: QtBot, dialog: ImportDialog, tmp_path: Path) -> None:
    path = tmp_path / "nothing.csv"
    dialog.set_file(path)
    qtbot.waitUntil(dialog.source.file_error.isVisible)
    assert "does not exist" in dialog.source.file_error.text()
    assert not dialog.import_button.isEnabled()


def test_cancel_mid_import_keeps_whole_batches(
    qtbot: QtBot,
    dialog: ImportDialog,
    services: Services,
    session: VaultSession,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(import_rows.BATCH, "customers", 5)
    path = tmp_path / "many.csv"
    path.write_text("name,country\n" + "".join(f"Person {i},DE\n" for i in range(40)))
    # Hold the worker after the first batch until the test has pressed Cancel.
    first_batch, go_on = threading.Event(), threading.Event()
    real = importer.run_import

    def held(book: Any, file: Path, mapping: Any, *, progress: Callable[..., None]) -> Any:
        def report(phase: str, done: int, total: int) -> None:
            first_batch.set()
            go_on.wait(10)
            progress(phase, done, total)

        return real(book, file, mapping, progress=report)

    monkeypatch.setattr(import_dialog, "run_import", held)
    dialog.set_file(path)
    qtbot.waitUntil(dialog.import_button.isEnabled)
    dialog.import_button.click()
    assert dialog.running and dialog.cancel_button.isVisible()
    qtbot.waitUntil(first_batch.is_set)
    dialog.reject()  # Esc while importing cancels the import, not the dialog
    go_on.set()
    qtbot.waitUntil(lambda: not dialog.running, timeout=10_000)
    assert dialog.isVisible()
    assert "cancelled" in dialog.status.text()
    assert _customers(session, services) == 5  # exactly the one whole batch
    assert dialog.report is None


def test_addresses_from_a_workbook(
    qtbot: QtBot, dialog: ImportDialog, services: Services, session: VaultSession, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    add_customer(session, services, name="Ada Quint", external_id="C1", addresses=(ETH_A,))
    add_customer(session, services, name="Bo Rahman", external_id="C2")
    book = Workbook()
    sheet = book.active
    sheet.append(["customer_external_id", "chain", "address", "label"])
    sheet.append(["C2", "ethereum", ETH_A.lower(), "shared with Ada"])
    sheet.append(["C2", "bitcoin", "bc1qnotanaddress", ""])
    path = tmp_path / "wallets.xlsx"
    book.save(path)
    dialog.source.set_kind("addresses")
    dialog.set_file(path)
    qtbot.waitUntil(dialog.import_button.isEnabled)
    assert not dialog.source.encoding.isEnabled()  # CSV-only options
    assert "Excel" in dialog.source.detected.text()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    counts = dialog.report.counts()  # type: ignore[union-attr]
    assert (counts["added"], counts["rejected"], counts["conflicts"]) == (1, 1, 1)
    assert dialog.results.conflict_hint.isVisible()
    assert dialog.results.model.index(0, 0).data() == 3


def test_a_file_of_many_bad_rows_keeps_and_says_only_the_first(
    qtbot: QtBot, dialog: ImportDialog, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    rows = "".join(f"B{i},Bad {i},not-an-email\n" for i in range(1_200))
    path.write_text("external_id,name,email\n" + rows, encoding="utf-8")
    dialog.set_file(path)
    qtbot.waitUntil(lambda: dialog.preview is not None)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=30_000)
    results = dialog.results
    assert results.count_labels["rejected"].text() == "1,200"
    assert results.model.rowCount() == importer.KEPT_REJECTS
    assert "Only the first 1,000 of 1,200" in results.rejects_title.text()
    assert "--rejects" in results.rejects_title.text()
    for size in ((1280, 800), (1000, 640)):
        dialog.resize(*size)
        dialog.grab().save(f"/tmp/hostile-files-rejects-{size[0]}.png")
