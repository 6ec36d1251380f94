"""Reading, mapping and checking import rows in batches, for big files in a second process.

Parsing the file and checking every row (EIP-55 checksums, bech32,
email and phone rules) needs no vault, and it is about a third of an
import's time. For a big file a reader process does it while the
database worker writes the batch before, so the two run side by side on
two cores. Small files are read inline: starting a process costs more
than it saves.

The reader sends only file contents and checked drafts; it never sees
the vault or its key. What crosses the pipe is data only: one JSON document
per line, both ways, so nothing the reader sends can make the writer run
code (unlike pickle). A batch travels as columns, and the cells of its
checked rows as one JSON text that is decoded only when a row is rejected
later (its customer missing): decoding every row's cells cost the writer
more than the rest of the batch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from app.addresses import AddressError, normalize
from app.book import tables
from app.book.mapping import Mapping, MappingError
from app.book.models import AddressDraft, CustomerDraft, ValidationError
from app.excerpt import excerpt

#: rows per batch (and per transaction): an address row is several times cheaper to
#: write than a customer row, and bigger batches rewrite shared index pages less often
#: (each commit writes every index page its rows touched, and random keys touch most:
#: 50k rows a batch took a fifth less CPU than 20k on a 100k import)
BATCH = {"customers": 10_000, "addresses": 50_000}
#: rows in the reader process's first batch (then twice as many each time, up to BATCH)
FIRST_BATCH = 4_000
#: files at least this big are read in a second process
PARALLEL_FROM_BYTES = 1 << 20
#: the largest message the parent accepts from the reader (a batch of long rows)
MAX_MESSAGE = 1 << 31
#: a value quoted in a reason ("'XX' is not an ISO ...", "invalid characters: ','")
_QUOTED = re.compile(r":?\s*'[^']*'")


@dataclass(frozen=True)
class Reject:
    line: int
    reason: str
    cells: list[str]
    #: a customer row's external id, so an address import can say why it is missing
    external_id: str | None = None
    #: the reason without any value quoted from the row (for messages about another file)
    reason_without_values: str = ""


@dataclass(frozen=True)
class AddressRow:
    """An address row whose address is valid; its customer is found in the vault."""

    customer_external_id: str
    draft: AddressDraft


Item = CustomerDraft | AddressRow


class RowCells:
    """The cells of a batch's checked rows, by position: a list, or the JSON text of one
    from the reader process, decoded on first use."""

    def __init__(self, cells: list[list[str]] | None = None, *, text: str = "[]") -> None:
        self._cells = cells
        self._text = text

    def __getitem__(self, index: int) -> list[str]:
        if self._cells is None:
            self._cells = json.loads(self._text)
        return self._cells[index]

    def text(self) -> str:
        return self._text if self._cells is None else _dumps(self._cells)


@dataclass(frozen=True)
class Batch:
    kind: str
    #: each checked row's line and its fields, by position: plain tuples, as they cross
    #: a pipe several times faster than dataclasses. Addresses: (customer external id,
    #: chain, address, label, evidence); customers: CustomerDraft's fields in order.
    lines: list[int]
    fields: list[tuple[Any, ...]]
    #: the checked rows' cells as read (needed only if a row is rejected later)
    cells: RowCells
    rejects: list[Reject]
    #: data rows read so far, this batch included
    read: int
    #: addresses: the checked rows' positions in (chain, address) order, as the unique
    #: index is, worked out by the reader so the writer need not sort (None: not given)
    order: list[int] | None = None

    def rows(self) -> Iterator[tuple[int, list[str], Item]]:
        make: Callable[[tuple[Any, ...]], Item] = (
            _unpack_address if self.kind == "addresses" else _unpack_customer
        )
        for n, (line, fields) in enumerate(zip(self.lines, self.fields, strict=True)):
            yield line, self.cells[n], make(fields)


def _pack(item: CustomerDraft) -> tuple[Any, ...]:
    return tuple(vars(item).values())


def _unpack_address(fields: tuple[Any, ...]) -> AddressRow:
    return AddressRow(fields[0], AddressDraft(*fields[1:]))


#: CustomerDraft's tuple fields (emails, phones, tags), which JSON carries as lists
_TUPLE_FIELDS = tuple(
    i
    for i, f in enumerate(dataclasses.fields(CustomerDraft))
    if f.name in ("emails", "phones", "tags")
)
#: how many fields a checked row packs, per kind
_WIDTH = {"addresses": 5, "customers": len(dataclasses.fields(CustomerDraft))}


def _unpack_customer(fields: tuple[Any, ...]) -> Item:
    if _TUPLE_FIELDS and not isinstance(fields[_TUPLE_FIELDS[0]], tuple):
        listed = list(fields)
        for i in _TUPLE_FIELDS:
            listed[i] = tuple(listed[i])
        fields = tuple(listed)
    return CustomerDraft(*fields)


@dataclass(frozen=True)
class Source:
    headers: list[str]
    estimated_rows: int
    batches: Iterator[Batch]


def reject_for(
    line: int, cells: list[str], exc: ValidationError, *, external_id: str | None = None
) -> Reject:
    # Reasons quote a bad value between '...' (a country "'+4930 12'"): dropped from the
    # copy that may be shown for another file, where the value was never on screen.
    bare = _QUOTED.sub("", exc.reason).strip() or "not valid"
    # At most a short excerpt of any value quoted: a reason is printed and shown.
    said = excerpt(f"{exc.field}: {exc.reason}", 300)
    return Reject(line, said, cells, external_id, excerpt(f"{exc.field}: {bare}", 300))


def check_address(fields: dict[str, str]) -> AddressRow:
    return _unpack_address(_checked_address(fields))


def _checked_address(fields: dict[str, str]) -> tuple[Any, ...]:
    """`check_address` as the packed tuple a batch carries, with no objects built."""
    external = fields.get("customer_external_id", "").strip()
    if not external:
        raise ValidationError("customer_external_id", "is empty")
    chain = fields.get("chain", "").strip().lower()
    if not chain:
        raise ValidationError("chain", "is empty")
    try:
        address = normalize(chain, fields.get("address", ""))
    except AddressError as exc:
        raise ValidationError("address", exc.reason) from None
    # Stripped here, in the reader process, so the writer has less to do.
    label = (fields.get("label") or "").strip() or None
    evidence = (fields.get("evidence") or "").strip() or None
    return (external, chain, address, label, evidence)


def _checker(kind: str) -> Callable[[dict[str, str]], tuple[Any, ...]]:
    """Checks one row's fields; returns them packed (see `Batch.fields`)."""
    if kind == "addresses":
        return _checked_address
    # Imported here: phonenumbers and email-validator take a while to load, and an
    # address import's reader process has no use for them.
    from app.book import validate

    return lambda fields: _pack(validate.customer(fields))


