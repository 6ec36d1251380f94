"""The policy file: the default parses, errors point at the line and column."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.approvals.policy import PolicyError, default_policy, default_text, parse


def test_default_policy_has_the_documented_tiers() -> None:
    policy = default_policy()
    rules = policy.kinds["withdrawal"]
    assert dict(rules.tier_for(Decimal("9999.99")).need) == {"officer": 1}
    assert dict(rules.tier_for(Decimal("10000")).need) == {"officer": 2}
    assert dict(rules.tier_for(Decimal("250000")).need) == {"officer": 2, "desk_head": 1}
    assert dict(rules.tier_for(None).need) == {"officer": 2, "desk_head": 1}
    assert policy.risk.blocked == {"severe"}
    assert policy.expiry_days == 7


def error_of(text: str) -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        parse(text)
    return caught.value


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("reject: 1", "reject: none", "whole number"),
        (
            "decide: [officer, desk_head]",
            "decide: [officer, boss]",
            "'boss' is not one of the roles",
        ),
        (
            "{below: 250000, need: {officer: 2}}",
            "{below: 5000, need: {officer: 2}}",
            "rising order",
        ),
        ("expiry_days: 7", "expiry_days: soon", "not a number"),
        ("max_age_hours: 24", "max_age_hours: 24\n  colour: red", "unknown key 'colour'"),
        ("blocked: [severe]", "blocked: [awful]", "unknown risk level"),
    ],
)
def test_errors_point_at_the_line(old: str, new: str, message: str) -> None:
    text = default_text().replace(old, new, 1)
    error = error_of(text)
    assert message in error.message
    assert error.line == line_of(text, new.splitlines()[-1].strip())
    assert error.column >= 1


def test_yaml_syntax_errors_have_a_position() -> None:
    error = error_of("version: 1\nroles: [officer\nexpiry_days: 3\n")
    assert error.line >= 2


def test_missing_kind_and_empty_text() -> None:
    text = default_text()
    start = text.index("  onboarding:")
    end = text.index("  risk_override:")
    assert "'onboarding' is missing" in error_of(text[:start] + text[end:]).message
    assert error_of("").line == 1
