"""Reading, mapping and checking import rows in batches, for big files in a second process.

Parsing the file and checking every row (EIP-55 checksums, bech32,
email and phone rules) needs no vault, and it is about a third of an
import's time. For a big file a reader process does it while the
database worker writes the batch before, so the two run side by side on
two cores. Small files are read inline: starting a process costs more
than it saves.

The reader sends only file contents and checked drafts; it never sees
the vault or its key.
"""

from __future__ import annotations

import contextlib
import pickle
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
BATCH = {"customers": 10_000, "addresses": 20_000}
#: files at least this big are read in a second process
PARALLEL_FROM_BYTES = 1 << 20
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
    ahead: queue.Queue[tuple[Any, ...] | BaseException] = queue.Queue(maxsize=2)
    # Unpickling a batch takes a while and needs the GIL; a thread does it while the
    # database worker is inside SQLite (which runs without the GIL).
    pump = threading.Thread(
        target=_pump, args=(process, ahead, stop), name="import-reader-pipe", daemon=True
    )
    try:
        # A reader that died at once says so below, with its exit code.
        with contextlib.suppress(BrokenPipeError):
            pickle.dump((path, mapping, size), process.stdin)
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
    ahead: queue.Queue[tuple[Any, ...] | BaseException],
    stop: threading.Event,
) -> None:
    while not stop.is_set():
        try:
            item: tuple[Any, ...] | BaseException = _receive(process)
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


def _take(ahead: queue.Queue[tuple[Any, ...] | BaseException]) -> tuple[Any, ...]:
    item = ahead.get()
    if isinstance(item, BaseException):
        raise item
    return item


def _received_batches(ahead: queue.Queue[tuple[Any, ...] | BaseException]) -> Iterator[Batch]:
    while True:
        message = _take(ahead)
        if message[0] == "end":
            return
        yield message[1]


def _receive(process: subprocess.Popen[bytes]) -> tuple[Any, ...]:
    assert process.stdout is not None
    try:
        # Only our own child writes this pipe, with objects of this module.
        message: tuple[Any, ...] = pickle.load(process.stdout)  # noqa: S301
    except (EOFError, pickle.UnpicklingError):
        code = process.wait()
        raise RuntimeError(f"the import reader stopped unexpectedly (exit code {code})") from None
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

    def send(message: tuple[Any, ...]) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    try:
        source = _inline(path, mapping, size)
        send(("head", source.headers, source.estimated_rows))
        for batch in source.batches:
            send(("batch", batch))
        send(("end",))
    except tables.TableError as exc:
        send(("table_error", str(exc)))
    except MappingError as exc:
        send(("mapping_error", str(exc)))
    except Exception as exc:
        # Only the type: a message could quote a cell, and cells may be personal data.
        send(("failed", type(exc).__name__))


if __name__ == "__main__":
    # Through the module's real name, so the batches unpickle as app.book.import_rows types.
    from app.book.import_rows import _read_into as read_into

    path, mapping, size = pickle.load(sys.stdin.buffer)  # noqa: S301
    read_into(path, mapping, size, sys.stdout.buffer)