def _no_external_id(fields: dict[str, str]) -> str | None:
    return None


def _external_id(kind: str) -> Callable[[dict[str, str]], str | None]:
    """How a row's external id is read, as the customer would have been stored."""
    if kind == "addresses":
        return _no_external_id
    from app.book import validate

    return validate.external_id


def _within_limit(check: Callable[[dict[str, str]], Any]) -> Callable[[dict[str, str]], Any]:
    """`check`, after refusing a field longer than tables.MAX_FIELD (the row is rejected)."""

    def checked(fields: dict[str, str]) -> Any:
        if max(map(len, fields.values()), default=0) > tables.MAX_FIELD:
            name = next(n for n, v in fields.items() if len(v) > tables.MAX_FIELD)
            raise ValidationError(
                name, f"is longer than {tables.MAX_FIELD:,} characters, the most a field holds"
            )
        return check(fields)

    return checked


def _inline(
    path: Path, mapping: Mapping, size: int, *, first: int | None = None, in_order: bool = False
) -> Source:
    """`first`: the first batch's size; each next one is twice as big, up to `size`.
    `in_order`: give each address batch its `order` (the reader process does)."""
    in_order = in_order and mapping.kind == "addresses"
    table = tables.read(path, encoding=mapping.encoding, delimiter=mapping.delimiter)
    columns = list(mapping.resolve(table.headers).items())
    check = _within_limit(_checker(mapping.kind))
    external_id = _external_id(mapping.kind)

    def batches() -> Iterator[Batch]:
        lines: list[int] = []
        checked: list[tuple[Any, ...]] = []
        kept: list[list[str]] = []
        rejects: list[Reject] = []
        read = 0
        want = min(size, first or size)
        for line, cells in table.rows:
            read += 1
            width = len(cells)
            fields = {name: cells[i] if i < width else "" for name, i in columns}
            try:
                checked.append(check(fields))
            except ValidationError as exc:
                rejects.append(reject_for(line, cells, exc, external_id=external_id(fields)))
            else:
                lines.append(line)
                kept.append(cells)
            if len(checked) + len(rejects) >= want:
                yield Batch(
                    mapping.kind, lines, checked, RowCells(kept), rejects, read, ordered(checked)
                )
                lines, checked, kept, rejects = [], [], [], []
                want = min(size, 2 * want)
        if checked or rejects:
            yield Batch(
                mapping.kind, lines, checked, RowCells(kept), rejects, read, ordered(checked)
            )

    def ordered(checked: list[tuple[Any, ...]]) -> list[int] | None:
        if not in_order:
            return None
        # Stable: of two equal rows the first in the file stays first.
        return sorted(range(len(checked)), key=lambda n: (checked[n][1], checked[n][2]))

    return Source(table.headers, table.estimated_rows, batches())


