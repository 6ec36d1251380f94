"""Rejected import rows streamed to a file as the import finds them.

An import of a file whose every row is bad must not hold those rows: each
batch's rejects are written out and dropped, so memory stays flat whatever
the file holds. The file is built beside its target (0600 from the start)
and replaces it only when the import finishes; a failed import leaves no
half file. Cells a spreadsheet would run as formulas are neutralised.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from app.book.import_rows import Reject
from app.book.tables import neutralise
from vault.atomic import fsync_dir, storage_error


class RejectsFile:
    """Runs where the import runs (the database worker or the CLI's thread)."""

    def __init__(self, path: Path, headers: list[str]) -> None:
        self.path = path
        self.written = 0
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        except OSError as exc:
            raise storage_error(exc, path) from None
        self._tmp = Path(tmp)
        self._xlsx = path.suffix.lower() == ".xlsx"
        first = ["line", "reason", *headers]
        self._book: Any = None
        self._handle: IO[str] | None = None
        if self._xlsx:
            os.close(fd)
            from openpyxl import Workbook

            self._book = Workbook(write_only=True)
            self._sheet = self._book.create_sheet()
            self._sheet.append([neutralise(h) for h in first])
        else:
            self._handle = open(fd, "w", encoding="utf-8", newline="")  # noqa: SIM115 - kept open
            self._handle.write(codecs.BOM_UTF8.decode("utf-8"))
            self._writer = csv.writer(self._handle)
            self._writer.writerow([neutralise(h) for h in first])

    def add(self, rows: Iterable[Reject]) -> None:
        try:
            for row in rows:
                cells = [row.line, row.reason, *(neutralise(c) for c in row.cells)]
                if self._xlsx:
                    self._sheet.append(cells)
                else:
                    self._writer.writerow(cells)
                self.written += 1
        except OSError as exc:
            raise storage_error(exc, self.path) from None

    def finish(self) -> None:
        """Make the file appear at its path, whole."""
        try:
            if self._handle is not None:
                self._handle.flush()
                os.fsync(self._handle.fileno())
                self._handle.close()
            else:
                self._book.save(self._tmp)
                with open(self._tmp, "rb") as saved:
                    os.fsync(saved.fileno())
            os.replace(self._tmp, self.path)
            fsync_dir(self.path.parent)
        except OSError as exc:
            self.discard()
            raise storage_error(exc, self.path) from None

    def discard(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
        with contextlib.suppress(OSError):
            self._tmp.unlink()
