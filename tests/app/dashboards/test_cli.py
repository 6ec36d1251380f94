"""`strongroom demo create` and `strongroom dashboard export`, run as a script would."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.app.test_cli import assert_plain_error, strongroom

PW = "a long enough passphrase"


def test_demo_create_then_export_every_chart(tmp_path: Path) -> None:
    path = tmp_path / "demo.vault"
    made = strongroom("demo", "create", "--vault", str(path), "--passphrase-stdin",
                      "--no-keychain", stdin=PW + "\n")  # fmt: skip
    assert made.returncode == 0, made.stderr
    counts = json.loads(made.stdout.splitlines()[-1])
    assert counts["customers"] == 3000 and counts["requests"] > 20
    assert counts["history"] > 1000 and counts["flow_days"] > 1000 and counts["unscreened"] == 25
    assert "passphrase" not in counts  # the user's own passphrase is never printed
    again = strongroom("demo", "create", "--vault", str(path), "--passphrase-stdin",
                       "--no-keychain", stdin=PW + "\n")  # fmt: skip
    assert_plain_error(again, again.returncode)
    assert again.returncode != 0

    out = tmp_path / "charts"
    export = strongroom("dashboard", "export", "--to", str(out), "--from", "2000-01-01",
                        "--vault", str(path), "--passphrase-stdin", "--no-keychain",
                        stdin=PW + "\n")  # fmt: skip
    assert export.returncode == 0, export.stderr
    last = json.loads(export.stdout.splitlines()[-1])
    assert last["dir"] == str(out)
    assert last["charts"][:2] == ["risk", "approvals"]
    assert "flows-ethereum" in last["charts"]
    for key in last["charts"]:
        assert (out / f"{key}.png").read_bytes()[:4] == b"\x89PNG"
        rows = list(csv.reader((out / f"{key}.csv").open(encoding="utf-8")))
        assert rows[0][0] == "day" and rows[1][0] == "2000-01-01"
    approvals = list(csv.DictReader((out / "approvals.csv").open(encoding="utf-8")))
    assert sum(int(r["requests"]) for r in approvals) == counts["requests"]
    risk = list(csv.DictReader((out / "risk.csv").open(encoding="utf-8")))
    linked = counts["addresses"] + counts["conflicts"] + counts["unscreened"]
    assert sum(int(v) for k, v in risk[-1].items() if k != "day") == linked - 25

    wrong = strongroom("dashboard", "export", "--to", str(out), "--from", "2026-05-01",
                       "--until", "2026-04-01", "--vault", str(path), "--passphrase-stdin",
                       "--no-keychain", stdin=PW + "\n")  # fmt: skip
    assert "--from is after --until" in assert_plain_error(wrong, 1)
