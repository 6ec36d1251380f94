"""A customer's custom fields: one editor per field, by type; errors show beside the field.

Every changed value is checked before any is written, so a bad value saves
nothing. GUI thread; the save runs on the database worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.book import custom_fields
from app.book.reads import CustomerDetail, CustomValue
from app.book.service import CustomerBook
from app.tasks import Progress
from ui.book import context as ctx
from ui.book import format as fmt
from ui.book.context import BookContext
from ui.book.detail.fields_dialog import ManageFieldsDialog
from ui.book.dialogs import open_dialog
from ui.book.widgets import ErrorForm, OptionalDate, empty_state, error_label, hint
from ui.naming import named


@dataclass
class Editor:
    widget: QWidget
    get: Callable[[], str]
    put: Callable[[str], None]


def _editor(value: CustomValue, choices: tuple[str, ...], changed: Callable[[], None]) -> Editor:
    kind = value.type
    if kind in ("choice", "bool"):
        combo = QComboBox()
        combo.addItem("—", "")
        for choice in choices if kind == "choice" else ("yes", "no"):
            combo.addItem(choice, choice)
        combo.currentIndexChanged.connect(lambda _i: changed())
        return Editor(
            combo,
            lambda: str(combo.currentData() or ""),
            lambda text: combo.setCurrentIndex(max(0, combo.findData(text))),
        )
    if kind == "date":
        date = OptionalDate("Set")
        date.check.toggled.connect(lambda _on: changed())
        date.edit.dateTimeChanged.connect(lambda _d: changed())
        return Editor(date, lambda: date.value() or "", lambda text: date.set_value(text or None))
    edit = QLineEdit()
    if kind == "number":
        edit.setPlaceholderText("A number, e.g. 250000")
    elif kind == "address":
        edit.setFont(fmt.mono())
        edit.setPlaceholderText("chain:address, e.g. ethereum:0x…")
    edit.textChanged.connect(lambda _t: changed())
    return Editor(edit, lambda: edit.text().strip(), edit.setText)


class CustomFieldsTab(QWidget):
    dirty_changed = Signal(bool)

    def __init__(
        self,
        context: BookContext,
        customer_id: Callable[[], int | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._customer_id = customer_id
        self._stored: dict[str, str] = {}
        self._signature: tuple[tuple[str, str, str], ...] = ()
        self.editors: dict[str, Editor] = {}
        self._dirty = False
        self.general = error_label("customError")
        self.form_box = QWidget()
        self.form = ErrorForm(self.form_box, general=self.general)
        self.empty = empty_state(
            "No custom fields are defined for this vault. Define them with Manage fields…"
        )
        self.manage_button = named(QPushButton("Manage fields…"), "manageFields")
        self.manage_button.clicked.connect(self.manage)
        self.save_button = named(QPushButton("Save fields"), "saveCustom")
        self.save_button.setToolTip("Save the custom fields (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.status = named(hint(""), "customStatus")
        buttons = QHBoxLayout()
        buttons.addWidget(self.manage_button)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save_button)
        column = QWidget()
        column.setMaximumWidth(760)  # reading width, like the profile
        self._layout = inner = QVBoxLayout(column)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.form_box)
        inner.addWidget(self.general)
        inner.addSpacing(8)
        inner.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(column)
        layout.addStretch(1)
        self._update()

    @property
    def dirty(self) -> bool:
        return self._dirty

    def show_detail(self, detail: CustomerDetail, definitions: dict[str, tuple[str, ...]]) -> None:
        """Rebuild the editors if the fields changed; keep edits in progress otherwise."""
        signature = tuple((v.name, v.label, v.type) for v in detail.custom)
        keep = self._dirty and signature == self._signature
        self._stored = {v.name: v.value or "" for v in detail.custom}
        if signature != self._signature or not self.editors:
            self._rebuild(detail.custom, definitions)
            self._signature = signature
        if not keep:
            for name, editor in self.editors.items():
                editor.put(self._stored.get(name, ""))
            self.form.clear_errors()
        editable = detail.erased_at is None and detail.merged_into is None
        self.form_box.setEnabled(editable)
        self.empty.setVisible(not detail.custom)
        self._update()

    def _rebuild(self, values: list[CustomValue], definitions: dict[str, tuple[str, ...]]) -> None:
        old, self.form_box = self.form_box, QWidget()
        self.form = ErrorForm(self.form_box, general=self.general)
        self._layout.replaceWidget(old, self.form_box)
        old.deleteLater()
        self.editors = {}
        for value in values:
            editor = _editor(value, definitions.get(value.name, ()), self._update)
            editor.widget.setObjectName(f"custom_{value.name}")
            self.form.add(value.name, value.label, editor.widget)
            self.editors[value.name] = editor

    def changes(self) -> dict[str, str]:
        return {
            name: editor.get()
            for name, editor in self.editors.items()
            if editor.get() != self._stored.get(name, "")
        }

    def _update(self) -> None:
        dirty = bool(self.changes())
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)
        self.save_button.setEnabled(dirty)
        self.save_button.setVisible(bool(self.editors))
        if dirty:
            self.status.setText("Unsaved changes (Ctrl+S saves)")

    def revert(self) -> None:
        for name, editor in self.editors.items():
            editor.put(self._stored.get(name, ""))
        self.form.clear_errors()
        self._update()

    def clear(self) -> None:
        for editor in self.editors.values():
            editor.put("")
        self._stored = {}
        self._dirty = False

    def save(self) -> None:
        customer_id, changes = self._customer_id(), self.changes()
        if customer_id is None or not changes:
            return
        self.form.clear_errors()

        def work(book: CustomerBook, _progress: Progress) -> int:
            by_name = {f.name: f for f in custom_fields.fields(book)}
            for name, raw in changes.items():  # check all first: one bad value saves none
                if name in by_name:
                    custom_fields.clean_value(by_name[name], raw)
            return sum(custom_fields.set_value(book, customer_id, n, v) for n, v in changes.items())

        self.save_button.setEnabled(False)
        self.status.setText("Saving…")
        self.context.write(
            self, work, changes=(ctx.CUSTOMERS,), on_success=self._saved, on_failure=self._failed
        )

    def _saved(self, count: int) -> None:
        self._stored.update(self.changes())
        self._update()
        self.status.setText(f"Saved {count} field{'s' if count != 1 else ''}.")

    def _failed(self, error: BaseException) -> None:
        self.form.show_error(error)
        self._update()
        self.status.setText("Not saved: see the field marked in red.")

    def manage(self) -> None:
        open_dialog(ManageFieldsDialog(self.context, self))
