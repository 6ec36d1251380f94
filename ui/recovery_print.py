"""Printing the recovery key, or saving it as a PDF where the user chooses.

The PDF is rendered into a private (0600) temporary file in the chosen
folder, flushed, then moved over the chosen name (STYLE.md point 6), so no
copy of the key is ever left in a shared temp folder. GUI thread only:
QPrinter and QTextDocument must live there; the page is tiny.
"""

from __future__ import annotations

import contextlib
import html
import os
import tempfile
from datetime import datetime
from pathlib import Path

from PySide6.QtGui import QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget


def recovery_html(*, recovery_key: str, vault_path: Path) -> str:
    when = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return f"""
<h1>Strongroom recovery key</h1>
<p>Vault: {html.escape(str(vault_path))}<br>Printed: {html.escape(when)}</p>
<p style="font-family: monospace; font-size: 20pt; font-weight: bold; margin: 24px 0;">
{html.escape(recovery_key)}</p>
<p>This key opens the vault if the passphrase is forgotten and the OS keychain entry
is lost. Anyone holding it and a copy of the vault file can read everything in it.</p>
<ul>
<li>Keep this sheet offline, somewhere locked (a safe, a sealed envelope).</li>
<li>Do not photograph it, e-mail it or store it beside the vault file.</li>
<li>Destroy old copies once the key is replaced.</li>
</ul>
"""


def _document(recovery_key: str, vault_path: Path) -> QTextDocument:
    doc = QTextDocument()
    doc.setHtml(recovery_html(recovery_key=recovery_key, vault_path=vault_path))
    return doc


def write_recovery_pdf(target: Path, *, recovery_key: str, vault_path: Path) -> None:
    """Write the recovery sheet to `target` as a PDF (private permissions, atomic)."""
    target = target.expanduser().absolute()
    fd, tmp_name = tempfile.mkstemp(prefix=".strongroom-", suffix=".pdf", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setOutputFileName(str(tmp))
        _document(recovery_key, vault_path).print_(printer)
        del printer  # closes the PDF file
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def save_recovery_pdf(parent: QWidget, *, recovery_key: str, vault_path: Path) -> Path | None:
    """Ask where to save, then write the PDF there; None if the user cancelled."""
    name, _ = QFileDialog.getSaveFileName(
        parent,
        "Save the recovery key as PDF",
        str(Path.home() / "strongroom-recovery-key.pdf"),
        "PDF files (*.pdf)",
    )
    if not name:
        return None
    target = Path(name)
    if target.suffix.lower() != ".pdf":
        target = target.with_name(target.name + ".pdf")
    write_recovery_pdf(target, recovery_key=recovery_key, vault_path=vault_path)
    return target


def print_recovery_key(parent: QWidget, *, recovery_key: str, vault_path: Path) -> bool:
    """Show the print dialog and print the sheet; False if the user cancelled."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print the recovery key")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    _document(recovery_key, vault_path).print_(printer)
    return True
