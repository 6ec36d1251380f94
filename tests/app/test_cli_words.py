"""Options that take one of a fixed set of words: `--help` lists them, a word outside
the set is a usage error (exit 2) that lists them, and the window's words work."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from app.approvals.model import KINDS, OPEN_STATUSES, ROLES, STATUSES
from app.cli.parser import build_parser
from app.cli.words import any_of, spelling
from app.screening.providers import PROVIDERS
from tests.app.test_cli import strongroom

#: Options whose value is the user's own text, not a word from a set. An option that
#: takes a value must have choices, a `type` with `names` (app.cli.words), or be
#: listed here: a new option fails this test until someone decides which it is.
FREE_TEXT = {
    "gui_vault",
    "vault",
    "to",  # a file (CHAIN:ADDR for a withdrawal: typed, so checked before this list)
    "import/encoding",  # any codec Python knows (cp1252, gb18030, ...)
    "source",
    "file",
    "mapping",
    "rejects",
    "reason",
    "filter",
    "customer",
    "limit",
    "acting_as",
    "amount",
    "justification",
    "id",
    "name",
    "date",  # sanctions import --date (a publication date)
    "first",  # dashboard export --from/--until: dates, checked where parsed
    "last",
    "issued",  # documents add --issued/--expires: dates, checked by the parser's date type
    "expires",
    "target",  # desk create --target folder:DIR | webdav:URL | s3:BUCKET, parsed by targets.py
    "desk/invite/member",  # the new member's name
    "desk/join/code",  # the one-time code, checked by its checksum then by the file
    "desk/remove/who",  # a device id or a member's name, matched against the desk's
    "endpoint",
    "alerts/snooze/days",  # a number of days, checked by the snooze itself
    "webhooks/add/url",  # an http(s) URL, checked by the endpoint itself
    # OFAC asset codes (new ones appear with each list) and token symbols: open sets,
    # checked for their form where they are used.
    "asset",
    "sanctions/import/aliases",  # a file (OFAC's alt.csv)
    "names/screen/dob",  # a date, parsed as one
    "names/screen/country",  # an ISO 3166 code, checked where parsed
    "names/dispose/hit",  # a number
    # API keys are stored per provider and per explorer host (trongrid:api.x.io ...).
    "keys/provider",
    "reviews/due/within",  # a number of days, checked by its type
    "reviews/record/outcome",  # what the review concluded
    "reviews/record/answer",  # QUESTION=ANSWER: the answer checked by its type
    "cases/open/title",
    "cases/open/owner",  # a person's name
    "cases/add/ref",  # what a kind links (a hit's id, chain:address, ...), checked per kind
}


def parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from parsers(child, (*path, name))


def fixed_words(action: argparse.Action) -> tuple[str, ...] | None:
    if action.choices is not None:
        return tuple(str(c) for c in action.choices)
    names = getattr(action.type, "names", None)
    return None if names is None else tuple(names)


def help_of(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args([*path, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_help_of_every_command_lists_the_words_of_its_fixed_word_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    checked = 0
    for path, parser in parsers(build_parser()):
        text = help_of(path, capsys)
        assert text.startswith(" ".join(("usage: strongroom", *path)))
        flat = " ".join(text.split())  # help text wraps anywhere
        for action in parser._actions:
            if action.nargs == 0 or isinstance(action, argparse._SubParsersAction):
                continue
            words = fixed_words(action)
            where = f"strongroom {' '.join(path)} {action.option_strings or action.dest}"
            if words is None:
                assert action.dest in FREE_TEXT or f"{'/'.join(path)}/{action.dest}" in (
                    FREE_TEXT
                ), f"{where}: give it choices or a Words type, or list it in FREE_TEXT"
                continue
            missing = [w for w in words if w not in flat]
            assert not missing, f"{where}: --help does not list {missing}"
            checked += 1
    assert checked >= 12


def test_sanctions_import_help_is_its_own() -> None:
    result = strongroom("sanctions", "import", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: strongroom sanctions import")
    assert "--asset" in result.stdout


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["approvals", "list", "--status", "opn"], ["open", "any", "pending", "needs-refresh"]),
        (["approvals", "list", "--kind", "withdraw"], ["withdrawal", "risk-override", "kyc"]),
        (["approvals", "members", "add", "eve", "--role", "boss"], ["officer", "desk-head"]),
        (["approvals", "members", "grant", "eve", "--role", "root"], ["admin", "analyst"]),
        (["screen", "--address", "ethereum:0x1", "--provider", "chainanalysis"], ["trm"]),
        (["screen", "--address", "eth:0x1"], ["ethereum", "bitcoin", "tron"]),
        (["explorer", "--address", "tron:T1", "--explorer-url", "solana=https://x.io"], ["bsc"]),
        (
            [
                *("approvals", "request", "withdrawal", "--customer", "C", "--asset", "USDT"),
                *("--amount", "1", "--to", "doge:D1"),
            ],
            ["ethereum", "polygon"],
        ),
    ],
)
def test_a_word_outside_the_set_is_a_usage_error_that_lists_the_set(
    argv: list[str], words: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args([*argv, "--vault", "v"])
    assert done.value.code == 2
    said = capsys.readouterr().err
    assert "use one of:" in said and all(w in said for w in words), said
    assert "Traceback" not in said


def test_the_real_command_exits_2_before_asking_for_a_vault() -> None:
    result = strongroom("approvals", "list", "--status", "opn", "--vault", "nowhere.vault")
    assert result.returncode == 2
    assert "did you mean open?" in result.stderr and "nowhere" not in result.stderr


def _parsed(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args([*argv, "--vault", "v"])


def test_the_windows_words_map_to_stored_values() -> None:
    args = _parsed("approvals", "list", "--status", "Open", "--kind", "risk_override")
    assert any_of(args.status) == OPEN_STATUSES
    assert any_of(args.kind) == {"risk_override"}
    args = _parsed("approvals", "list", "--status", "Needs refresh", "--status", "expired")
    assert any_of(args.status) == {"needs_refresh", "expired"}
    args = _parsed("approvals", "list", "--status", "pending", "--status", "any", "--kind", "KYC")
    assert any_of(args.status) == frozenset()  # "Any status" wins
    assert any_of(args.kind) == {"onboarding"}
    assert any_of(_parsed("approvals", "list").kind) == frozenset()
    args = _parsed("approvals", "list", "--status", "Any status", "--kind", "Onboarding / KYC")
    assert any_of(args.status) == frozenset() and any_of(args.kind) == {"onboarding"}
    assert any_of(_parsed("approvals", "list", "--kind", "All kinds").kind) == frozenset()
    for status in STATUSES:
        assert any_of(_parsed("approvals", "list", "--status", status).status) == {status}
    for kind in KINDS:
        assert any_of(_parsed("approvals", "list", "--kind", kind).kind) == {kind}
    for role in ROLES:
        assert _parsed("approvals", "members", "grant", "x", "--role", spelling(role)).role == role
    args = _parsed("screen", "--all", "--provider", "Chainalysis-Sanctions")
    assert args.provider == "chainalysis-sanctions" and args.provider in PROVIDERS
    assert _parsed("screen", "--all").provider == "sanctions-list"
    address = "Ethereum:0xAbc"
    assert _parsed("screen", "--address", address).address == [address]  # checked later
