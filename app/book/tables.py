"""Reading and writing tables: CSV in any delimiter and encoding, and XLSX.

Reading streams rows (a 100k-row file is never held whole); each row
comes with the line number a user sees in a text editor (or the sheet row).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from app.book.xlsx_limits import BoundedZip, XlsxLimitError, text_cut
from app.excerpt import excerpt
from vault.atomic import write_atomic

#: the most a field (a cell) may hold, in characters: a longer one rejects its row
MAX_FIELD = 64 * 1024
#: the most a CSV line, or one quoted field spanning lines, may hold: past this the
#: file is refused at that line (a longer row cannot be read without holding it whole)
MAX_LINE = 4 * 1024 * 1024
# Quoted fields may hold long text and 10k-column rows are fine, up to MAX_LINE.
csv.field_size_limit(MAX_LINE)

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


def _detect_encoding(path: Path, sample: bytes) -> str:
    """UTF-8 (or UTF-16 with its BOM); any other encoding must be named: bytes that are
    not UTF-8 are valid in many single-byte encodings, and a guess stores garbled text."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # A cut in the middle of a multi-byte character at the end is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError as exc:
        line = sample[: exc.start].count(b"\n") + 1
        raise TableError(_not_in_encoding(path, line, "utf-8")) from None
    return "utf-8"


def _not_in_encoding(path: Path, line: int, encoding: str) -> str:
    return (
        f"{path} line {line} is not valid {encoding} text. Give the file's encoding "
        "(for example cp1252 or gb18030) with --encoding, in the mapping's 'encoding:', "
        "or in the import window."
    )


def _bad_line(path: Path, encoding: str) -> int:
    """The line of the first byte not valid in `encoding` (text is decoded a block ahead
    of the line being read, so the reader's own line count is not it)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with open(path, "rb") as raw:
        while block := raw.read(1 << 20):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                return line + block[: exc.start].count(b"\n")
            line += block.count(b"\n")
    return line


def _binary(path: Path, line: int | None = None) -> str:
    where = "" if line is None else f" (line {line} holds a NUL byte)"
    return f"{path} is not a text table: it holds binary data{where}."


def _lines(handle: IO[str], path: Path) -> Iterator[str]:
    """The file's lines for the CSV reader, each checked: never longer than MAX_LINE
    (so no line is held whole past it) and never holding a NUL."""
    number = 0
    while True:
        line = handle.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE:
            raise TableError(
                f"{path} line {number} is longer than {MAX_LINE:,} characters; "
                "no import row can be that long."
            )
        if "\0" in line:
            raise TableError(_binary(path, number))
        yield line


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
        raise TableError(_binary(path))
    enc = encoding or _detect_encoding(path, sample)
    try:
        text_sample = sample.decode(enc, errors="ignore")
        handle: IO[str] = open(path, encoding=enc, newline="")  # noqa: SIM115 - streamed below
    except LookupError:
        raise TableError(f"'{excerpt(enc)}' is not an encoding Python knows.") from None
    except OSError as exc:
        raise TableError(f"{path} cannot be read: {exc.strerror}.") from None
    sep = delimiter or _detect_delimiter(text_sample[:20000])
    reader = csv.reader(_lines(handle, path), delimiter=sep)
    try:
        headers = next(reader)
    except StopIteration:
        handle.close()
        raise TableError(f"{path} is empty.") from None
    except UnicodeDecodeError:
        handle.close()
        raise TableError(_not_in_encoding(path, 1, enc)) from None
    except TableError:
        handle.close()
        raise
    except csv.Error as exc:
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
            except UnicodeDecodeError:
                raise TableError(_not_in_encoding(path, _bad_line(path, enc), enc)) from None
            except csv.Error as exc:
                raise TableError(f"{path} line {start}: {exc}.") from None

    lines_in_sample = max(1, sample.count(b"\n"))
    size = path.stat().st_size
    estimate = (
        lines_in_sample - 1 if len(sample) >= size else int(size / (len(sample) / lines_in_sample))
    )
    return Table(headers, rows(), enc, sep, max(0, estimate))


def _open_workbook(path: Path) -> Any:
    """openpyxl's read-only workbook, reading its zip through BoundedZip."""
    from openpyxl.reader.excel import ExcelReader

    reader = ExcelReader(path, read_only=True, data_only=True)
    reader.archive.close()
    reader.archive = BoundedZip(path, text_limit=text_cut(MAX_FIELD))
    reader.valid_files = reader.archive.namelist()
    reader.read()
    return reader.wb


def _read_xlsx(path: Path) -> Table:
    try:
        book = _open_workbook(path)
    except XlsxLimitError as exc:
        raise TableError(f"{path} cannot be imported: {exc}.") from None
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
    except XlsxLimitError as exc:
        book.close()
        raise TableError(f"{path} cannot be imported: {exc}.") from None
    headers = ["" if v is None else str(v).strip() for v in first]

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, row in enumerate(values, start=2):
                cells = ["" if v is None else str(v) for v in row]
                if any(c.strip() for c in cells):
                    yield number, cells
        except XlsxLimitError as exc:
            raise TableError(f"{path} cannot be imported: {exc}.") from None
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
