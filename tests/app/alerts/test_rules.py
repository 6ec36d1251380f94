"""The rules' YAML: shipped defaults, a file that changes only what it names, and
mistakes named by line and column."""

from __future__ import annotations

import pytest

from app.alerts.rules import RULE_NAMES, RulesError, default_rules, parse


def test_the_shipped_rules_name_every_rule_and_keep_the_issue_s_numbers() -> None:
    rules = default_rules()
    assert set(rules.rules) == set(RULE_NAMES)
    drop = rules.get("inflow_drop")
    assert drop.enabled and drop.number("days") == 7 and drop.number("drop_percent") == 50
    assert rules.get("risk_raised").levels == {"high", "severe"}


def test_a_file_changes_only_what_it_names() -> None:
    rules = parse("version: 1\nrules:\n  inflow_drop:\n    drop_percent: 60\n")
    assert rules.get("inflow_drop").number("drop_percent") == 60
    assert rules.get("inflow_drop").number("days") == 7
    assert rules.get("mass_export") == default_rules().get("mass_export")


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("", 1, 1, "empty"),
        ("version: 2\nrules: {}\n", 1, 10, "version must be 1"),
        ("rules: {}\n", 1, 1, "version is missing"),
        ("version: 1\nrules:\n  inflow_dorp: {}\n", 3, 16, "unknown key 'inflow_dorp'"),
        ("version: 1\nrules:\n  inflow_drop:\n    days: 0\n", 4, 11, "between 1 and 90"),
        ("version: 1\nrules:\n  inflow_drop:\n    days: 2.5\n", 4, 11, "whole number"),
        ("version: 1\nrules:\n  kyc_review:\n    severity: loud\n", 4, 15, "info, warning"),
        ("version: 1\nrules:\n  mass_export:\n    enabled: maybe\n", 4, 14, "true or false"),
        ("version: 1\nrules:\n  risk_raised:\n    levels: [high, hot]\n", 4, 20, "'hot'"),
        ("version: 1\nrules:\n  risk_raised:\n    levels: []\n", 4, 13, "at least one"),
        ("version: 1\nrules:\n  a: [\n", 4, 1, ""),
    ],
)
def test_mistakes_name_their_line_and_column(text: str, line: int, column: int, words: str) -> None:
    with pytest.raises(RulesError) as caught:
        parse(text)
    assert (caught.value.line, caught.value.column) == (line, column), str(caught.value)
    assert words in caught.value.problem


def test_a_billion_laughs_is_refused_not_expanded() -> None:
    laughs = "version: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 10)}]\n" for n in range(8)
    )
    with pytest.raises(RulesError, match="expands to more than"):
        parse(laughs)
