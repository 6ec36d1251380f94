"""`strongroom documents add|list|get` as a script runs them: real processes, a real vault,
and a temp folder of their own, searched afterwards for any clear trace."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.app.test_cli import PW, assert_plain_error, strongroom

MARKER = b"MARKER-id-card-of-Kim-Q-55b1e0"


def _run(vault: Path, *args: str, tmp: Path) -> tuple[int, list[dict[str, object]], str]:
    # TMPDIR and SQLITE_TMPDIR: any temp file Python or SQLite makes lands where we look.
    env = {"TMPDIR": str(tmp), "SQLITE_TMPDIR": str(tmp)}
    result = strongroom(
        *args, "--vault", str(vault), "--passphrase-stdin", stdin=PW + "\n", env=env
    )
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    return result.returncode, lines, result.stderr


def test_add_list_get_through_the_command_line(tmp_path: Path) -> None:
    vault, tmp = tmp_path / "v" / "cli.vault", tmp_path / "tmp"
    vault.parent.mkdir()
    tmp.mkdir()
    assert _run(vault, "init", tmp=tmp)[0] == 0
    people = tmp_path / "people.csv"
    people.write_text("external_id,name\nK1,Kim Q\n")
    assert _run(vault, "import", "customers", str(people), tmp=tmp)[0] == 0
    scan = tmp_path / "id.jpg"
    scan.write_bytes(b"\xff\xd8\xff\xe0" + (MARKER + os.urandom(40)) * 40_000)  # ~2.8 MB

    code, out, err = _run(
        vault,
        *("documents", "add", str(scan), "--customer", "K1", "--type", "id_card"),
        *("--issued", "2020-02-03", "--expires", "2020-02-02"),
        tmp=tmp,
    )
    assert code == 1 and "expires before" in err
    code, out, err = _run(
        vault,
        *("documents", "add", str(scan), "--customer", "K1", "--type", "id_card"),
        *("--expires", "2099-01-01"),
        tmp=tmp,
    )
    assert code == 0, err
    doc_id = str(out[-1]["id"])
    assert out[-1]["media_type"] == "image/jpeg"

    code, out, err = _run(vault, "documents", "list", "--customer", "K1", tmp=tmp)
    assert code == 0, err
    [listed] = out
    assert listed["id"] == doc_id and listed["type"] == "id_card"
    assert listed["expired"] is False and listed["expiring"] is False
    assert listed["expires_on"] == "2099-01-01" and listed["file_name"] == "id.jpg"

    copy = tmp_path / "copy.jpg"
    code, out, err = _run(vault, "documents", "get", doc_id, "--to", str(copy), tmp=tmp)
    assert code == 0, err
    assert copy.read_bytes() == scan.read_bytes()
    assert out[-1]["id"] == doc_id

    # No clear trace in the vault's own files or in any temp file.
    for folder in (vault.parent, tmp):
        for path in (p for p in folder.rglob("*") if p.is_file()):
            assert MARKER not in path.read_bytes(), path

    code, _, err = _run(vault, "documents", "get", doc_id, "--to", str(copy), tmp=tmp)
    assert code == 2 and "already exists" in err
    huge = tmp_path / "huge.pdf"
    huge.write_bytes(b"%PDF-1.7\n")
    os.truncate(huge, 2 * 1024**3)
    result = strongroom(
        *("documents", "add", str(huge), "--customer", "K1", "--type", "passport"),
        *("--vault", str(vault), "--passphrase-stdin"),
        stdin=PW + "\n",
    )
    said = assert_plain_error(result, 1)
    assert "2.0 GB" in said and "25.0 MB" in said
    code, _, err = _run(vault, "documents", "list", "--customer", "NOBODY", tmp=tmp)
    assert code == 1 and "NOBODY" in err
