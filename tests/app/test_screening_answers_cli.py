"""`strongroom screen` and `sanctions import` on the issue-10 answers: not covered,
cross-asset hits, provenance in the JSON lines, `--fail-on` and `--date`."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.cli.screen_exit import HIT, UNSCREENED
from tests.app.test_cli import PW, strongroom
from tests.app.test_screening_cli import _cli
from tests.app.test_screening_sanctions import OFAC

BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
TRON_OF_XBT = "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq"  # filed by OFAC under XBT
CLEAN_ETH = "0x000000000000000000000000000000000000dEaD"


@pytest.fixture
def made(tmp_path: Path) -> str:
    if not OFAC.is_dir():
        pytest.skip(f"the real OFAC lists are not at {OFAC}")
    path = tmp_path / "cli.vault"
    result = strongroom("init", "--vault", str(path), "--passphrase-stdin", stdin=PW + "\n")
    assert result.returncode == 0, result.stderr
    return str(path)


def _import(mp: pytest.MonkeyPatch, cap: pytest.CaptureFixture[str], vault: str,
            asset: str, *extra: str) -> tuple[int, str]:  # fmt: skip
    code, _lines, err = _cli(
        mp, cap, "sanctions", "import", str(OFAC / f"sanctioned_addresses_{asset}.txt"),
        "--asset", asset, "--vault", vault, "--passphrase-stdin", *extra,
    )  # fmt: skip
    return code, err


def test_screen_with_no_list_says_how_to_import_one(
    made: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, err = _cli(
        monkeypatch, capsys, "screen", "--vault", made, "--offline",
        "--address", f"ethereum:{CLEAN_ETH}", "--passphrase-stdin",
    )  # fmt: skip
    assert code == UNSCREENED != 0 and lines == []
    assert "no sanctions list is imported" in err and "strongroom sanctions import" in err


def test_a_plain_list_needs_its_date(
    made: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _import(monkeypatch, capsys, made, "ETH")
    assert code == 2 and "--date YYYY-MM-DD" in err and "modification time" in err
    code, err = _import(monkeypatch, capsys, made, "ETH", "--date", "2024-09-27")
    assert code == 0, err


def test_not_covered_lines_and_fail_on(
    made: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(monkeypatch, capsys, made, "ETH", "--date", "2024-09-27")[0] == 0
    listed = (OFAC / "sanctioned_addresses_ETH.txt").read_text().split()[0]
    args = ("screen", "--vault", made, "--offline", "--passphrase-stdin")
    code, lines, _err = _cli(monkeypatch, capsys, *args, "--address", f"bitcoin:{BTC}")
    assert code == 0  # no --fail-on: as before
    (line,) = lines
    assert (line["status"], line["level"], line["score"]) == ("not_covered", "unknown", None)
    assert "--asset XBT" in line["error"]
    code, _lines, _err = _cli(
        monkeypatch, capsys, *args, "--address", f"bitcoin:{BTC}", "--fail-on", "high"
    )
    assert code == UNSCREENED
    code, lines, _err = _cli(
        monkeypatch, capsys, *args, "--fail-on", "high",
        "--address", f"ethereum:{CLEAN_ETH}", "--address", f"arbitrum:{listed}",
    )  # fmt: skip
    assert code == HIT
    assert [(x["level"], x["sanctioned"]) for x in lines] == [("none", False), ("severe", True)]
    sha = hashlib.sha256((OFAC / "sanctioned_addresses_ETH.txt").read_bytes()).hexdigest()
    for line in lines:
        (ref,) = line["lists"]
        assert ref["file_name"] == "sanctioned_addresses_ETH.txt" and ref["sha256"] == sha
        assert (ref["list_date"], ref["date_from"]) == ("2024-09-27", "user")
        assert line["source"] == "plain list sanctioned_addresses_ETH.txt (ETH)"
    code, _lines, _err = _cli(
        monkeypatch, capsys, *args, "--fail-on", "high", "--address", f"ethereum:{CLEAN_ETH}"
    )
    assert code == 0


def test_the_tron_address_of_the_xbt_list_is_a_hit(
    made: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(monkeypatch, capsys, made, "XBT", "--date", "2024-09-27")[0] == 0
    code, lines, _err = _cli(
        monkeypatch, capsys, "screen", "--vault", made, "--fail-on", "severe",
        "--address", f"tron:{TRON_OF_XBT}", "--passphrase-stdin",
    )  # fmt: skip
    assert code == HIT
    (line,) = lines
    assert (line["level"], line["sanctioned"], line["listed_under"]) == ("severe", True, ["XBT"])
