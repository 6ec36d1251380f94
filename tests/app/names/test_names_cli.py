"""`strongroom sanctions import sdn.csv`, `names screen|dispose|hits` end to end."""

from __future__ import annotations

import json
from pathlib import Path

from tests.app.names.test_names_screening import ALT_ROWS, SDN_ROWS, write_csv
from tests.app.test_cli import PW, assert_plain_error, strongroom


def lines(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_names_from_the_command_line(tmp_path: Path) -> None:
    vault = str(tmp_path / "cli.vault")
    unlock = ("--vault", vault, "--passphrase-stdin")
    assert (
        strongroom("init", "--vault", vault, "--passphrase-stdin", stdin=PW + "\n").returncode == 0
    )
    sdn = write_csv(tmp_path / "sdn.csv", SDN_ROWS)
    alt = write_csv(tmp_path / "alt.csv", ALT_ROWS)
    imported = strongroom(
        "sanctions", "import", str(sdn), "--aliases", str(alt), "--date", "2024-05-03",
        *unlock, stdin=PW + "\n",
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    assert lines(imported.stdout)[-1]["parties"] == 3
    assert lines(imported.stdout)[-1]["names"]["screened"] == 0  # the book is screened

    customers = tmp_path / "c.csv"
    customers.write_text(
        "External_ID;Name\nC1;Mohammed Gorbanian\nC2;Jane Doe\n", encoding="utf-8-sig"
    )
    added = strongroom("import", "customers", str(customers), *unlock, stdin=PW + "\n")
    assert added.returncode == 0, added.stderr

    screened = strongroom("names", "screen", "--all", "--fail-on-hit", *unlock, stdin=PW + "\n")
    assert screened.returncode == 1, screened.stderr
    *hits, summary = lines(screened.stdout)
    assert summary == {"screened": 2, "names": 2, "hits": 1, "new": 1, "suppressed": 0}
    hit = hits[0]
    assert {k: hit[k] for k in ("customer", "name", "entry", "program", "listed_name")} == {
        "customer": "C1",
        "name": "Mohammed Gorbanian",
        "entry": "26138",
        "program": "CYBER2",
        "listed_name": "GORBANIAN, Mohammed",  # the alias from alt.csv
    }
    assert isinstance(hit["why"], dict) and hit["why"]["matched_on"] == "alias"

    one = strongroom("names", "screen", "--customer", "C2", *unlock, stdin=PW + "\n")
    assert one.returncode == 0 and lines(one.stdout) == [
        {"screened": 1, "names": 1, "hits": 0, "new": 0, "suppressed": 0}
    ]
    typed = strongroom(
        "names", "screen", "--name", "Banco Nacional de Cuba", "--kind", "entity",
        *unlock, stdin=PW + "\n",
    )  # fmt: skip
    assert typed.returncode == 0, typed.stderr
    assert [h["entry"] for h in lines(typed.stdout)[:-1]] == ["306"]

    disposed = strongroom(
        "names", "dispose", str(hit["id"]), "false-positive", "--reason", "another man",
        *unlock, stdin=PW + "\n",
    )  # fmt: skip
    assert disposed.returncode == 0, disposed.stderr
    assert lines(disposed.stdout)[-1]["status"] == "false-positive"
    still = strongroom("names", "hits", "--open", *unlock, stdin=PW + "\n")
    assert still.returncode == 0 and still.stdout.strip() == ""
    every = strongroom("names", "hits", *unlock, stdin=PW + "\n")
    assert [h["reason"] for h in lines(every.stdout)] == ["another man"]
    again = strongroom("names", "screen", "--all", "--fail-on-hit", *unlock, stdin=PW + "\n")
    assert again.returncode == 0
    assert lines(again.stdout)[-1]["suppressed"] == 1

    missing = strongroom(
        "names", "dispose", "999", "true-match", "--reason", "x", *unlock, stdin=PW + "\n"
    )
    assert "There is no name hit 999" in assert_plain_error(missing, 2)
