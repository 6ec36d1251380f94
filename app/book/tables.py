"""Reading and writing tables: CSV in any delimiter and encoding, and XLSX.

Reading streams rows (a 100k-row file is never held whole); each row
comes with the line number a user sees in a text editor (or the sheet row).
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from vault.atomic import write_atomic

# Quoted fields may hold long text; 10k-column rows must not trip the default limit.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class TableError(Exception):
    """The file itself cannot be read (missing, not a table, unknown encoding)."""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    encoding: str
    delimiter: str
    #: roughly how many data rows there are, for a progress bar (0: unknown)
    estimated_rows: int = 0


def _detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for candidate in ("utf-8", "gb18030"):
        try:
            # A cut in the middle of a multi-byte character at the end is not an error.
            codecs.getincrementaldecoder(candidate)().decode(sample, final=False)
            return candidate
        except UnicodeDecodeError:
            continue
    return "cp1252"


def _detect_delimiter(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def read(path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> Table:
    """Open a CSV or XLSX file for streaming; raises TableError if it cannot be read."""
    if not path.is_file():
        raise TableError(f"{path} does not exist or is not a file.")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    try:
        with open(path, "rb") as raw:
            sample = raw.read(1 << 16)
    except OSError as exc:
        raise TableError(f"{path} cannot be read: {exc.strerror}.") from None
    if b"\0" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TableError(f"{path} is not a text table (it holds binary data).")
    enc = encoding or _detect_encoding(sample)
    try:
        text_sample = sample.decode(enc, errors="ignore")
        handle: IO[str] = open(path, encoding=enc, newline="")  # noqa: SIM115 - streamed below
    except (LookupError, OSError) as exc:
        raise TableError(f"{path} cannot be read as {enc}: {exc}.") from None
    sep = delimiter or _detect_delimiter(text_sample[:20000])
    reader = csv.reader(handle, delimiter=sep)
    try:
        headers = next(reader)
    except StopIteration:
        handle.close()
        raise TableError(f"{path} is empty.") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        handle.close()
        raise TableError(f"{path} cannot be read: {exc}.") from None
    headers = [h.strip() for h in headers]

    def rows() -> Iterator[tuple[int, list[str]]]:
        with handle:
            start = reader.line_num + 1
            try:
                for record in reader:
                    if record and any(cell.strip() for cell in record):
                        yield start, record
                    start = reader.line_num + 1
            except (UnicodeDecodeError, csv.Error) as exc:
                raise TableError(f"{path} line {start}: {exc}.") from None

    lines_in_sample = max(1, sample.count(b"\n"))
    size = path.stat().st_size
    estimate = (
        lines_in_sample - 1 if len(sample) >= size else int(size / (len(sample) / lines_in_sample))
    )
    return Table(headers, rows(), enc, sep, max(0, estimate))


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise TableError(
            f"{path} is not a readable XLSX workbook ({type(exc).__name__})."
        ) from None
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        first = next(values)
    except StopIteration:
        book.close()
        raise TableError(f"{path} has an empty first sheet.") from None
    headers = ["" if v is None else str(v).strip() for v in first]

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, row in enumerate(values, start=2):
                cells = ["" if v is None else str(v) for v in row]
                if any(c.strip() for c in cells):
                    yield number, cells
        finally:
            book.close()

    return Table(headers, rows(), "xlsx", "", max(0, (sheet.max_row or 1) - 1))


def neutralise(cell: object) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection)."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_START) else text


def write(path: Path, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Write CSV (UTF-8 with BOM, so spreadsheets detect it) or XLSX, atomically."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append([neutralise(h) for h in headers])
        for row in rows:
            sheet.append([neutralise(c) for c in row])
        buffer = io.BytesIO()
        book.save(buffer)
        write_atomic(path, buffer.getvalue())
        return
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in headers])
    writer.writerows([neutralise(c) for c in row] for row in rows)
    write_atomic(path, codecs.BOM_UTF8 + out.getvalue().encode("utf-8"))
