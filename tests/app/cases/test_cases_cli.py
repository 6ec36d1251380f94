"""`strongroom cases open|list|add|close|export` end to end, the PDF drawn by Qt."""

from __future__ import annotations

import json
from pathlib import Path

from tests.app.names.test_names_cli import lines
from tests.app.test_cli import PW, assert_plain_error, strongroom


def test_cases_from_the_command_line(tmp_path: Path) -> None:
    vault = str(tmp_path / "cli.vault")
    unlock = ("--vault", vault, "--passphrase-stdin")
    assert strongroom("init", *unlock, stdin=PW + "\n").returncode == 0
    customers = tmp_path / "c.csv"
    customers.write_text("External_ID;Name\nC1;Ada Lovelace\n", encoding="utf-8-sig")
    imported = strongroom("import", "customers", str(customers), *unlock, stdin=PW + "\n")
    assert imported.returncode == 0, imported.stderr

    opened = strongroom(
        "cases", "open", "--customer", "C1", "--title", "Unexplained wealth", *unlock,
        stdin=PW + "\n",
    )  # fmt: skip
    assert opened.returncode == 0, opened.stderr
    [case] = lines(opened.stdout)
    assert case["status"] == "open" and case["customer"] == "C1" and case["number"] == 1
    noted = strongroom(
        "cases", "add", "1", "note", "Source of funds unclear", *unlock, stdin=PW + "\n"
    )
    assert noted.returncode == 0, noted.stderr
    listed = strongroom("cases", "list", "--status", "open", *unlock, stdin=PW + "\n")
    assert [c["id"] for c in lines(listed.stdout)] == [case["id"]]
    assert lines(listed.stdout)[0]["items"] == 1
    closing = strongroom(
        "cases", "close", "1", "--disposition", "no_further_action", "--reason",
        "funds explained by a sale of property", *unlock, stdin=PW + "\n",
    )  # fmt: skip
    assert closing.returncode == 0, closing.stderr
    assert lines(closing.stdout)[0]["status"] == "pending"

    out = tmp_path / "report"
    exported = strongroom("cases", "export", "1", "--to", str(out), *unlock, stdin=PW + "\n")
    assert exported.returncode == 0, exported.stderr
    [written] = lines(exported.stdout)
    pdf = Path(str(written["pdf"])).read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    data = json.loads(Path(str(written["json"])).read_text(encoding="utf-8"))
    assert data["items"][0]["text"] == "Source of funds unclear"
    assert data["closing"]["status"] == "pending"
    assert not list(out.glob(".*"))  # no temporary file left behind

    missing = strongroom("cases", "export", "7", "--to", str(out), *unlock, stdin=PW + "\n")
    assert "There is no case '7'" in assert_plain_error(missing, 1)
