"""Files a user imports must not exhaust the machine: rejects stream out, cells and lines have
a maximum, binary data and undeclared encodings are refused, messages quote only excerpts.
Memory is measured in a child process (tests/hostile.py)."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.hostile import run_child, run_cli

PW = "a long enough passphrase"

_IMPORT_IN_CHILD = """
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
print(report.counts()["rejected"], report.counts()["added"], len(report.rejects))
made.vault.close()
code = 0
"""


def import_in_child(
    tmp: Path, file: Path, kind: str = "addresses", rejects: Path | None = None
) -> tuple[list[int], float]:
    vault = tmp / f"{file.stem}.vault"
    body = _IMPORT_IN_CHILD.format(
        vault=str(vault), file=str(file), kind=kind, rejects=str(rejects) if rejects else ""
    )
    done = run_child(body, tmp)
    assert done.code == 0, done.stderr[-2000:]
    return [int(n) for n in done.stdout.split()], done.peak_mib


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
    (rejected_small, _, kept_small), peak_small = import_in_child(tmp_path, small)
    rejects = tmp_path / "rejects.csv"
    (rejected_big, _, kept_big), peak_big = import_in_child(tmp_path, big, rejects=rejects)
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
