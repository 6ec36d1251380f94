"""The Screening section: each address's newest answer per provider (filtered and
sorted in SQL), one address's history with its evidence and explorer figures, the
imported sanctions lists, and the actions: screen the book, refresh the selection,
import a list, run the outbox. GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.screening.overview import AGES, age_filter
from app.screening.providers import PROVIDERS as KYT
from app.screening.sanctions import PROVIDER as SANCTIONS
from app.screening.service import all_targets
from ui.book.context import RefreshWhenShown
from ui.book.dialogs import open_dialog
from ui.book.widgets import empty_state, hint, table_beside, table_view
from ui.naming import named
from ui.screening.address_panel import AddressPanel
from ui.screening.context import Pair, ScreeningContext
from ui.screening.latest_model import LatestModel, status_text
from ui.screening.sanctions_dialog import SanctionsImportDialog, list_text
from vault.screening import latest
from vault.screening import sanctions as lists

LEVELS = ("none", "low", "medium", "high", "severe", "unknown")
#: the statuses the list filters by: answered, or why not
STATUSES = (
    "ok",
    "not_covered",
    "invalid_address",
    "unsupported",
    "not_configured",
    "auth",
    "transient",
    "malformed",
    "fatal",
)


def provider_names() -> dict[str, str]:
    """Every provider a look-up can ask, name -> label."""
    return {SANCTIONS: "Offline sanctions list", **{n: i.label for n, i in KYT.items()}}


class ScreeningPage(QWidget):
    def __init__(self, context: ScreeningContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screeningPage")
        self.context = context
        self._model: LatestModel | None = LatestModel(context.reader, parent=self)

        title = QLabel("<h2>Screening</h2>")
        self.count_label = named(QLabel("Counting…"), "screeningCount")
        self.count_label.setStyleSheet("color: #555;")
        self.provider = named(QComboBox(), "screeningProvider")
        for name, label in provider_names().items():
            self.provider.addItem(label, name)
        self.provider.setCurrentIndex(max(0, self.provider.findData(context.provider)))
        self.provider.setToolTip("Who new look-ups ask (keys: Vault › Settings › Providers)")
        self.provider.currentIndexChanged.connect(self._provider_chosen)
        self.book_button = named(QPushButton("Screen whole book"), "screenBookButton")
        self.book_button.setToolTip("Every address of every customer, with the provider chosen")
        self.book_button.clicked.connect(lambda: self.screen_book())
        self.import_button = named(QPushButton("Import sanctions list…"), "importSanctionsButton")
        self.import_button.clicked.connect(self.ask_import)
        self.outbox_button = named(QPushButton("Run outbox now"), "runOutboxButton")
        self.outbox_button.setToolTip("Try every waiting look-up now, whatever its backoff")
        self.outbox_button.clicked.connect(lambda: context.drain(retry_now=True))
        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.count_label)
        top.addStretch(1)
        # The actions get their own row: beside the title they made the page wider than
        # a 1000-pixel window leaves it.
        actions = QHBoxLayout()
        actions.addWidget(QLabel("Screen with:"))
        actions.addWidget(self.provider)
        for button in (self.book_button, self.import_button, self.outbox_button):
            actions.addWidget(button)
        actions.addStretch(1)

        self.search = named(QLineEdit(), "screeningSearch")
        self.search.setPlaceholderText("Filter by address…")
        self.search.setClearButtonEnabled(True)
        self.level = self._combo("levelFilter", "Any level", [(x, x) for x in LEVELS])
        self.source = self._combo(
            "providerFilter", "Any provider", [(n, lbl) for n, lbl in provider_names().items()]
        )
        self.sanctioned = self._combo(
            "sanctionedFilter",
            "Sanctioned or not",
            [(True, "Sanctioned"), (False, "Not sanctioned")],
        )
        self.status = self._combo(
            "statusFilter",
            self.tr("Any status"),
            [(x, status_text(x)) for x in STATUSES],
        )
        self.status.setToolTip(
            self.tr("“not covered”: no imported list covers the chain, so it was not screened")
        )
        # Long provider names would set the row's width; the open list shows them whole.
        self.source.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.source.setMinimumContentsLength(10)
        self.age = self._combo("ageFilter", "", [(a, a) for a in AGES if a != "Any age"])
        self.age.setItemText(0, "Any age")
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        for combo in (self.level, self.source, self.sanctioned, self.status, self.age):
            filters.addWidget(combo)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._debounce.start())

        self.view = table_view("screeningView", elide=Qt.TextElideMode.ElideMiddle)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setModel(self._model)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(5, Qt.SortOrder.DescendingOrder)
        for column, width in enumerate((72, 170, 88, 96, 175, 72, 48, 130)):
            self.view.setColumnWidth(column, width)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.empty = empty_state(
            "No screenings yet. Import a sanctions list (it needs no key and no network), "
            "then press “Screen whole book”, or select addresses in Wallets and press "
            "Ctrl+Shift+S.",
            "screeningEmpty",
        )
        self.panel = AddressPanel(context)
        split = table_beside(self.view, self.empty, self.panel)
        split.setSizes([900, 460])
        self.lists_label = named(hint(""), "sanctionsLists")
        self.lists_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addLayout(filters)
        layout.addWidget(split, 1)
        layout.addWidget(self.lists_label)

        self._model.count_changed.connect(self._show_count)
        self._model.failed.connect(self.count_label.setText)
        self._refresher = RefreshWhenShown(self, self.refresh)
        context.changed.connect(self._refresher.request)
        self._model.reload()
        self._read_lists()

    def _combo(self, name: str, blank: str, items: list[tuple[object, str]]) -> QComboBox:
        combo = named(QComboBox(), name)
        combo.addItem(blank, None)
        for data, text in items:
            combo.addItem(text, data)
        combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        return combo

    @property
    def model(self) -> LatestModel | None:
        return self._model

    # --- listing -----------------------------------------------------------------

    def apply_filter(self) -> None:
        if self._model is None:
            return
        newer, older = age_filter(self.age.currentData() or "Any age")
        self._model.set_filter(
            latest.Filter(
                level=self.level.currentData(),
                provider=self.source.currentData(),
                sanctioned=self.sanctioned.currentData(),
                status=self.status.currentData(),
                newer_than=newer,
                older_than=older,
                text=self.search.text(),
            )
        )

    def refresh(self) -> None:
        if self._model is not None:
            self._model.reload(keep_loaded=True)
        self.panel.reload()
        self._read_lists()

    def _read_lists(self) -> None:
        self.context.reader.read(self, lists.lists, on_success=self._show_lists)

    def _show_lists(self, found: list[dict[str, object]]) -> None:
        if not found:
            self.lists_label.setText(
                "No sanctions list imported yet: the offline provider answers “not configured” "
                "until one is (Import sanctions list…)."
            )
            return
        self.lists_label.setText("Sanctions lists: " + "\n".join(list_text(i) for i in found))

    def _show_count(self, total: int) -> None:
        self.count_label.setText(
            f"{total:,} answer{'s' if total != 1 else ''} (newest per provider)"
        )
        filtered = self._model is not None and self._model.where != latest.Filter()
        self.view.setVisible(bool(total) or filtered)
        self.empty.setVisible(not total and not filtered)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._model is not None and current.isValid():
            self.panel.show_address(*self._model.target(current.row()))

    # --- actions -------------------------------------------------------------------

    def selected_targets(self) -> list[Pair]:
        if self._model is None:
            return []
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self._model.target(r) for r in rows]

    def screen_book(self, *, refresh: bool = False) -> bool:
        return self.context.screen(
            lambda vault: [(t.chain, t.address) for t in all_targets(vault)],
            label="the whole book",
            refresh=refresh,
        )

    def ask_import(self) -> None:
        open_dialog(SanctionsImportDialog(self.context, self))

    def _provider_chosen(self, _index: int) -> None:
        name = self.provider.currentData()
        services = self.context.services
        if name and name != services.settings.screening_provider:
            services.update_settings(services.settings.with_changes(screening_provider=name), self)

    def close_vault_views(self) -> None:
        self.view.setModel(None)
        if self._model is not None:
            self._model.close()
            self._model.deleteLater()
            self._model = None
        self.panel.clear()
