"""Files a user imports must not exhaust the machine: rejects stream out, cells and lines have
a maximum, binary data and undeclared encodings are refused, messages quote only excerpts.
Memory is measured in a child process (tests/hostile.py)."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from app.book import tables
from app.book.importer import default_mapping, run_import
from app.book.mapping import Mapping, MappingError
from app.book.service import CustomerBook
from tests.app.book.conftest import write
from tests.hostile import run_child, run_cli

PW = "a long enough passphrase"

_IMPORT_IN_CHILD = """
import json
from pathlib import Path
from keyring.backends import fail
from app.book.importer import default_mapping, run_import
from app.book.service import CustomerBook
from vault.keys import Keychain
from vault.unlock import create_vault
made = create_vault(Path({vault!r}), passphrase="correct horse battery",
                    keychain=Keychain(fail.Keyring()))
report = run_import(CustomerBook(made.vault), Path({file!r}), default_mapping({kind!r}),
                    parallel=False, rejects_to=Path({rejects!r}) if {rejects!r} else None)
print(json.dumps([report.counts()["rejected"], report.counts()["added"], len(report.rejects),
                  [r.reason for r in report.rejects[:5]]]))
made.vault.close()
code = 0
"""


def import_in_child(
    tmp: Path, file: Path, kind: str = "addresses", rejects: Path | None = None
) -> tuple[list[Any], float]:
    """[rejected, added, rejects kept, the first reasons], and the child's peak MiB."""
    vault = tmp / f"{file.stem}.vault"
    body = _IMPORT_IN_CHILD.format(
        vault=str(vault), file=str(file), kind=kind, rejects=str(rejects) if rejects else ""
    )
    done = run_child(body, tmp)
    assert done.code == 0, done.stderr[-2000:]
    return list(json.loads(done.stdout)), done.peak_mib


def bad_addresses(path: Path, rows: int) -> Path:
    """Address rows that are all rejected (no customer id), with some bulk per row."""
    with path.open("w") as out:
        out.write("customer_external_id,chain,address,label\n")
        filler = "x" * 200
        for i in range(rows):
            out.write(f",ethereum,0x{i:040x},{filler}{i}\n")
    return path


def test_rejects_stream_out_and_memory_stays_flat(tmp_path: Path) -> None:
    small = bad_addresses(tmp_path / "small.csv", 20_000)
    big = bad_addresses(tmp_path / "big.csv", 300_000)
    (rejected_small, _, kept_small, _), peak_small = import_in_child(tmp_path, small)
    rejects = tmp_path / "rejects.csv"
    (rejected_big, _, kept_big, _), peak_big = import_in_child(tmp_path, big, rejects=rejects)
    assert (rejected_small, rejected_big) == (20_000, 300_000)
    assert kept_small == kept_big == 1000
    # 280k more rejected rows of ~300 bytes each used to be held: ~150 MB more.
    assert peak_big - peak_small < 25, (peak_small, peak_big)
    with rejects.open(encoding="utf-8-sig", newline="") as saved:
        rows = list(csv.reader(saved))
    assert rows[0] == ["line", "reason", "customer_external_id", "chain", "address", "label"]
    assert len(rows) == 300_001 and rows[-1][0] == "300001"
    assert rows[1][1] == "customer_external_id: is empty"
    assert rejects.stat().st_mode & 0o077 == 0


def test_the_cli_prints_a_few_rejects_and_streams_all_to_the_file(tmp_path: Path) -> None:
    vault = tmp_path / "cli.vault"
    made = run_cli("init", "--vault", str(vault), "--passphrase-stdin", tmp=tmp_path, stdin=PW)
    assert made.code == 0, made.stderr
    file = bad_addresses(tmp_path / "bad.csv", 1500)
    rejects = tmp_path / "out" / "rejects.csv"
    rejects.parent.mkdir()
    done = run_cli(
        "import", "addresses", str(file), "--vault", str(vault), "--passphrase-stdin",
        "--no-keychain", "--rejects", str(rejects), tmp=tmp_path, stdin=PW,
    )  # fmt: skip
    assert done.code == 0, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 21 and lines[-1] == "... and 1,480 more rejected rows"
    assert '"rejected": 1500' in done.stdout
    with rejects.open(encoding="utf-8-sig", newline="") as saved:
        assert sum(1 for _ in csv.reader(saved)) == 1501
    assert [p.name for p in rejects.parent.iterdir()] == ["rejects.csv"]  # no temp file left


GOOD = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


def xlsx_with_a_huge_cell(path: Path, size: int) -> Path:
    """A small workbook whose one label cell unpacks to `size` bytes (deflate packs it)."""
    book = Workbook()
    sheet = book.active
    sheet.append(["customer_external_id", "chain", "address", "label"])
    sheet.append(["C1", "ethereum", GOOD, "PLACEHOLDER"])
    sheet.append(["C1", "ethereum", GOOD.lower(), "fine"])
    plain = path.with_suffix(".plain.xlsx")
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if b"PLACEHOLDER" not in data:
                out.writestr(info.filename, data)
                continue
            before, after = data.split(b"PLACEHOLDER")
            with out.open(info.filename, "w", force_zip64=True) as part:
                part.write(before)
                block = b"x" * (1 << 20)
                for _ in range(size >> 20):
                    part.write(block)
                part.write(after)
    return path


