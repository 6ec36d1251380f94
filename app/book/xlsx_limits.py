"""Limits on what is unpacked from an XLSX workbook, applied below openpyxl.

An XLSX is a zip of XML parts, and deflate packs a run of one byte about a
thousand to one: a 2 MB workbook can hold a 2 GiB cell, which the XML parser
builds as one string (6 GB at peak). `BoundedZip` is the zip openpyxl reads
through. It refuses a part whose unpacked size is over its limit (zipfile
never returns more than the size it declares), and it cuts any text run
between two tags at `TEXT_CUT` bytes: enough that the cell is still longer
than tables.MAX_FIELD, so its row is rejected by name, while no more than that
is ever held. A tag longer than that is refused outright.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import IO, Any, Literal

#: the shared strings table is held whole by openpyxl; worksheets are streamed
SHARED_STRINGS_MAX = 128 * 1024 * 1024
PART_MAX = 1024 * 1024 * 1024


class XlsxLimitError(Exception):
    """The workbook asks for more than the limits allow; the message says what."""


#: the longest tag (element name and attributes) read; real ones are under 1 KiB
TAG_MAX = 64 * 1024


def text_cut(max_field: int) -> int:
    # An entity (up to "&#x10FFFF;", ten bytes) is one character, so a run cut at this
    # many bytes still reads as more than max_field characters.
    return 10 * (max_field + 1)


class BoundedZip(zipfile.ZipFile):
    """A zip whose members open as `_CutStream`s within the size limits."""

    def __init__(self, path: Path, *, text_limit: int) -> None:
        super().__init__(path)
        self._text_limit = text_limit

    def open(
        self, name: str | zipfile.ZipInfo, mode: Literal["r", "w"] = "r", *args: Any, **kwargs: Any
    ) -> IO[bytes]:
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        limit = SHARED_STRINGS_MAX if info.filename.endswith("sharedStrings.xml") else PART_MAX
        if info.file_size > limit:
            raise XlsxLimitError(
                f"its part {info.filename[:80]} unpacks to {info.file_size >> 20:,} MiB, "
                f"over the {limit >> 20:,} MiB an import reads"
            )
        raw = super().open(info, mode, *args, **kwargs)
        if not info.filename.endswith(".xml"):
            return raw
        return _CutStream(raw, self._text_limit)  # type: ignore[return-value]


class _CutStream:
    """An XML part's bytes with each text run cut to `limit` bytes (see the module)."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self._raw = raw
        self._limit = limit
        #: a run no longer than this can be neither a tag nor a text to cut
        self._short = min(TAG_MAX, limit)
        self._long = re.compile(rb"[^<]{%d,}" % (self._short + 1))
        #: inside a tag (after "<", before its ">"), and that tag's bytes so far
        self._in_tag = False
        self._tag = 0
        #: text bytes since the last tag, and whether the rest of that text is dropped
        self._text = 0
        self._dropping = False
        #: the last bytes passed on, to cut cleanly after them
        self._recent = b""

    def read(self, size: int = -1) -> bytes:
        # Never b"" before the end: a reader takes an empty read for the end of the part.
        while chunk := self._raw.read(size):
            if out := self._filter(chunk):
                return out
        return b""

    def _filter(self, chunk: bytes) -> bytes:
        lead = chunk.find(b"<")
        so_far = self._tag if self._in_tag else self._text
        if (
            not self._dropping
            and so_far + (len(chunk) if lead < 0 else lead) <= self._short
            and (len(chunk) <= self._short or self._long.search(chunk) is None)
        ):
            # The usual case: every run is short; only the state at the end is kept.
            self._fast_forward(chunk)
            self._recent = (self._recent + chunk)[-12:]
            return chunk
        return self._cut(chunk)

    def _fast_forward(self, chunk: bytes) -> None:
        last = chunk.rfind(b"<")
        if last >= 0:
            self._in_tag, self._tag, self._text = True, 0, 0
            tail = chunk[last:]
        else:
            tail = chunk
        if self._in_tag:
            close = tail.find(b">")
            if close < 0:
                self._tag += len(tail)
                return
            self._in_tag, self._text = False, len(tail) - close - 1
        else:
            self._text += len(tail)

    def _cut(self, chunk: bytes) -> bytes:
        out: list[bytes] = []
        pos = 0
        while pos < len(chunk):
            if chunk[pos] == 0x3C:  # "<": a tag starts, and the text before it ended
                self._in_tag, self._tag, self._text, self._dropping = True, 0, 0, False
            end = chunk.find(b"<", pos + 1)
            end = len(chunk) if end < 0 else end
            out.append(self._segment(chunk[pos:end]))
            pos = end
        return b"".join(out)

    def _segment(self, part: bytes) -> bytes:
        """A piece of one run: the rest of a tag and the text after it, no "<" inside
        but perhaps at its start."""
        if self._in_tag:
            close = part.find(b">")
            tag_bytes = len(part) if close < 0 else close + 1
            self._tag += tag_bytes
            if self._tag > TAG_MAX:
                raise XlsxLimitError("it holds an XML tag longer than any a sheet needs")
            if close < 0:
                return part
            self._in_tag = False
            return part[:tag_bytes] + self._segment(part[tag_bytes:])
        if self._dropping:
            return b""
        room = self._limit - self._text
        if len(part) <= room:
            self._text += len(part)
            self._recent = (self._recent + part)[-12:]
            return part
        self._dropping = True
        return _clean_cut(part, room, self._recent)

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> _CutStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _clean_cut(part: bytes, at: int, recent: bytes) -> bytes:
    """`part[:at]`, moved on (a few bytes at most) so it splits neither a UTF-8 character
    nor an entity; `recent` is what went out just before `part`."""
    while at < len(part) and 0x80 <= part[at] < 0xC0:
        at += 1
    context = (recent + part[:at])[-12:]
    amp = context.rfind(b"&")
    if amp >= 0 and b";" not in context[amp:]:
        semi = part.find(b";", at, at + 12)
        if semi >= 0:
            at = semi + 1
    return part[:at]
