"""`strongroom alerts ...` as a script runs it: real processes over a real vault."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.app.test_cli import PW, assert_plain_error, made, strongroom

__all__ = ["made"]  # the fixture: a new vault made with `strongroom init`

LISTED = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"


def _run(vault: Path, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    result = strongroom(*args, "--vault", str(vault), "--passphrase-stdin", stdin=PW + "\n")
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    return result.returncode, lines, result.stderr


def test_run_list_ack_and_the_rules_from_the_command_line(made: Path, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("external_id,name\nC1,Coin One\nC2,Coin Two\n")
    assert _run(made, "import", "customers", str(people))[0] == 0
    addresses = tmp_path / "a.csv"
    addresses.write_text(
        f"customer_external_id,chain,address\nC1,ethereum,{LISTED}\n"
        "C2,ethereum,0x0000000000000000000000000000000000000077\n"
    )
    assert _run(made, "import", "addresses", str(addresses))[0] == 0
    listed = tmp_path / "sanctioned_addresses_ETH.txt"
    listed.write_text(LISTED + "\n")
    code, _, err = _run(made, "sanctions", "import", str(listed), "--date", "2026-01-02")
    assert code == 0, err

    code, out, err = _run(made, "alerts", "run")
    assert code == 0, err
    *raised, summary = out
    assert summary == {"raised": 1, "cleared": 0, "live": 1}
    [alert] = raised
    assert alert["rule"] == "sanctions_hit" and alert["severity"] == "critical"
    assert alert["subject"]["customer"] == "C1"
    assert alert["subject"]["address"].lower() == f"ethereum:{LISTED}"
    assert "2026-01-02" in alert["why"]
    assert set(alert) == {"id", "rule", "severity", "subject", "why", "values"}
    assert _run(made, "alerts", "run")[1] == [{"raised": 0, "cleared": 0, "live": 1}]

    code, out, err = _run(made, "alerts", "list", "--status", "open")
    assert code == 0 and [a["id"] for a in out] == [alert["id"]]
    code, out, err = _run(made, "alerts", "ack", alert["id"], "--reason", "Screened manually")
    assert code == 0, err
    assert out[-1]["status"] == "acknowledged"
    assert out[-1]["acknowledged"]["reason"] == "Screened manually"
    assert _run(made, "alerts", "list", "--status", "open")[1] == []
    assert [a["id"] for a in _run(made, "alerts", "list", "--status", "acknowledged")[1]] == [
        alert["id"]
    ]
    again = strongroom("alerts", "ack", alert["id"], "--reason", "x", "--vault", str(made),
                       "--passphrase-stdin", stdin=PW + "\n")  # fmt: skip
    assert "acknowledged already" in assert_plain_error(again, 1)


def test_rules_show_and_set_name_the_line_and_column_of_a_mistake(
    made: Path, tmp_path: Path
) -> None:
    shown = strongroom("alerts", "rules", "show", "--vault", str(made), "--passphrase-stdin",
                       stdin=PW + "\n")  # fmt: skip
    assert shown.returncode == 0 and "inflow_drop:" in shown.stdout
    bad = tmp_path / "rules.yaml"
    bad.write_text("version: 1\nrules:\n  approvals_pending:\n    hours: 0\n")
    result = strongroom("alerts", "rules", "set", str(bad), "--vault", str(made),
                        "--passphrase-stdin", stdin=PW + "\n")  # fmt: skip
    error = assert_plain_error(result, 1)
    assert "line 4, column 12" in error and "approvals_pending.hours" in error
    good = tmp_path / "good.yaml"
    good.write_text("version: 1\nrules:\n  mass_export:\n    enabled: false\n")
    code, out, err = _run(made, "alerts", "rules", "set", str(good))
    assert code == 0, err
    assert "mass_export" not in out[-1]["enabled"] and "inflow_drop" in out[-1]["enabled"]
