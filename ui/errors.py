"""Turning exceptions from background work into text and message boxes.

A `VaultError` carries a message written for the user, so it is shown as
is; so do the book's input errors (`USER_ERRORS`) and file errors.
Anything else is a bug: the user gets a short apology and the traceback
goes to stderr. With --debug every traceback goes to stderr.
All functions here run on the GUI thread.
"""

from __future__ import annotations

import sys
import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app.addresses import AddressError
from app.approvals.model import ApprovalError
from app.approvals.policy import PolicyError
from app.book.mapping import MappingError
from app.book.models import ValidationError
from app.book.tables import TableError
from app.cases.model import CaseError
from app.reviews.policy import ReviewPolicyError
from app.reviews.service import ReviewError
from app.screening.sanctions import SanctionsImportError
from app.sync.desk import SyncError
from app.tasks import Cancelled
from vault.errors import VaultError

#: Errors about the user's input or files: their message is for the user, not a bug.
USER_ERRORS = (
    ValidationError,
    MappingError,
    TableError,
    AddressError,
    SanctionsImportError,
    ApprovalError,
    PolicyError,
    SyncError,
    ReviewError,
    ReviewPolicyError,
    CaseError,
)


def field_label(field: str) -> str:
    """'kyc_status' -> 'KYC status', for messages that name a field."""
    text = field.replace("_", " ").strip().capitalize()
    return text.replace("Kyc", "KYC").replace(" id", " ID")


def describe(error: BaseException) -> str:
    """One or two sentences for the user; never a traceback, never a secret."""
    if isinstance(error, VaultError):
        return error.message
    if isinstance(error, ValidationError):
        return f"{field_label(error.field)}: {error.reason}"
    if isinstance(error, USER_ERRORS):
        return str(error)
    if isinstance(error, OSError) and error.strerror:
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror}."
    if isinstance(error, Cancelled):
        return "Cancelled."
    return (
        f"Something unexpected went wrong ({type(error).__name__}). Nothing was changed "
        "by the step that failed. Details were written to the error output; please report them."
    )


def log(error: BaseException, *, debug: bool) -> None:
    """Print the traceback to stderr: always for bugs, for vault errors only with debug."""
    if isinstance(error, Cancelled):
        return
    if debug or not isinstance(error, (VaultError, OSError, *USER_ERRORS)):
        traceback.print_exception(error, file=sys.stderr)


def show_error(
    parent: QWidget | None, title: str, error: BaseException, *, debug: bool
) -> QMessageBox:
    """A window-modal message box with `describe(error)`; does not block the caller."""
    log(error, debug=debug)
    return show_message(parent, title, describe(error), icon=QMessageBox.Icon.Warning)


def show_message(
    parent: QWidget | None,
    title: str,
    text: str,
    *,
    icon: QMessageBox.Icon = QMessageBox.Icon.Information,
) -> QMessageBox:
    """Open a message box without blocking (it deletes itself when closed)."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.open()
    return box
