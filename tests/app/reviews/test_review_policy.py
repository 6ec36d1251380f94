"""The review policy: the shipped default, and errors that name their line."""

from __future__ import annotations

import pytest

from app.reviews.policy import ReviewPolicyError, default_policy, default_text, parse


def test_the_default_reviews_high_risk_every_year_medium_two_low_three() -> None:
    policy = default_policy()
    assert dict(policy.every_months) == {
        "high": 12, "medium": 24, "low": 36, "prohibited": 12, "unrated": 12,
    }  # fmt: skip
    assert policy.months_for(None) == 12
    assert policy.expiry_notice_days == 30
    assert [q.id for q in policy.checklist][:2] == ["identity", "ownership"]


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("change", "needle", "problem"),
    [
        (("  medium: 2\n", "  medium: 0.3\n"), "medium: 0.3", "whole or half years"),
        (("  low: 3\n", "  low: three\n"), "low: three", "must be a number of years"),
        (("  low: 3\n", ""), "  high: 1", "'low' is missing"),
        (("expiry_notice_days: 30", "expiry_notice_days: 900"), "expiry_notice_days", "0 to 365"),
        (("  - id: ownership", "  - id: identity"), "- id: identity\n", "appears twice"),
        (("version: 1\n", "version: 1\ncolour: red\n"), "colour", "unknown key 'colour'"),
    ],
)
def test_errors_name_the_line_of_the_value(
    change: tuple[str, str], needle: str, problem: str
) -> None:
    text = default_text().replace(*change)
    assert text != default_text()
    with pytest.raises(ReviewPolicyError) as caught:
        parse(text)
    assert problem in caught.value.problem
    wanted = _line_of(text, needle.rstrip("\n"))
    if needle.endswith("\n"):  # the second of two equal lines
        wanted = [n for n, row in enumerate(text.splitlines(), 1) if needle.strip() in row][-1]
    assert caught.value.line == wanted


def test_an_empty_or_unbounded_policy_is_refused_plainly() -> None:
    with pytest.raises(ReviewPolicyError, match="empty"):
        parse("")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, "
        f"*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}]\n"
        for n in range(8)
    )
    with pytest.raises(ReviewPolicyError, match="expands"):
        parse(bomb)
