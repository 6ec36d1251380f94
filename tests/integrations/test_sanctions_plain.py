"""Plain per-asset lists (one address per line), on the real OFAC snapshot in shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from integrations.sanctions import (
    ListedAddress,
    SanctionsFormatError,
    asset_code,
    asset_from_name,
    iter_list,
    iter_plain_lines,
    iter_plain_list,
    sniff,
)

OFAC = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ofac"


@pytest.fixture
def ofac() -> Path:
    if not OFAC.is_dir():
        pytest.skip(f"the real OFAC lists are not at {OFAC}")
    return OFAC


def test_real_lists_are_read_line_by_line(ofac: Path) -> None:
    for path in sorted(ofac.glob("sanctioned_addresses_*.txt")):
        asset = asset_from_name(path)
        assert asset is not None
        lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
        found = list(iter_plain_list(path, asset))
        assert [f.address for f in found] == lines
        assert {f.asset for f in found} == {asset}
        assert all(f.party is None and f.entry_id is None for f in found)


def test_sizes_of_the_snapshot(ofac: Path) -> None:
    sizes = {
        asset_from_name(p): len(list(iter_plain_list(p, asset_from_name(p) or "")))
        for p in ofac.glob("*.txt")
    }
    assert sizes["XBT"] == 435 and sizes["ETH"] == 152 and sizes["USDT"] == 26
    assert sizes["TRX"] == 6 and sizes["XMR"] == 3


def test_comments_blank_lines_and_whitespace() -> None:
    lines = [
        "# OFAC SDN, extracted 2024-09-27\n",
        "\n",
        "   \n",
        "  0xabc  \n",
        "0xdef # second one\n",
        "0x123\tfrom the remarks\n",
        "#0x999 commented out\n",
    ]
    found = list(iter_plain_lines(lines, "eth"))
    assert found == [
        ListedAddress("ETH", "0xabc"),
        ListedAddress("ETH", "0xdef"),
        ListedAddress("ETH", "0x123"),
    ]


def test_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_bytes(b"\xef\xbb\xbf0xabc\r\n0xdef\r\n")
    assert [f.address for f in iter_plain_list(path, "ETH")] == ["0xabc", "0xdef"]
    assert sniff(path) == "plain"


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_bytes(b"0xabc\n\xff\xfe\x00garbage\n")
    with pytest.raises(SanctionsFormatError, match="not a UTF-8 text list"):
        list(iter_plain_list(path, "ETH"))


def test_a_plain_list_needs_an_asset(tmp_path: Path) -> None:
    path = tmp_path / "wallets.txt"
    path.write_text("0xabc\n")
    with pytest.raises(SanctionsFormatError, match="say which asset"):
        list(iter_list(path))
    assert [f.asset for f in iter_list(path, asset="usdt")] == ["USDT"]


@pytest.mark.parametrize(
    ("name", "asset"),
    [
        ("sanctioned_addresses_XBT.txt", "XBT"),
        ("sanctioned_addresses_usdt.TXT", "USDT"),
        ("my_wallets.txt", None),
        ("sanctioned_addresses_.txt", None),
    ],
)
def test_asset_from_name(name: str, asset: str | None) -> None:
    assert asset_from_name(Path(name)) == asset


@pytest.mark.parametrize("bad", ["", "E", "ETH USDT", "ET-H", "X" * 13])
def test_asset_codes_are_checked(bad: str) -> None:
    with pytest.raises(SanctionsFormatError):
        asset_code(bad)


def test_sniff_kinds(tmp_path: Path) -> None:
    xml = tmp_path / "a.xml"
    xml.write_bytes(b"\xef\xbb\xbf  \n<?xml version='1.0'?><Sanctions/>")
    assert sniff(xml) == "xml"
