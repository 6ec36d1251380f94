from __future__ import annotations

import pytest

from ui.passphrase_strength import LABELS, estimate
from vault.unlock import MIN_PASSPHRASE


def test_shorter_than_the_vault_minimum_is_not_acceptable() -> None:
    strength = estimate("a" * (MIN_PASSPHRASE - 1))
    assert strength.score == 0
    assert not strength.acceptable
    assert str(MIN_PASSPHRASE) in strength.hint


def test_minimum_length_is_acceptable() -> None:
    assert estimate("kX9#mQ2v").acceptable


@pytest.mark.parametrize("common", ["password", "Password1!", "qwertyuiop", "Welcome2024"])
def test_common_passwords_are_weak(common: str) -> None:
    assert estimate(common).score == 1


@pytest.mark.parametrize("patterned", ["abcdefgh12345678", "aaaaaaaaaaaa", "zyxwvuts"])
def test_runs_and_repeats_are_weak(patterned: str) -> None:
    strength = estimate(patterned)
    assert strength.score == 1
    assert "runs" in strength.hint


def test_several_words_are_strong() -> None:
    assert estimate("correct horse battery staple").label == "Strong"


def test_longer_is_never_weaker() -> None:
    base = "kX9#mQ2v"
    assert estimate(base + "Lp4!").bits > estimate(base).bits


def test_labels_match_scores() -> None:
    for text in ["", "short", "password", "kX9#mQ2v", "Tr0ub4dor&3xx", "a b c d e f g h i j"]:
        strength = estimate(text)
        assert strength.label == LABELS[strength.score]
        assert 0 <= strength.score < len(LABELS)
