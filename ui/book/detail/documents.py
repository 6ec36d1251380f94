"""A customer's KYC documents: the list with expired and expiring marks, a preview, Add…
and Save a copy….

GUI thread. Listing, adding, copying and opening a document for the preview
run on the database worker; the preview image is decoded there too (QImage,
not QPixmap, may be made off the GUI thread), scaled down while it is read,
so a 25 MB scan never stalls the window. PDFs are not previewed: Qt PDF
(PySide6-Addons) is not among the dependencies; Save a copy… opens them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.book.documents import (
    EXTENSIONS,
    DocumentInfo,
    documents_of,
    readable_size,
    save_copy,
    view_document,
)
from app.book.service import CustomerBook
from app.tasks import Progress
from ui import errors
from ui.book import context as ctx
from ui.book import format as fmt
from ui.book.context import BookContext
from ui.book.detail.document_dialog import AddDocumentDialog, type_label
from ui.book.dialogs import ask_save, open_dialog
from ui.book.list_model import Column, ListModel
from ui.book.widgets import empty_state, error_label, hint, show_text, table_beside, table_view
from ui.naming import named

#: the largest side of a preview image, in pixels (decoded at this size, not in full)
PREVIEW_SIDE = 1600
EXPIRED_COLOUR = QColor("#b71c1c")
EXPIRING_COLOUR = QColor("#8a6100")


def status_text(info: DocumentInfo) -> str:
    if info.expired:
        return QCoreApplication.translate("documents", "Expired")
    if info.expiring:
        return QCoreApplication.translate("documents", "Expires soon")
    return ""


def _status_colour(info: DocumentInfo) -> QColor | None:
    if info.expired:
        return EXPIRED_COLOUR
    return EXPIRING_COLOUR if info.expiring else None


def _columns() -> tuple[Column[DocumentInfo], ...]:
    tr = QCoreApplication.translate
    return (
        Column(tr("documents", "Type"), lambda d: type_label(d.type)),
        Column(tr("documents", "File"), lambda d: d.file_name, tooltip=lambda d: d.file_name),
        Column(tr("documents", "Issued"), lambda d: d.issued_on or ""),
        Column(tr("documents", "Expires"), lambda d: d.expires_on or "", colour=_status_colour),
        Column(tr("documents", "Status"), status_text, colour=_status_colour),
        Column(tr("documents", "Size"), lambda d: readable_size(d.size), right=True),
        Column(
            tr("documents", "Added"),
            lambda d: f"{fmt.local(d.added_at)[:10]} · {d.added_by}",
            tooltip=lambda d: f"{fmt.local(d.added_at)} · {d.added_by}",
        ),
    )


def load_preview(book: CustomerBook, document_uid: str) -> tuple[DocumentInfo, QImage | None]:
    """Database worker: open the document (audited as a view) and decode an image, scaled
    to at most PREVIEW_SIDE while it is read; None for a PDF or an unreadable image."""
    info, data = view_document(book, document_uid)
    if not info.media_type.startswith("image/"):
        return info, None
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QBuffer.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > PREVIEW_SIDE:
        fit = QSize(PREVIEW_SIDE, PREVIEW_SIDE)
        reader.setScaledSize(size.scaled(fit, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    buffer.close()
    return info, None if image.isNull() else image


class DocumentsTab(QWidget):
    #: (documents, how many are expired or expiring), for the tab's title
    counted = Signal(int, int)

    def __init__(
        self,
        context: BookContext,
        customer_id: Callable[[], int | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._customer_id = customer_id
        self._generation = 0
        self._editable = False
        self.model: ListModel[DocumentInfo] = ListModel(_columns(), self)
        self.view = table_view("documentTable")
        self.view.setModel(self.model)
        for column, width in enumerate((120, 140, 82, 82, 88, 55)):
            self.view.setColumnWidth(column, width)
        self.empty = empty_state(
            self.tr(
                "No documents yet. Add a passport, ID card, proof of address or source of "
                "funds: it is kept encrypted in the vault under this customer's key."
            )
        )
        self.preview = named(QLabel(), "documentPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setWordWrap(True)
        self.preview.setStyleSheet("background: palette(base); color: #555; padding: 8px;")
        self.preview.setMinimumWidth(220)
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setWidget(self.preview)
        split = table_beside(self.view, self.empty, self._scroll, stretch=(2, 1))

        self.add_button = named(QPushButton(self.tr("Add document…")), "addDocument")
        self.add_button.clicked.connect(self.ask_add)
        self.save_button = named(QPushButton(self.tr("Save a copy…")), "saveDocument")
        self.save_button.setToolTip(self.tr("Write the selected document to a file (audited)"))
        self.save_button.clicked.connect(self.ask_save)
        self.status = named(hint(""), "documentStatus")
        self.error = error_label("documentError")
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.add_button)

        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.view.selectionModel().selectionChanged.connect(self._selected)
        self._show_rows([])

    # --- loading -------------------------------------------------------------------------

    def load(self, *, editable: bool) -> None:
        """Read the customer's documents on the database worker."""
        customer_id = self._customer_id()
        if customer_id is None:
            return
        self._editable = editable
        self._generation += 1
        generation = self._generation

        def work(book: CustomerBook, _progress: Progress) -> list[DocumentInfo]:
            return documents_of(book.vault.conn, book.keys, customer_id)

        self.context.write(
            self,
            work,
            changes=(),
            on_success=lambda rows: self._loaded(generation, rows),
            on_failure=self._failed,
        )

    def _loaded(self, generation: int, rows: list[DocumentInfo]) -> None:
        if generation == self._generation:
            self._show_rows(rows)

    def _show_rows(self, rows: list[DocumentInfo]) -> None:
        chosen = self.selected()
        self.model.set_rows(rows)
        self.view.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self.add_button.setEnabled(self._editable)
        self.counted.emit(len(rows), sum(1 for d in rows if d.expired or d.expiring))
        ids = [d.id for d in rows]
        if rows:
            self.view.selectRow(ids.index(chosen.id) if chosen and chosen.id in ids else 0)
        else:
            self._show_preview_text("")
        self.save_button.setEnabled(bool(rows))

    def clear(self) -> None:
        self._generation += 1
        self._editable = False
        self.model.clear()
        self.preview.clear()
        show_text(self.error, "")
        self.status.clear()

    def selected(self) -> DocumentInfo | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    # --- preview -------------------------------------------------------------------------

    def _selected(self) -> None:
        info = self.selected()
        self.save_button.setEnabled(info is not None)
        if info is None:
            self._show_preview_text("")
            return
        if not info.media_type.startswith("image/"):
            self._show_preview_text(
                self.tr(
                    "{name}\n\nPDFs are not previewed here (Qt PDF is not installed). "
                    "Save a copy… to open it."
                ).format(name=info.file_name)
            )
            return
        self._show_preview_text(self.tr("Opening {name}…").format(name=info.file_name))
        generation = self._generation
        uid = info.id
        self.context.write(
            self,
            lambda book, _p: load_preview(book, uid),
            changes=(ctx.AUDIT,),
            on_success=lambda loaded: self._preview(generation, uid, loaded),
            on_failure=self._failed,
        )

    def _preview(
        self, generation: int, uid: str, loaded: tuple[DocumentInfo, QImage | None]
    ) -> None:
        current = self.selected()
        if generation != self._generation or current is None or current.id != uid:
            return
        info, image = loaded
        if image is None:
            self._show_preview_text(self.tr("This image cannot be shown; Save a copy… to open it."))
            return
        pixmap = QPixmap.fromImage(image)
        room = self._scroll.viewport().size() - QSize(20, 20)
        if room.width() > 40 and (pixmap.width() > room.width() or pixmap.height() > room.height()):
            pixmap = pixmap.scaled(
                room, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        self.preview.setPixmap(pixmap)
        self.preview.setToolTip(info.file_name)

    def _show_preview_text(self, text: str) -> None:
        self.preview.clear()
        self.preview.setText(text)

    # --- actions -------------------------------------------------------------------------

    def ask_add(self) -> None:
        customer_id = self._customer_id()
        if customer_id is None or not self._editable:
            return
        dialog = AddDocumentDialog(self.context, customer_id, self)
        dialog.accepted.connect(lambda: self._added(dialog.added))
        open_dialog(dialog)

    def _added(self, info: DocumentInfo | None) -> None:
        if info is not None:
            self.status.setText(self.tr("Added {name}.").format(name=info.file_name))

    def ask_save(self) -> None:
        info = self.selected()
        if info is None:
            return
        extension = EXTENSIONS.get(info.media_type, "")
        target = ask_save(
            self,
            self.tr("Save a copy of the document"),
            f"{self.tr('Document')} (*{extension})",
            suggested=info.file_name,
            suffix=extension,
        )
        if target is None:
            return
        show_text(self.error, "")
        uid = info.id
        # The file dialog asked before replacing an existing file.
        self.context.write(
            self,
            lambda book, _p: save_copy(book, uid, target, replace=True),
            changes=(ctx.AUDIT,),
            on_success=lambda _info: self.status.setText(
                self.tr("Saved a copy to {path}.").format(path=str(target))
            ),
            on_failure=self._failed,
        )

    def _failed(self, error: BaseException) -> None:
        errors.log(error, debug=self.context.debug)
        show_text(self.error, errors.describe(error))
