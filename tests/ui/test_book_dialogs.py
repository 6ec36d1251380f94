from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from app.book.reads import customer_detail
from app.session import VaultSession
from ui.book.detail.actions import SubjectExportDialog
from ui.book.detail.fields_dialog import ManageFieldsDialog
from ui.book.duplicates import DuplicatesDialog, MergeDialog
from ui.book.new_customer import NewCustomerDialog
from ui.main_window import MainWindow
from ui.services import Services
from vault.book import queries

from .book_helpers import ETH_A, add_customer, customer_page, read
from .conftest import WindowFactory, unlock


def _active(qtbot: QtBot, window: MainWindow) -> MainWindow:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def test_ctrl_n_adds_a_customer_and_opens_it(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = _active(qtbot, make_window())
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = next(d for d in window.findChildren(NewCustomerDialog) if d.isVisible())
    assert not dialog.ok_button.isEnabled()
    dialog.name.setText("Emeka Svensson")
    dialog.country.setText("XX")
    dialog.ok_button.click()  # type: ignore[attr-defined]
    country_error = dialog.form.error_for("country")
    qtbot.waitUntil(country_error.isVisible)
    assert "ISO 3166" in country_error.text()
    dialog.country.setText("se")
    dialog.ok_button.click()  # type: ignore[attr-defined]
    customers = customer_page(window)
    qtbot.waitUntil(lambda: customers.detail.detail is not None)
    assert customers.detail.detail.display_name == "Emeka Svensson"
    assert customers.detail.detail.country == "SE"
    qtbot.keyClick(customers.detail, Qt.Key.Key_Escape)
    model = customers.list.model
    qtbot.waitUntil(lambda: model.rowCount() == 1)  # the list caught up


def test_export_uses_the_search_and_needs_a_reason(
    qtbot: QtBot,
    services: Services,
    session: VaultSession,
    make_window: WindowFactory,
    tmp_path: Path,
) -> None:
    unlock(session, services)
    add_customer(session, services, name="Farah Tanaka", external_id="F1")
    add_customer(session, services, name="Goran Yilmaz", external_id="G1")
    window = _active(qtbot, make_window())
    page = customer_page(window).list
    qtbot.keyClicks(page.search, "Farah")
    qtbot.waitUntil(lambda: page.model.search_text == "Farah" and page.model.total == 1)
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = page.findChild(QLineEdit, "exportPath").window()
    assert "Farah" in dialog.scope_label.text()
    target = tmp_path / "farah.csv"
    dialog.path.setText(str(target))
    assert not dialog.ok_button.isEnabled()
    dialog.reason.setText("Regulator request 17")
    dialog.ok_button.click()
    qtbot.waitUntil(target.exists)
    text = target.read_text(encoding="utf-8-sig")
    assert "Farah Tanaka" in text and "Goran" not in text
    events = read(
        session,
        services,
        lambda conn: conn.execute(
            "SELECT payload FROM events WHERE type = 'export.created'"
        ).fetchall(),
    )
    payload = json.loads(events[0][0])
    assert payload["reason"] == "Regulator request 17" and payload["filter"] == "Farah"


def test_custom_fields_defined_then_checked_by_type(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    customer = add_customer(session, services, name="Hana Lindqvist")
    window = _active(qtbot, make_window())
    customers = customer_page(window)
    customers.open_customer(customer)
    detail = customers.detail
    qtbot.waitUntil(lambda: detail.detail is not None)
    custom = detail.custom
    assert custom.empty.isVisible() or not custom.editors
    custom.manage()
    fields = next(d for d in custom.findChildren(ManageFieldsDialog) if d.isVisible())
    fields.name.setText("whitelist_limit")
    fields.label.setText("Whitelist limit")
    fields.type.setCurrentText("number")
    fields.define()
    qtbot.waitUntil(lambda: fields.model.rowCount() == 1)
    fields.name.setText("Bad Name")
    fields.define()
    qtbot.waitUntil(fields.form.error_for("name").isVisible)
    fields.reject()
    qtbot.waitUntil(lambda: "whitelist_limit" in custom.editors)

    editor = custom.editors["whitelist_limit"]
    assert isinstance(editor.widget, QLineEdit)
    editor.widget.setText("lots")
    detail.tabs.setCurrentWidget(custom)
    _active(qtbot, window)  # (offscreen Qt does not hand activation back from the dialog)
    qtbot.keyClick(detail, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    error = custom.form.error_for("whitelist_limit")
    qtbot.waitUntil(error.isVisible)
    assert "not a number" in error.text()
    editor.widget.setText("250,000")
    custom.save()
    qtbot.waitUntil(lambda: custom.status.text().startswith("Saved"))
    stored = read(session, services, lambda conn: customer_detail(conn, customer))
    assert [(v.name, v.value) for v in stored.custom] == [("whitelist_limit", "250000")]


def test_merge_from_the_duplicates_list(
    qtbot: QtBot, services: Services, session: VaultSession, make_window: WindowFactory
) -> None:
    unlock(session, services)
    keep = add_customer(session, services, name="Ines Petrenko", email="ines@example.com")
    other = add_customer(
        session, services, name="Inés Petrenko", email="ines@example.com", addresses=(ETH_A,)
    )
    window = _active(qtbot, make_window())
    customers = customer_page(window)
    customers.open_customer(other)
    detail = customers.detail
    qtbot.waitUntil(lambda: detail.detail is not None)
    detail.ask_merge()
    dialog = next(d for d in detail.findChildren(DuplicatesDialog) if d.isVisible())
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1)
    assert "same email" in dialog.model.index(0, 3).data()
    merge = dialog.ask_merge()
    assert isinstance(merge, MergeDialog)
    merge.keep_first.setChecked(True)  # the older record, `keep`
    merge.reason.setText("Same passport; entered twice")
    merge.ok_button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: detail.customer_id == keep and detail.detail is not None)
    assert detail.detail.id == keep
    assert [a.address for a in detail.detail.addresses] == [ETH_A]
    assert read(session, services, queries.count_customers) == 1


def test_subject_export_writes_both_files(
    qtbot: QtBot,
    services: Services,
    session: VaultSession,
    make_window: WindowFactory,
    tmp_path: Path,
) -> None:
    unlock(session, services)
    customer = add_customer(session, services, name="Jonas Quispe", email="jq@example.com")
    window = _active(qtbot, make_window())
    customers = customer_page(window)
    customers.open_customer(customer)
    detail = customers.detail
    qtbot.waitUntil(lambda: detail.detail is not None)
    detail.ask_export()
    dialog = next(d for d in detail.findChildren(SubjectExportDialog) if d.isVisible())
    dialog.folder.setText(str(tmp_path))
    dialog.reason.setText("Access request of 2026-03-02")
    dialog.ok_button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: len(dialog.written) == 2)
    assert sorted(p.suffix for p in dialog.written) == [".json", ".txt"]
    assert "jq@example.com" in dialog.written[1].read_text(encoding="utf-8")
