"""The XLSX part reader cuts over-long text runs only, at any read size, and stays valid XML."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest

from app.book.xlsx_limits import TAG_MAX, XlsxLimitError, _CutStream


def _through(data: bytes, limit: int, size: int) -> bytes:
    stream = _CutStream(io.BytesIO(data), limit)  # type: ignore[arg-type]
    parts = []
    while part := stream.read(size):
        parts.append(part)
    return b"".join(parts)


@pytest.mark.parametrize("size", [1, 7, 64, 4096, -1])
def test_short_runs_pass_unchanged(size: int) -> None:
    cells = "".join(
        f'<c r="A{i}" t="inlineStr"><is><t>Zoë &amp; {i} &gt; 3</t></is></c>' for i in range(300)
    )
    data = f'<?xml version="1.0"?><sheetData>{cells}</sheetData>'.encode()
    assert _through(data, 1000, size) == data


@pytest.mark.parametrize("size", [1, 13, 4096, -1])
@pytest.mark.parametrize("unit", ["x", "é", "&amp;", "&#x10FFFF;", "漢"])
def test_a_long_run_is_cut_cleanly_and_stays_longer_than_the_field(size: int, unit: str) -> None:
    limit = 10 * (100 + 1)
    long_text = unit * 5000
    data = f"<r><t>{long_text}</t><t>after</t></r>".encode()
    out = _through(data, limit, size)
    root = ET.fromstring(out)  # noqa: S314 - our own test data
    texts = [t.text or "" for t in root]
    assert 100 < len(texts[0]) < len(long_text.replace("&amp;", "&")) and texts[1] == "after"


def test_a_huge_tag_is_refused() -> None:
    data = b"<r " + b'a="' + b"x" * (TAG_MAX + 10) + b'"/>'
    with pytest.raises(XlsxLimitError):
        _through(data, 10_000, 4096)
