"""Defining the vault's custom fields, and moving their definitions in and out as YAML.

GUI thread; every read and write runs on the database worker.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.book import custom_fields
from app.book.custom_fields import TYPES, FieldDef
from app.book.service import CustomerBook
from app.tasks import Progress
from ui import errors
from ui.book import context as ctx
from ui.book.context import BookContext
from ui.book.dialogs import YAML_FILTER, ask_open, ask_save
from ui.book.list_model import Column, ListModel
from ui.book.widgets import ErrorForm, hint, table_view
from ui.naming import named
from vault.atomic import write_atomic

T = TypeVar("T")

COLUMNS: tuple[Column[FieldDef], ...] = (
    Column("Name", lambda f: f.name, mono=True),
    Column("Label", lambda f: f.label),
    Column("Type", lambda f: f.type),
    Column("Choices", lambda f: ", ".join(f.choices)),
)


class ManageFieldsDialog(QDialog):
    def __init__(self, context: BookContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("manageFieldsDialog")
        self.setWindowTitle("Custom fields")
        self.resize(720, 520)
        self.context = context
        self.model: ListModel[FieldDef] = ListModel(COLUMNS, self)
        self.view = table_view("fieldTable")
        self.view.setModel(self.model)
        for column, width in enumerate((160, 200, 80)):
            self.view.setColumnWidth(column, width)
        self.name = named(QLineEdit(), "fieldName")
        self.name.setPlaceholderText("lowercase_with_underscores, e.g. whitelist_limit")
        self.label = named(QLineEdit(), "fieldLabel")
        self.label.setPlaceholderText("As shown on the customer's page")
        self.type = named(QComboBox(), "fieldType")
        self.type.addItems(list(TYPES))
        self.choices = named(QLineEdit(), "fieldChoices")
        self.choices.setPlaceholderText("For a choice field: low, medium, high")
        self.type.currentTextChanged.connect(lambda t: self.choices.setEnabled(t == "choice"))
        self.choices.setEnabled(False)
        self.form = ErrorForm()
        self.form.add("name", "Name *", self.name)
        self.form.add("label", "Label", self.label)
        self.form.add("type", "Type", self.type)
        self.form.add("choices", "Choices", self.choices)
        self.save_button = named(QPushButton("Add or update field"), "defineField")
        self.save_button.clicked.connect(self.define)
        import_button = named(QPushButton("Import YAML…"), "importYaml")
        import_button.clicked.connect(self._ask_import)
        export_button = named(QPushButton("Export YAML…"), "exportYaml")
        export_button.clicked.connect(self._ask_export)
        # Enter in the form adds the field; it must never open a file chooser.
        for button in (import_button, export_button):
            button.setAutoDefault(False)
        self.save_button.setDefault(True)
        self.status = named(hint(""), "fieldsStatus")
        row = QHBoxLayout()
        row.addWidget(import_button)
        row.addWidget(export_button)
        row.addWidget(self.status, 1)
        row.addWidget(self.save_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            hint(
                "Fields apply to every customer. A field's type cannot change once defined; "
                "its label and choices can."
            )
        )
        layout.addWidget(self.view, 1)
        layout.addLayout(self.form)
        layout.addWidget(self.form.general)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.view.selectionModel().selectionChanged.connect(self._selected)
        self.reload()

    def reload(self) -> None:
        self.context.write(
            self,
            lambda book, _p: custom_fields.fields(book),
            changes=(),
            on_success=self.model.set_rows,
            on_failure=self.form.show_error,
        )

    def _selected(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return
        field = self.model.row_at(rows[0].row())
        self.name.setText(field.name)
        self.label.setText(field.label)
        self.type.setCurrentText(field.type)
        self.choices.setText(", ".join(field.choices))

    def define(self) -> None:
        self.form.clear_errors()
        choices = tuple(c.strip() for c in self.choices.text().split(",") if c.strip())
        definition = FieldDef(
            self.name.text().strip(), self.label.text().strip(), self.type.currentText(), choices
        )

        def work(book: CustomerBook, _progress: Progress) -> bool:
            return custom_fields.define(book, definition)

        self._write(work, done=lambda changed: "Saved." if changed else "Nothing changed.")

    def _write(
        self, work: Callable[[CustomerBook, Progress], T], *, done: Callable[[T], str]
    ) -> None:
        self.context.write(
            self,
            work,
            changes=(ctx.CUSTOM_FIELDS, ctx.CUSTOMERS),
            on_success=lambda result: self._written(done(result)),
            on_failure=self.form.show_error,
        )

    def _written(self, text: str) -> None:
        self.status.setText(text)
        self.reload()

    def _ask_import(self) -> None:
        path = ask_open(self, "Import custom fields", YAML_FILTER)
        if path is not None:
            self.import_yaml(path)

    def import_yaml(self, path: Path) -> None:
        self.form.clear_errors()

        def work(book: CustomerBook, _progress: Progress) -> int:
            return custom_fields.from_yaml_file(book, path)

        self._write(work, done=lambda count: f"{count} field(s) added or changed.")

    def _ask_export(self) -> None:
        path = ask_save(self, "Export custom fields", YAML_FILTER, suffix=".yaml")
        if path is not None:
            self.export_yaml(path)

    def export_yaml(self, path: Path) -> None:
        def work(book: CustomerBook, _progress: Progress) -> None:
            write_atomic(path, custom_fields.to_yaml(book).encode("utf-8"))

        self.context.write(
            self,
            work,
            changes=(),
            on_success=lambda _none: self.status.setText(f"Written to {path.name}."),
            on_failure=lambda error: self.status.setText(errors.describe(error)),
        )
