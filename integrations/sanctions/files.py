"""Which kind of list a file is, and reading it from disk or from a zip.

OFAC also publishes the advanced XML zipped; a zip holding one `.xml` file is
read from inside the archive, still as a stream.
"""

from __future__ import annotations

import contextlib
import hashlib
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import IO, Literal

from integrations.sanctions.plain import iter_plain_list
from integrations.sanctions.records import ListedAddress, SanctionsFormatError
from integrations.sanctions.sdn_csv import addresses_of, is_sdn_csv, iter_sdn_csv
from integrations.sanctions.sdn_xml import issue_date_of, iter_sdn_advanced

Kind = Literal["xml", "zip", "plain", "sdn-csv"]
_BOM = b"\xef\xbb\xbf"


def sniff(path: Path) -> Kind:
    """ "zip", "xml" (first non-blank character is `<`), "sdn-csv" (OFAC's legacy
    sdn.csv: an entity number and a quoted name) or "plain"."""
    if zipfile.is_zipfile(path):
        return "zip"
    with open(path, "rb") as handle:
        head = handle.read(4096)
    head = head.removeprefix(_BOM).lstrip()
    if head.startswith(b"<"):
        return "xml"
    return "sdn-csv" if is_sdn_csv(head) else "plain"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def _xml_stream(path: Path, kind: Kind) -> Iterator[IO[bytes]]:
    if kind == "xml":
        with open(path, "rb") as handle:
            yield handle
        return
    with zipfile.ZipFile(path) as archive:
        members = [i for i in archive.infolist() if i.filename.lower().endswith(".xml")]
        if len(members) != 1:
            raise SanctionsFormatError(
                "the archive should hold exactly one .xml file (the SDN advanced XML), "
                f"not {len(members)}"
            )
        with archive.open(members[0]) as handle:
            yield handle


def iter_list(
    path: Path, *, asset: str | None = None, list_date: date | None = None
) -> Iterator[ListedAddress]:
    """The addresses of the list at `path`, whatever its kind.

    The SDN XML names each address's asset, so `asset` must be None for it; a
    plain list needs one. `list_date` dates a plain list (the XML dates itself).
    """
    kind = sniff(path)
    if kind == "plain":
        if asset is None:
            raise SanctionsFormatError(
                "a plain list of addresses: say which asset it lists "
                "(--asset ETH, XBT, TRX, USDT, ...)"
            )
        yield from iter_plain_list(path, asset, list_date=list_date)
        return
    if asset is not None:
        raise SanctionsFormatError(
            f"the SDN {'CSV' if kind == 'sdn-csv' else 'XML'} names each address's asset: "
            "leave out --asset (it is for plain lists)"
        )
    if kind == "sdn-csv":
        yield from addresses_of(list(iter_sdn_csv(path)))
        return
    with _xml_stream(path, kind) as stream:
        yield from iter_sdn_advanced(stream)


def publication_date(path: Path) -> date | None:
    """The date the file says it was published: the SDN XML's `DateOfIssue`; None for
    a plain list, which carries none (its modification time is not that date)."""
    kind = sniff(path)
    if kind in ("plain", "sdn-csv"):
        return None
    with _xml_stream(path, kind) as stream:
        return issue_date_of(stream)
