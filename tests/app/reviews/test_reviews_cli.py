"""`strongroom reviews due|record|policy` end to end, in a real vault."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.reviews.policy import default_text
from tests.app.names.test_names_cli import lines
from tests.app.test_cli import PW, assert_plain_error, strongroom


def test_reviews_from_the_command_line(tmp_path: Path) -> None:
    vault = str(tmp_path / "cli.vault")
    unlock = ("--vault", vault, "--passphrase-stdin")
    assert strongroom("init", *unlock, stdin=PW + "\n").returncode == 0
    customers = tmp_path / "c.csv"
    customers.write_text("External_ID;Name\nC1;Ada Lovelace\nC2;Jane Doe\n", encoding="utf-8-sig")
    imported = strongroom("import", "customers", str(customers), *unlock, stdin=PW + "\n")
    assert imported.returncode == 0, imported.stderr

    none = strongroom("reviews", "due", *unlock, stdin=PW + "\n")
    assert none.returncode == 0, none.stderr
    assert lines(none.stdout) == []  # a new book: nothing is due without a reason

    scan = tmp_path / "passport.pdf"
    scan.write_bytes(b"%PDF-1.7\n" + b"1" * 64)
    expires = (datetime.now(UTC).date() + timedelta(days=10)).isoformat()
    added = strongroom(
        "documents", "add", str(scan), "--customer", "C1", "--type", "passport",
        "--expires", expires, *unlock, stdin=PW + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr

    due = strongroom("reviews", "due", *unlock, stdin=PW + "\n")
    assert due.returncode == 0, due.stderr
    [item] = lines(due.stdout)
    assert item["customer"] == "C1" and item["due_on"] == expires and item["overdue"] is False
    assert item["reasons"] == [
        {
            "kind": "document",
            "due_on": expires,
            "why": f"passport expires on {expires}",
            "document": lines(added.stdout)[0]["id"],
        }
    ]
    ahead = strongroom("reviews", "due", "--within", "400", *unlock, stdin=PW + "\n")
    assert [i["customer"] for i in lines(ahead.stdout)] == ["C1", "C2"]  # first reviews, a year on

    recorded = strongroom(
        "reviews", "record", "--customer", "C1", "--outcome", "New passport requested",
        "--answer", "identity=no", "--answer", "risk=yes", *unlock, stdin=PW + "\n",
    )  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    [review] = lines(recorded.stdout)
    assert review["customer"] == "C1" and review["outcome"] == "New passport requested"
    assert review["answers"]["identity"] == "no"  # type: ignore[index]
    assert "ownership" in review["unanswered"]  # type: ignore[operator]
    assert str(review["signer"]).startswith("0x")
    after = strongroom("reviews", "due", *unlock, stdin=PW + "\n")
    assert lines(after.stdout) == []  # the review covered the expiring passport

    bad = strongroom(
        "reviews", "record", "--customer", "C9", "--outcome", "x", *unlock, stdin=PW + "\n"
    )
    assert "no customer with the external id 'C9'" in assert_plain_error(bad, 1)
    wrong = strongroom(
        "reviews", "record", "--customer", "C1", "--outcome", "x", "--answer", "identity=maybe",
        *unlock, stdin=PW + "\n",
    )  # fmt: skip
    assert wrong.returncode == 2 and "yes, no or n/a" in wrong.stderr  # argparse refuses it

    policy = tmp_path / "policy.yaml"
    policy.write_text(default_text().replace("  high: 1\n", "  high: 0\n"), encoding="utf-8")
    refused = strongroom("reviews", "policy", "set", str(policy), *unlock, stdin=PW + "\n")
    line = next(n for n, t in enumerate(policy.read_text().splitlines(), 1) if "high: 0" in t)
    assert f"policy.yaml:{line}:9: every_years.high: whole or half years" in assert_plain_error(
        refused, 2
    )
    policy.write_text(default_text().replace("  high: 1\n", "  high: 0.5\n"), encoding="utf-8")
    taken = strongroom("reviews", "policy", "set", str(policy), *unlock, stdin=PW + "\n")
    assert taken.returncode == 0, taken.stderr
    assert lines(taken.stdout) == [{"policy": "set", "file": str(policy), "version": 1}]
    shown = strongroom("reviews", "policy", "show", *unlock, stdin=PW + "\n")
    assert "high: 0.5" in shown.stdout
    verified = strongroom("verify", *unlock, stdin=PW + "\n")
    assert verified.returncode == 0, verified.stderr
