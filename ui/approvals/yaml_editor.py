"""A plain-text YAML editor with line numbers that can point at an error's line.

`show_error(line, column, text)` moves the cursor there, tints the line and
keeps the text beside the editor, so the user fixes it where it is. GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from ui.book import format as book_fmt

ERROR_TINT = QColor("#ffebee")
GUTTER_TEXT = QColor("#888888")
GUTTER_ERROR = QColor("#b71c1c")


class _Gutter(QWidget):
    def __init__(self, editor: YamlEditor) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self._editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        self._editor.paint_gutter(event)


class YamlEditor(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(book_fmt.mono())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabChangesFocus(False)
        # YAML forbids tabs for indentation: the Tab key inserts two spaces.
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 2)
        self._error_line: int | None = None
        self._gutter = _Gutter(self)
        self.blockCountChanged.connect(lambda _count: self._update_margin())
        self.updateRequest.connect(self._scroll_gutter)
        self.textChanged.connect(self.clear_error)
        self._update_margin()

    # --- errors --------------------------------------------------------------

    @property
    def error_line(self) -> int | None:
        """The 1-based line marked as wrong, if any."""
        return self._error_line

    def mark_error(self, line: int) -> None:
        """Tint `line` (1-based) and flag it in the gutter; the cursor stays (live checks)."""
        document = self.document()
        line = max(1, min(line, document.blockCount()))
        self._error_line = line
        selection = QTextEdit.ExtraSelection()
        selection.format.setBackground(ERROR_TINT)
        selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        selection.cursor = QTextCursor(document.findBlockByNumber(line - 1))
        self.setExtraSelections([selection])
        self._gutter.update()

    def show_error(self, line: int, column: int) -> None:
        """Mark `line` and put the cursor there at `column` (both 1-based)."""
        self.mark_error(line)
        block = self.document().findBlockByNumber((self._error_line or 1) - 1)
        cursor = QTextCursor(block)
        cursor.movePosition(
            QTextCursor.MoveOperation.Right,
            QTextCursor.MoveMode.MoveAnchor,
            max(0, min(column - 1, block.length() - 1)),
        )
        self.setTextCursor(cursor)
        self.centerCursor()
        self.setFocus()

    def clear_error(self) -> None:
        if self._error_line is None:
            return
        self._error_line = None
        self.setExtraSelections([])
        self._gutter.update()

    def cursor_position(self) -> tuple[int, int]:
        """(line, column), both 1-based."""
        cursor = self.textCursor()
        return cursor.blockNumber() + 1, cursor.positionInBlock() + 1

    # --- typing --------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Tab and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.insertPlainText("  ")
            return
        super().keyPressEvent(event)

    # --- the gutter ----------------------------------------------------------

    def gutter_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 14 + self.fontMetrics().horizontalAdvance("9") * max(3, digits)

    def _update_margin(self) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _scroll_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        inner = self.contentsRect()
        self._gutter.setGeometry(
            QRect(inner.left(), inner.top(), self.gutter_width(), inner.height())
        )

    def paint_gutter(self, event: QPaintEvent) -> None:
        painter = QPainter(self._gutter)
        painter.fillRect(event.rect(), self.palette().window())
        block = self.firstVisibleBlock()
        number = block.blockNumber()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        bottom = top + round(self.blockBoundingRect(block).height())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and bottom >= event.rect().top():
                wrong = number + 1 == self._error_line
                painter.setPen(GUTTER_ERROR if wrong else GUTTER_TEXT)
                painter.drawText(
                    0,
                    top,
                    self._gutter.width() - 6,
                    height,
                    int(Qt.AlignmentFlag.AlignRight),
                    ("▶ " if wrong else "") + str(number + 1),
                )
            block = block.next()
            top = bottom
            bottom = top + round(self.blockBoundingRect(block).height())
            number += 1
        painter.end()
