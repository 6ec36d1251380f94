"""`strongroom prices import` and `prices list`, run as a script would (real processes)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.app.test_cli import PW, made, strongroom

__all__ = ["made"]  # the fixture, shared with the other CLI tests


def _run(*args: str) -> tuple[int, str, str]:
    result = strongroom(*args, "--passphrase-stdin", stdin=PW + "\n")
    return result.returncode, result.stdout, result.stderr


def test_import_then_list(made: Path, tmp_path: Path) -> None:
    prices = tmp_path / "prices.csv"
    prices.write_text(
        "asset,price,currency,as_of\n"
        "BTC,100000,USD,2026-01-01T10:00:00Z\n"
        "BTC,101000,USD,2026-01-02T10:00:00Z\n"
        "ETH,3000.25,USD,2026-01-02\n"
    )
    code, out, err = _run("prices", "import", str(prices), "--vault", str(made))
    assert code == 0, err
    assert json.loads(out.splitlines()[-1]) == {
        "file": "prices.csv",
        "source": "csv:prices.csv",
        "added": 3,
        "changed": 0,
        "unchanged": 0,
        "requests_changed": 0,
    }
    code, out, err = _run("prices", "list", "--vault", str(made))
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(x["asset"], x["price"], x["as_of"]) for x in lines] == [
        ("BTC", "101000", "2026-01-02T10:00:00+00:00"),
        ("ETH", "3000.25", "2026-01-02T00:00:00+00:00"),
    ]
    assert {"currency", "source", "imported_at", "age_hours"} <= set(lines[0])
    assert lines[0]["age_hours"] > 24
    code, out, _ = _run("prices", "list", "--all", "--vault", str(made))
    assert code == 0 and len(out.splitlines()) == 3


def test_a_bad_file_names_its_lines(made: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("asset,price,currency,as_of\nBTC,-1,USD,2026-01-01\nETH,1,USD,yesterday\n")
    code, out, err = _run("prices", "import", str(bad), "--vault", str(made))
    assert code == 1 and out == ""
    assert "Traceback" not in err
    assert "line 2: price '-1' must be a number above 0" in err
    assert "line 3: 'yesterday' is not an ISO date" in err
    code, out, err = _run("prices", "import", str(tmp_path / "none.csv"), "--vault", str(made))
    assert code == 2 and "cannot read" in err and "none.csv" in err
    code, out, _ = _run("prices", "list", "--vault", str(made))
    assert code == 0 and out == ""