def test_a_huge_xlsx_cell_rejects_its_row_without_unpacking_it(tmp_path: Path) -> None:
    file = xlsx_with_a_huge_cell(tmp_path / "huge.xlsx", 256 << 20)
    assert file.stat().st_size < 2 << 20
    (rejected, _, _, reasons), peak = import_in_child(tmp_path, file)
    assert rejected == 2  # the long label, and the good row (no customer C1)
    assert reasons[0] == "label: is longer than 65,536 characters, the most a field holds"
    assert peak < 200, peak


def test_an_xlsx_part_over_its_limit_is_refused(
    tmp_path: Path, book: CustomerBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.book import xlsx_limits

    monkeypatch.setattr(xlsx_limits, "PART_MAX", 1 << 20)
    file = xlsx_with_a_huge_cell(tmp_path / "big.xlsx", 2 << 20)
    with pytest.raises(tables.TableError, match=r"sheet1\.xml unpacks to 2 MiB, over the 1 MiB"):
        run_import(book, file, default_mapping("addresses"))


def test_a_long_csv_field_rejects_its_row_and_the_rest_import(
    book: CustomerBook, tmp_path: Path
) -> None:
    long_name = "N" * (tables.MAX_FIELD + 1)
    text = f"external_id,name\nX1,{long_name}\nX2,Short\n"
    report = run_import(book, write(tmp_path / "c.csv", text), default_mapping("customers"))
    assert report.counts()["added"] == 1 and report.rejected == 1
    assert report.rejects[0].reason == (
        "name: is longer than 65,536 characters, the most a field holds"
    )
    stored = book.vault.conn.execute("SELECT display_name FROM customers").fetchall()
    assert stored == [("Short",)]


def test_a_huge_one_line_file_is_quoted_only_in_excerpt(tmp_path: Path) -> None:
    file = tmp_path / "one-line.csv"
    file.write_text("h" * (10 << 20))
    done = run_cli(
        "import", "customers", str(file), "--vault", str(tmp_path / "v"), tmp=tmp_path
    )  # fmt: skip
    assert done.code == 2
    assert "line 1 is longer than 4,194,304 characters" in done.stderr
    assert len(done.stderr) < 500


def test_headers_are_quoted_in_excerpt(tmp_path: Path) -> None:
    file = tmp_path / "wide-header.csv"
    file.write_text(",".join(["w" * 100_000] * 20) + "\nx\n")
    with pytest.raises(MappingError) as caught:
        run_import(None, file, default_mapping("customers"))  # type: ignore[arg-type]
    assert "(100,000 characters)" in str(caught.value) and len(str(caught.value)) < 400


@pytest.mark.parametrize("at", [10, 200_000])
def test_a_nul_byte_anywhere_is_refused(book: CustomerBook, tmp_path: Path, at: int) -> None:
    rows = "".join(f"X{i},Name {i}\n" for i in range(30_000))
    data = ("external_id,name\n" + rows).encode()
    file = tmp_path / "nul.csv"
    file.write_bytes(data[:at] + b"\0" + data[at:])
    with pytest.raises(tables.TableError, match="not a text table: it holds binary data"):
        run_import(book, file, default_mapping("customers"))


def test_text_not_in_utf8_asks_for_its_encoding(book: CustomerBook, tmp_path: Path) -> None:
    file = tmp_path / "latin.csv"
    file.write_bytes("external_id,name\nX1,Zoë Ångström\n".encode("cp1252"))
    with pytest.raises(tables.TableError) as caught:
        run_import(book, file, default_mapping("customers"))
    assert "line 2 is not valid utf-8 text" in str(caught.value)
    assert "--encoding" in str(caught.value)
    report = run_import(book, file, Mapping("customers", encoding="cp1252"))
    assert report.added == 1
    late = tmp_path / "late.csv"
    rows = "".join(f"L{i},Name {i}\n" for i in range(10_000))
    late.write_bytes(("external_id,name\n" + rows).encode() + "Y1,Zoë\n".encode("cp1252"))
    with pytest.raises(tables.TableError, match="line 10002 is not valid utf-8 text"):
        run_import(book, late, default_mapping("customers"))


def test_the_cli_takes_an_encoding(tmp_path: Path) -> None:
    vault = tmp_path / "enc.vault"
    made = run_cli("init", "--vault", str(vault), "--passphrase-stdin", tmp=tmp_path, stdin=PW)
    assert made.code == 0, made.stderr
    file = tmp_path / "latin.csv"
    file.write_bytes("external_id,name\nX1,Zoë\n".encode("cp1252"))
    args = ["import", "customers", str(file), "--vault", str(vault), "--passphrase-stdin"]
    refused = run_cli(*args, tmp=tmp_path, stdin=PW)
    assert refused.code == 2 and "--encoding" in refused.stderr
    done = run_cli(*args, "--encoding", "cp1252", tmp=tmp_path, stdin=PW)
    assert done.code == 0, done.stderr
    assert '"added": 1' in done.stdout
