from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot

from app.session import VaultSession
from app.tasks import Operation
from ui.audit_model import COLUMNS, AuditModel
from ui.sections import SECTIONS
from ui.services import Services

from .conftest import WindowFactory, unlock


def _add_events(session: VaultSession, services: Services, count: int) -> None:
    def work(_progress: object) -> None:
        with session.vault.transaction() as tx:
            for i in range(count):
                tx.event("test.note", {"n": i})

    services.runner.run_db(Operation(work=work)).wait(10)


def _types(model: AuditModel) -> list[str]:
    return [model.index(r, 4).data() for r in range(model.rowCount())]


def test_model_passes_the_qt_model_tester(
    qtbot: QtBot, qtlog: Any, services: Services, session: VaultSession
) -> None:
    unlock(session, services)
    _add_events(session, services, 25)
    model = AuditModel(session, services.runner, page_size=10)
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    with qtbot.captureExceptions() as exceptions:
        model.reload()
        qtbot.waitUntil(lambda: model.total > 0 and model.rowCount() >= 10)
        while model.canFetchMore(QModelIndex()) or model.fetching:
            model.fetchMore(QModelIndex())
            qtbot.waitUntil(lambda: not model.fetching)
    assert not exceptions
    assert model.rowCount() == model.total == 28  # created, locked, unlocked, 25 notes
    assert model.columnCount() == len(COLUMNS)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)] == list(COLUMNS)
    types = _types(model)
    assert types[0] == "test.note"  # newest first
    assert types[-3:] == ["vault.unlocked", "vault.locked", "vault.created"]
    assert model.index(0, 5).data() == "n: 24"
    assert len(model.index(0, 2).data()) == 8  # short device id
    failures = [r.message for r in qtlog.records if "FAIL" in r.message]
    assert not failures
    del tester


def test_model_fetches_only_pages_the_view_asks_for(
    qtbot: QtBot, services: Services, session: VaultSession
) -> None:
    unlock(session, services)
    _add_events(session, services, 30)
    model = AuditModel(session, services.runner, page_size=10)
    model.reload()
    qtbot.waitUntil(lambda: model.rowCount() == 10)
    assert model.total == 33
    assert model.canFetchMore(QModelIndex())
    model.close()
    assert model.rowCount() == 0
    assert not model.canFetchMore(QModelIndex())


def test_audit_page_shows_events_and_verify_succeeds(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    window.select_section([s.key for s in SECTIONS].index("audit"))
    assert window.workspace is not None
    page = window.workspace.audit
    assert page is not None and page.isVisible()
    model = page.model
    assert model is not None
    qtbot.waitUntil(lambda: model.rowCount() >= 3)
    assert {"vault.created", "vault.unlocked"} <= set(_types(model))
    assert "3 events" in page.count_label.text()

    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.result_label.isVisible(), timeout=10_000)
    assert "verified" in page.result_label.text()
    assert "#1b5e20" in page.result_label.styleSheet()  # green
    assert page.verify_button.isEnabled()
    qtbot.waitUntil(lambda: "vault.verified" in _types(model))


def test_cancelling_a_queued_verify_reports_at_once(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    window.select_section([s.key for s in SECTIONS].index("audit"))
    assert window.workspace is not None and window.workspace.audit is not None
    page = window.workspace.audit
    gate = threading.Event()
    busy = window.services.runner.run_db(Operation(work=lambda _p: gate.wait(5)))
    page.start_verify()  # queued behind the busy step
    assert page.progress_box.isVisible()
    page.cancel_verify()
    assert "cancelled" in page.result_label.text()
    assert page.verify_button.isEnabled() and not page.progress_box.isVisible()
    gate.set()
    busy.wait(5)