@contextmanager
def open_rows(
    path: Path, mapping: Mapping, *, size: int | None = None, parallel: bool | None = None
) -> Iterator[Source]:
    """The file's checked rows in batches of `size`; raises TableError/MappingError for
    the file itself. `parallel` None: a second process for files of a megabyte or more."""
    size = size or BATCH[mapping.kind]
    if parallel is None:
        try:
            parallel = path.stat().st_size >= PARALLEL_FROM_BYTES
        except OSError:
            parallel = False
    if not parallel:
        source = _inline(path, mapping, size)
        try:
            yield source
        finally:
            source.batches.close()  # type: ignore[attr-defined]
        return
    with _reader_process(path, mapping, size) as source:
        yield source


@contextmanager
def _reader_process(path: Path, mapping: Mapping, size: int) -> Iterator[Source]:
    # A fresh interpreter rather than multiprocessing: fork is unsafe in a process with
    # threads (Qt, the network pool), and spawn would re-run the caller's __main__.
    # Its stderr is dropped: a traceback could quote a cell, and cells may be personal.
    process = subprocess.Popen(
        [sys.executable, "-m", "app.book.import_rows"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdin is not None and process.stdout is not None
    stop = threading.Event()
    ahead: queue.Queue[list[Any] | BaseException] = queue.Queue(maxsize=2)
    # Decoding a batch takes a while and needs the GIL; a thread does it while the
    # database worker is inside SQLite (which runs without the GIL).
    pump = threading.Thread(
        target=_pump,
        args=(process, mapping.kind, ahead, stop),
        name="import-reader-pipe",
        daemon=True,
    )
    try:
        # A reader that died at once says so below, with its exit code.
        with contextlib.suppress(BrokenPipeError):
            process.stdin.write(_line([str(path), dataclasses.asdict(mapping), size]))
            process.stdin.close()
        pump.start()
        head = _take(ahead)
        yield Source(head[1], head[2], _received_batches(ahead))
    finally:
        stop.set()
        if process.poll() is None:
            process.kill()
        process.wait()
        if pump.is_alive():
            pump.join(timeout=5)
        process.stdout.close()


def _pump(
    process: subprocess.Popen[bytes],
    kind: str,
    ahead: queue.Queue[list[Any] | BaseException],
    stop: threading.Event,
) -> None:
    while not stop.is_set():
        try:
            item: list[Any] | BaseException = _receive(process, kind)
        except Exception as exc:
            item = exc
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.2)
                break
            except queue.Full:
                continue
        if isinstance(item, BaseException) or item[0] == "end":
            return


def _take(ahead: queue.Queue[list[Any] | BaseException]) -> list[Any]:
    item = ahead.get()
    if isinstance(item, BaseException):
        raise item
    return item


def _received_batches(ahead: queue.Queue[list[Any] | BaseException]) -> Iterator[Batch]:
    while True:
        message = _take(ahead)
        if message[0] == "end":
            return
        yield message[1]


def _receive(process: subprocess.Popen[bytes], kind: str) -> list[Any]:
    """The reader's next message; a batch arrives as ["batch", Batch]."""
    assert process.stdout is not None
    text = process.stdout.readline(MAX_MESSAGE)
    if len(text) >= MAX_MESSAGE and not text.endswith(b"\n"):
        raise RuntimeError("the import reader sent a message over 2 GiB; try again")
    if not text.endswith(b"\n"):
        code = process.wait()
        raise RuntimeError(f"the import reader stopped unexpectedly (exit code {code})")
    try:
        message = json.loads(text.decode("utf-8", "surrogatepass"))
        tag = message[0]
        if tag == "batch":
            return ["batch", _batch_from_wire(kind, message)]
        if tag == "head" and isinstance(message[1], list) and isinstance(message[2], int):
            return [tag, [str(h) for h in message[1]], message[2]]
        if tag == "end":
            return message  # type: ignore[no-any-return]
        if tag in ("table_error", "mapping_error", "failed"):
            reason = str(message[1])
        else:
            raise ValueError(tag)
    except (ValueError, TypeError, IndexError, KeyError):
        raise RuntimeError("the import reader sent something unreadable; try again") from None
    if tag == "table_error":
        raise tables.TableError(reason)
    if tag == "mapping_error":
        raise MappingError(reason)
    raise RuntimeError(f"the import reader failed ({reason})")


def _batch_to_wire(batch: Batch) -> list[Any]:
    """["batch", rows read, lines, one list per field, the rows' cells as JSON text,
    rejects as lists, order]: columns, so the writer decodes a few long lists of plain
    values."""
    columns = [list(column) for column in zip(*batch.fields, strict=True)] if batch.fields else []
    return [
        "batch",
        batch.read,
        batch.lines,
        columns,
        batch.cells.text(),
        [
            [r.line, r.reason, r.cells, r.external_id, r.reason_without_values]
            for r in batch.rejects
        ],
        batch.order,
    ]


def _batch_from_wire(kind: str, message: list[Any]) -> Batch:
    _, read, lines, columns, cells, rejects, order = message
    width = _WIDTH[kind]
    if columns:
        if len(columns) != width or any(len(c) != len(lines) for c in columns):
            raise ValueError("columns")
        rows = list(zip(*columns, strict=True))
    elif lines:
        raise ValueError("columns")
    else:
        rows = []
    if not isinstance(read, int) or not isinstance(cells, str):
        raise TypeError("batch")
    if not all(type(n) is int for n in lines):
        raise TypeError("lines")
    found = [
        Reject(int(n), str(why), [str(c) for c in row], ext and str(ext), str(bare))
        for n, why, row, ext, bare in rejects
    ]
    if order is not None and sorted(order) != list(range(len(rows))):
        raise ValueError("order")
    return Batch(kind, lines, rows, RowCells(text=cells), found, read, order)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _line(value: object) -> bytes:
    # surrogatepass: a file name (or a cell) decoded with surrogate escapes still crosses.
    return (_dumps(value) + "\n").encode("utf-8", "surrogatepass")


def _read_into(path: Path, mapping: Mapping, size: int, out: BinaryIO) -> None:
    """The reader process: header first, then batches, then "end" (or an error)."""

    def send(message: list[Any]) -> None:
        out.write(_line(message))
        out.flush()

    try:
        # Small batches first: the writer waits only for the first one, and then for
        # none, as the reader checks rows faster than the writer stores them.
        source = _inline(path, mapping, size, first=FIRST_BATCH, in_order=True)
        send(["head", source.headers, source.estimated_rows])
        for batch in source.batches:
            send(_batch_to_wire(batch))
        send(["end"])
    except tables.TableError as exc:
        send(["table_error", str(exc)])
    except MappingError as exc:
        send(["mapping_error", str(exc)])
    except Exception as exc:
        # Only the type: a message could quote a cell, and cells may be personal data.
        send(["failed", type(exc).__name__])


def _main() -> None:
    raw, mapping, size = json.loads(sys.stdin.buffer.readline().decode("utf-8", "surrogatepass"))
    _read_into(Path(raw), Mapping(**mapping), int(size), sys.stdout.buffer)


if __name__ == "__main__":
    _main()
