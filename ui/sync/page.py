"""The Sync section: the desk, its devices and targets, the quarantine, the recent
runs and the customers changed on two devices; Sync now, invite, join, remove.

With no desk it says so and offers to create one or join one. Everything is
read on the database worker (`app.sync.overview`), again after each run and
each change of the desk; Test connection lists the target on the network pool.
GUI thread.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.sync.credentials import credentials_for
from app.sync.job import JobResult, test_connection
from app.sync.overview import Overview, TargetLine, overview
from app.sync.removal import Removed, remove
from integrations.sync.targets import Target, parse_target
from ui import errors
from ui.book import format as fmt
from ui.book.context import RefreshWhenShown
from ui.naming import named
from ui.ops import run_db, run_network
from ui.sync.context import SyncContext
from ui.sync.dialogs import CreateDeskDialog, InviteDialog, JoinDialog
from vault.store import Vault


def _table(name: str, headers: Sequence[str]) -> QTableWidget:
    table = named(QTableWidget(0, len(headers)), name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: Sequence[Sequence[Any]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            text = "" if value is None else str(value)
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    for c in range(table.columnCount() - 1):  # long values stay readable in the tooltip
        table.setColumnWidth(c, min(table.columnWidth(c), 260))


class SyncPage(QWidget):
    def __init__(self, context: SyncContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncPage")
        self.context = context
        self.data: Overview | None = None
        self.stack = QStackedWidget()
        self.stack.addWidget(self._no_desk())
        self.stack.addWidget(self._desk())
        self.loading = named(QLabel(self.tr("Reading the desk…")), "syncLoading")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.addWidget(self.loading)
        layout.addWidget(self.stack, 1)
        self.stack.hide()
        self._refresher = RefreshWhenShown(self, self.reload)
        context.finished.connect(self._ran)
        context.synced.connect(self._refresher.request)
        context.started.connect(self._started)
        context.fetched.connect(self._fetched)
        context.failed.connect(self._show_failure)

    # --- building --------------------------------------------------------------------------

    def _no_desk(self) -> QWidget:
        page = QWidget()
        title = QLabel(self.tr("<h2>Sync</h2>"))
        text = named(
            QLabel(
                self.tr(
                    "This vault is not part of a desk yet: what is made here stays here. "
                    "Create a desk to share this vault's book and approval queue with other "
                    "workstations through a folder, WebDAV or S3 storage, or join the desk "
                    "of a colleague with the invitation they gave you."
                )
            ),
            "noDeskText",
        )
        text.setWordWrap(True)
        self.create_button = named(QPushButton(self.tr("Create a desk…")), "createDeskButton")
        self.create_button.clicked.connect(self.ask_create)
        self.join_button = named(QPushButton(self.tr("Join a desk…")), "joinDeskButton")
        self.join_button.clicked.connect(self.ask_join)
        buttons = QHBoxLayout()
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.join_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(title)
        layout.addWidget(text)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    def _desk(self) -> QWidget:
        page = QWidget()
        self.title = named(QLabel(), "deskTitle")
        self.subtitle = named(QLabel(), "deskSubtitle")
        self.subtitle.setStyleSheet("color: #555;")
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sync_button = named(QPushButton(self.tr("Sync now")), "syncNowButton")
        self.sync_button.setToolTip(self.tr("Push and pull now (Ctrl+Shift+Y)"))
        self.sync_button.clicked.connect(self.context.sync_now)
        self.invite_button = named(QPushButton(self.tr("Invite…")), "inviteButton")
        self.invite_button.setToolTip(self.tr("Write an invitation for a new member (admin)"))
        self.invite_button.clicked.connect(self.ask_invite)
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.title)
        names.addWidget(self.subtitle)
        top = QHBoxLayout()
        top.addLayout(names, 1)
        top.addWidget(self.invite_button)
        top.addWidget(self.sync_button)
        self.status = named(QLabel(), "syncRunStatus")
        self.status.setWordWrap(True)
        self.progress = named(QProgressBar(), "syncProgress")
        self.progress.setRange(0, 0)
        self.progress.setFixedHeight(8)
        self.progress.setTextVisible(False)
        self.progress.hide()

        self.devices = _table(
            "devicesTable",
            [
                self.tr("Device"),
                self.tr("Member"),
                self.tr("Last sync"),
                self.tr("Segments taken"),
                self.tr("Trust"),
                self.tr("State"),
            ],
        )
        self.devices.itemSelectionChanged.connect(self._device_selected)
        self.remove_button = named(QPushButton(self.tr("Remove device…")), "removeDeviceButton")
        self.remove_button.setToolTip(
            self.tr("Remove the selected device; the desk key turns (admin)")
        )
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self.ask_remove)
        devices_tab = self._tab(self.devices, [self.remove_button])

        self.targets = _table(
            "targetsTable",
            [self.tr("Target"), self.tr("Last sync"), self.tr("Last run"), self.tr("Message")],
        )
        self.targets.itemSelectionChanged.connect(self._target_selected)
        self.test_button = named(QPushButton(self.tr("Test connection")), "testTargetButton")
        self.test_button.setEnabled(False)
        self.test_button.clicked.connect(self.test_target)
        self.test_result = named(QLabel(), "testResult")
        self.test_result.setWordWrap(True)
        targets_tab = self._tab(self.targets, [self.test_button, self.test_result])

        self.quarantine = _table(
            "quarantineTable",
            [
                self.tr("File"),
                self.tr("Reason"),
                self.tr("First seen"),
                self.tr("Target"),
                self.tr("Detail"),
            ],
        )
        quarantine_note = QLabel(
            self.tr(
                "Files on a target that failed their checks (signature, numbering, chain, "
                "desk). Nothing of them was applied; sync goes on with what verifies."
            )
        )
        quarantine_note.setWordWrap(True)
        quarantine_tab = self._tab(self.quarantine, [], note=quarantine_note)

        self.runs = _table(
            "runsTable",
            [
                self.tr("Finished"),
                self.tr("Target"),
                self.tr("Outcome"),
                self.tr("Pushed"),
                self.tr("Pulled"),
                self.tr("Applied"),
                self.tr("Quarantined"),
                self.tr("Message"),
            ],
        )
        runs_tab = self._tab(self.runs, [])

        self.changes = _table(
            "twoDevicesTable",
            [
                self.tr("Customer"),
                self.tr("Field"),
                self.tr("Kept"),
                self.tr("From"),
                self.tr("Other value"),
                self.tr("From"),
            ],
        )
        changes_note = QLabel(
            self.tr(
                "Fields two devices changed at once: the later change is kept, the other "
                "stays in the history. Open the customer to look and clear the mark."
            )
        )
        changes_note.setWordWrap(True)
        changes_tab = self._tab(self.changes, [], note=changes_note)

        self.tabs = named(QTabWidget(), "syncTabs")
        self.tabs.addTab(devices_tab, self.tr("Devices"))
        self.tabs.addTab(targets_tab, self.tr("Targets"))
        self.tabs.addTab(quarantine_tab, self.tr("Quarantine"))
        self.tabs.addTab(runs_tab, self.tr("Recent syncs"))
        self.tabs.addTab(changes_tab, self.tr("Changed on two devices"))

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addWidget(self.tabs, 1)
        return page

    @staticmethod
    def _tab(table: QTableWidget, below: list[QWidget], *, note: QLabel | None = None) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(8, 8, 8, 8)
        if note is not None:
            layout.addWidget(note)
        layout.addWidget(table, 1)
        if below:
            row = QHBoxLayout()
            for widget in below:
                row.addWidget(widget, 1 if isinstance(widget, QLabel) else 0)
            if not any(isinstance(w, QLabel) for w in below):
                row.addStretch(1)
            layout.addLayout(row)
        return tab

    # --- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        self.context.read(overview, self._loaded, owner=self, on_failure=self._read_failed)

    def _read_failed(self, error: BaseException) -> None:
        errors.log(error, debug=self.context.services.debug)
        self.loading.setText(
            self.tr("The desk could not be read: {reason}").format(reason=errors.describe(error))
        )
        self.loading.show()

    def _loaded(self, data: Overview) -> None:
        self.data = data
        self.loading.hide()
        self.stack.show()
        info = data.info
        if info is None:
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        self.title.setText(f"<h2>{html.escape(info.name)}</h2>")
        self.subtitle.setText(
            self.tr("Desk {desk} · this device {device}{member}").format(
                desk=info.desk,
                device=info.device,
                member=self.tr(" · acting as {name}").format(name=data.member)
                if data.member
                else "",
            )
        )
        _fill(
            self.devices,
            [
                (
                    d["device"] + (self.tr(" (this device)") if d["this_device"] else ""),
                    d["member"] or "",
                    fmt.local(d["last_sync"]) or self.tr("never"),
                    "" if d["segments_taken"] is None else d["segments_taken"],
                    d["trust"],
                    self.tr("removed") if d["removed_after"] is not None else self.tr("active"),
                )
                for d in data.devices
            ],
        )
        _fill(self.targets, [self._target_row(t) for t in data.targets])
        _fill(
            self.quarantine,
            [
                (q.name, q.reason, fmt.local(q.first_seen), q.target, q.detail)
                for q in data.quarantine
            ],
        )
        _fill(
            self.runs,
            [
                (
                    fmt.local(r.finished_at, seconds=True),
                    r.target or r.kind,
                    r.outcome,
                    r.pushed,
                    r.pulled,
                    r.applied,
                    r.quarantined,
                    str(r.detail.get("message") or ""),
                )
                for r in data.runs
            ],
        )
        _fill(
            self.changes,
            [
                (
                    c["customer"],
                    c["field"],
                    c["kept"],
                    self._who(c["kept_by"]),
                    c["other"],
                    self._who(c["other_by"]),
                )
                for c in data.changes
            ],
        )
        self._count_tabs(data)
        self._device_selected()
        self._target_selected()
        if not self.context.running:
            self._show_brief()

    def _who(self, by: str) -> str:
        return self.tr("this device") if by == "this device" else by

    def _target_row(self, t: TargetLine) -> tuple[str, str, str, str]:
        text = t.target + (f" ({t.endpoint})" if t.endpoint else "")
        return (
            text,
            fmt.local(t.last_sync) or self.tr("never"),
            t.last_outcome or "",
            t.last_message,
        )

    def _count_tabs(self, data: Overview) -> None:
        counted = (
            (0, self.tr("Devices ({n})"), len(data.devices)),
            (2, self.tr("Quarantine ({n})"), len(data.quarantine)),
            (4, self.tr("Changed on two devices ({n})"), len(data.changes)),
        )
        for index, text, n in counted:
            self.tabs.setTabText(index, text.format(n=n))

    # --- running ---------------------------------------------------------------------------

    def _started(self) -> None:
        self.progress.show()
        self.status.setStyleSheet("")
        self.status.setText(self.tr("Syncing…"))

    def _fetched(self, count: int) -> None:
        self.status.setText(self.tr("Syncing… {n} file(s) fetched").format(n=count))

    def _ran(self, result: JobResult) -> None:
        self.progress.hide()
        report = result.report
        if report is None:
            self._show_brief()
        elif result.offline:
            self.status.setStyleSheet("color: #8d5300;")
            self.status.setText(
                self.tr("No target could be reached: sync waits and tries again at {when}.").format(
                    when=fmt.local(result.next_attempt_at)
                )
            )
        elif not report.ok:
            self.status.setStyleSheet("color: #b71c1c;")
            self.status.setText(
                self.tr("Sync did not finish everywhere: {messages}").format(
                    messages="; ".join(result.messages)
                )
            )
        else:
            self.status.setStyleSheet("")
            self.status.setText(
                self.tr(
                    "Synced: {pushed} pushed, {pulled} pulled, {applied} applied, "
                    "{quarantined} quarantined."
                ).format(
                    pushed=report.pushed,
                    pulled=report.pulled,
                    applied=report.applied,
                    quarantined=report.quarantined,
                )
            )
        self._refresher.request()

    def _show_brief(self) -> None:
        facts = self.context.brief
        if facts is None or not facts.desk:
            return
        if facts.waiting_until:
            self.status.setStyleSheet("color: #8d5300;")
            self.status.setText(
                self.tr("No target could be reached: sync waits and tries again at {when}.").format(
                    when=fmt.local(facts.waiting_until)
                )
            )
        else:
            self.status.setStyleSheet("")
            self.status.setText(
                self.tr("Last sync {when}; {n} change(s) wait to be shared.").format(
                    when=fmt.local(facts.last_sync) or self.tr("never"), n=facts.unshared
                )
            )

    def _show_failure(self, text: str) -> None:
        self.progress.hide()
        self.status.setStyleSheet("color: #b71c1c;")
        self.status.setText(text)

    # --- actions ---------------------------------------------------------------------------

    def _vault(self) -> Vault:
        """Database worker: the unlocked vault."""
        return self.context.session.vault

    def ask_create(self) -> CreateDeskDialog:
        dialog = CreateDeskDialog(self.context.services, self._vault, self)
        dialog.accepted.connect(self._desk_changed)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def ask_join(self) -> JoinDialog:
        dialog = JoinDialog(self.context.services, self._vault, self)
        dialog.accepted.connect(self._desk_changed)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def ask_invite(self) -> InviteDialog:
        dialog = InviteDialog(self.context.services, self._vault, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _desk_changed(self) -> None:
        """A desk was created or joined: the views reload (a join brings members and
        roles), and the first sync runs now (it puts this device's announcement)."""
        self.context.announce()
        self.reload()
        self.context.sync_now()

    def selected_device(self) -> dict[str, Any] | None:
        rows = self.devices.selectionModel().selectedRows() if self.data else []
        if not rows or self.data is None:
            return None
        return self.data.devices[rows[0].row()]

    def _device_selected(self) -> None:
        device = self.selected_device()
        self.remove_button.setEnabled(
            device is not None and not device["this_device"] and device["removed_after"] is None
        )

    def ask_remove(self) -> QMessageBox | None:
        device = self.selected_device()
        if device is None:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Remove device"),
            self.tr(
                "Remove the device {device} ({member}) from the desk? The desk key turns, "
                "so it cannot read anything written afterwards; its earlier signed "
                "decisions keep counting."
            ).format(device=device["device"], member=device["member"] or self.tr("no member")),
            QMessageBox.StandardButton.Cancel,
            self,
        )
        confirm = box.addButton(self.tr("Remove device"), QMessageBox.ButtonRole.DestructiveRole)
        box.setObjectName("removeDeviceBox")
        who = str(device["device"])
        confirm.clicked.connect(lambda: self.remove_device(who))
        box.finished.connect(box.deleteLater)
        box.open()
        return box

    def remove_device(self, who: str) -> None:
        vault = self._vault
        run_db(
            self.context.services.runner,
            self,
            lambda _p: remove(vault(), who),
            on_success=self._removed,
            on_failure=self._show_error,
        )

    def _removed(self, removed: Removed) -> None:
        self.status.setStyleSheet("")
        self.status.setText(
            self.tr("Removed {devices}; the desk key turned.").format(
                devices=", ".join(removed.devices)
            )
        )
        self.reload()
        self.context.sync_now()  # the removal reaches the desk

    def _show_error(self, error: BaseException) -> None:
        errors.show_error(self, self.tr("Sync"), error, debug=self.context.services.debug)

    def selected_target(self) -> TargetLine | None:
        rows = self.targets.selectionModel().selectedRows() if self.data else []
        if not rows or self.data is None:
            return None
        return self.data.targets[rows[0].row()]

    def _target_selected(self) -> None:
        self.test_button.setEnabled(self.selected_target() is not None or self._one_target())

    def _one_target(self) -> bool:
        return self.data is not None and len(self.data.targets) == 1

    def test_target(self) -> None:
        target = self.selected_target()
        if target is None and self.data is not None and self._one_target():
            target = self.data.targets[0]
        if target is None:
            return
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText(self.tr("Testing {target}…").format(target=target.target))
        line = target
        vault = self._vault

        def credentials(_p: object) -> tuple[Target, dict[str, str]]:
            parsed = parse_target(line.target, endpoint=line.endpoint)
            return parsed, credentials_for(vault(), parsed)

        def network(found: tuple[Target, dict[str, str]]) -> None:
            parsed, creds = found
            run_network(
                self.context.services.runner,
                self,
                lambda _p: test_connection(parsed, creds),
                on_success=self._tested,
                on_failure=lambda error: self._tested((None, errors.describe(error))),
            )

        run_db(
            self.context.services.runner,
            self,
            credentials,
            on_success=network,
            on_failure=lambda error: self._tested((None, errors.describe(error))),
        )

    def _tested(self, outcome: tuple[int | None, str]) -> None:
        files, problem = outcome
        if files is None:
            self.test_result.setStyleSheet("color: #b71c1c;")
            self.test_result.setText(self.tr("Not reachable: {reason}").format(reason=problem))
        else:
            self.test_result.setStyleSheet("color: #1b5e20;")
            self.test_result.setText(self.tr("Reachable: {n} file(s) listed.").format(n=files))
        self._target_selected()
