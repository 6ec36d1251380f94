"""Reading, mapping and checking import rows in batches, for big files in a second process.

Parsing the file and checking every row (EIP-55 checksums, bech32,
email and phone rules) needs no vault, and it is about a third of an
import's time. For a big file a reader process does it while the
database worker writes the batch before, so the two run side by side on
two cores. Small files are read inline: starting a process costs more
than it saves.

The reader sends only file contents and checked drafts; it never sees
the vault or its key. What crosses the pipe is data only (length-prefixed
JSON), never pickle: a reader subverted by a hostile file could otherwise
run code in the process that holds the vault key.
"""

from __future__ import annotations

import contextlib
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
from typing import IO, Any, BinaryIO

from app.addresses import AddressError, normalize
from app.book import tables
from app.book.mapping import Mapping, MappingError
from app.book.models import AddressDraft, CustomerDraft, ValidationError
from app.excerpt import excerpt

#: rows per batch (and per transaction): an address row is several times cheaper to
#: write than a customer row, and bigger batches rewrite shared index pages less often
BATCH = {"customers": 10_000, "addresses": 20_000}
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


@dataclass(frozen=True)
class Batch:
    kind: str
    #: (line, cells, the checked item's fields): plain tuples, as they cross a pipe several
    #: times faster than dataclasses. Addresses: (customer external id, chain, address,
    #: label, evidence); customers: CustomerDraft's fields in order.
    packed: list[tuple[int, list[str], tuple[Any, ...]]]
    rejects: list[Reject]
    #: data rows read so far, this batch included
    read: int

    def rows(self) -> Iterator[tuple[int, list[str], Item]]:
        make: Callable[[tuple[Any, ...]], Item] = (
            _unpack_address if self.kind == "addresses" else _unpack_customer
        )
        for line, cells, fields in self.packed:
            yield line, cells, make(fields)


def _pack(item: CustomerDraft) -> tuple[Any, ...]:
    return tuple(vars(item).values())


def _unpack_address(fields: tuple[Any, ...]) -> AddressRow:
    return AddressRow(fields[0], AddressDraft(*fields[1:]))


def _unpack_customer(fields: tuple[Any, ...]) -> Item:
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
    """Checks one row's fields; returns them packed (see `Batch.packed`)."""
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


def _inline(path: Path, mapping: Mapping, size: int) -> Source:
    table = tables.read(path, encoding=mapping.encoding, delimiter=mapping.delimiter)
    columns = list(mapping.resolve(table.headers).items())
    check = _within_limit(_checker(mapping.kind))
    external_id = _external_id(mapping.kind)

    def batches() -> Iterator[Batch]:
        rows: list[tuple[int, list[str], tuple[Any, ...]]] = []
        rejects: list[Reject] = []
        read = 0
        for line, cells in table.rows:
            read += 1
            width = len(cells)
            fields = {name: cells[i] if i < width else "" for name, i in columns}
            try:
                rows.append((line, cells, check(fields)))
            except ValidationError as exc:
                rejects.append(reject_for(line, cells, exc, external_id=external_id(fields)))
            if len(rows) + len(rejects) >= size:
                yield Batch(mapping.kind, rows, rejects, read)
                rows, rejects = [], []
        if rows or rejects:
            yield Batch(mapping.kind, rows, rejects, read)

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
        target=_pump, args=(process, ahead, stop), name="import-reader-pipe", daemon=True
    )
    try:
        # A reader that died at once says so below, with its exit code.
        with contextlib.suppress(BrokenPipeError):
            job = [str(path), mapping.kind, mapping.columns, mapping.encoding, mapping.delimiter]
            _send(process.stdin, [*job, size])
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
    ahead: queue.Queue[list[Any] | BaseException],
    stop: threading.Event,
) -> None:
    while not stop.is_set():
        try:
            item: list[Any] | BaseException = _receive(process)
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
        yield _batch_from(message)


def _receive(process: subprocess.Popen[bytes]) -> list[Any]:
    assert process.stdout is not None
    try:
        message = _read_message(process.stdout)
    except EOFError:
        code = process.wait()
        raise RuntimeError(f"the import reader stopped unexpectedly (exit code {code})") from None
    except ValueError:
        raise RuntimeError("the import reader sent something that is not an import row") from None
    kind = message[0]
    if kind == "table_error":
        raise tables.TableError(message[1])
    if kind == "mapping_error":
        raise MappingError(message[1])
    if kind == "failed":
        raise RuntimeError(f"the import reader failed ({message[1]})")
    return message


def _read_into(path: Path, mapping: Mapping, size: int, out: BinaryIO) -> None:
    """The reader process: header first, then batches, then "end" (or an error)."""

    try:
        source = _inline(path, mapping, size)
        _send(out, ["head", source.headers, source.estimated_rows])
        for batch in source.batches:
            rejects = [[r.line, r.reason, r.cells, r.external_id, r.reason_without_values]
                       for r in batch.rejects]  # fmt: skip
            _send(out, ["batch", batch.kind, batch.packed, rejects, batch.read])
        _send(out, ["end"])
    except tables.TableError as exc:
        _send(out, ["table_error", str(exc)])
    except MappingError as exc:
        _send(out, ["mapping_error", str(exc)])
    except Exception as exc:
        # Only the type: a message could quote a cell, and cells may be personal data.
        _send(out, ["failed", type(exc).__name__])


def _send(out: IO[bytes], message: list[Any]) -> None:
    data = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    out.write(len(data).to_bytes(8, "big"))
    out.write(data)
    out.flush()


def _read_message(stream: IO[bytes]) -> list[Any]:
    """One message; EOFError at the end, ValueError for anything but a JSON list."""
    head = stream.read(8)
    if len(head) < 8:
        raise EOFError
    length = int.from_bytes(head, "big")
    if length > MAX_MESSAGE:
        raise ValueError("message too long")
    data = stream.read(length)
    if len(data) < length:
        raise EOFError
    message = json.loads(data)
    if not isinstance(message, list) or not message or not isinstance(message[0], str):
        raise ValueError("not a message")
    return message


def _batch_from(message: list[Any]) -> Batch:
    """A batch as it crossed the pipe: JSON lists where the tuples were."""
    _, kind, packed, rejects, read = message
    if kind == "customers":
        # emails, phones and tags are tuples in a CustomerDraft
        packed = [
            (line, cells, tuple(tuple(f) if isinstance(f, list) else f for f in fields))
            for line, cells, fields in packed
        ]
    return Batch(kind, packed, [Reject(*r) for r in rejects], int(read))


if __name__ == "__main__":
    path, kind, columns, encoding, delimiter, size = _read_message(sys.stdin.buffer)
    _read_into(Path(path), Mapping(kind, columns, encoding, delimiter), size, sys.stdout.buffer)
