"""A rough passphrase strength estimate for the meter under a new-passphrase field.

Pure Python, no Qt, so it is unit tested on its own. It estimates guessing
entropy in bits from the character pool, then takes bits away for what
attackers try first: common passwords, keyboard and alphabet runs, repeats,
and a lone word with digits stuck on. It is a hint for the user, not a
guarantee; the vault itself only enforces the minimum length.
"""

from __future__ import annotations

import itertools
import math
import re
import string
from dataclasses import dataclass

from vault.unlock import MIN_PASSPHRASE

#: Labels by score, weakest first.
LABELS = ("Too short", "Weak", "Fair", "Good", "Strong")

# Bits needed for each score above "Weak". A passphrase of four random
# common words is about 50 bits; six is about 77.
_FAIR_BITS = 40.0
_GOOD_BITS = 60.0
_STRONG_BITS = 80.0

_COMMON_TEXT = """
password passw0rd p@ssword p@ssw0rd 123456 12345678 123456789 1234567890 qwerty
qwertyuiop azerty asdfgh asdfghjkl zxcvbnm iloveyou letmein welcome admin
administrator monkey dragon football baseball sunshine princess master shadow
superman batman trustno1 abc123 111111 000000 changeme secret default login
strongroom bitcoin ethereum crypto wallet compliance
"""
_COMMON = frozenset(_COMMON_TEXT.split())

_RUNS = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "qwertzuiop",
    "azertyuiop",
)


@dataclass(frozen=True)
class Strength:
    """The estimate: a 0..4 score, its label, the bits behind it, and a hint."""

    score: int
    bits: float
    hint: str

    @property
    def label(self) -> str:
        return LABELS[self.score]

    @property
    def acceptable(self) -> bool:
        """Long enough for the vault to accept it (strength is advice only)."""
        return self.score > 0


def _pool_size(text: str) -> int:
    pool = 0
    if any(c in string.ascii_lowercase for c in text):
        pool += 26
    if any(c in string.ascii_uppercase for c in text):
        pool += 26
    if any(c in string.digits for c in text):
        pool += 10
    if any(c in string.punctuation or c == " " for c in text):
        pool += 33
    if any(ord(c) > 127 for c in text):
        pool += 100
    return max(pool, 1)


def _run_length(text: str) -> int:
    """Characters that sit in keyboard or alphabet runs of three or more (either way)."""
    lowered = text.lower()
    covered = [False] * len(lowered)
    for run in _RUNS:
        for seq in (run, run[::-1]):
            following = {a: b for a, b in itertools.pairwise(seq)}
            start = 0
            for end in range(1, len(lowered) + 1):
                if end < len(lowered) and following.get(lowered[end - 1]) == lowered[end]:
                    continue
                if end - start >= 3:
                    covered[start:end] = [True] * (end - start)
                start = end
    return sum(covered)


def _repeat_length(text: str) -> int:
    """Characters repeating the one before them, or a block that repeats ("abcabc")."""
    count = sum(1 for a, b in itertools.pairwise(text) if a == b)
    match = re.fullmatch(r"(.+?)\1+", text)
    if match:
        count = max(count, len(text) - len(match.group(1)))
    return count


def _is_common(text: str) -> bool:
    lowered = text.lower()
    if lowered in _COMMON:
        return True
    # A common word with digits or a symbol tacked on: "password1!", "Welcome2024".
    core = re.sub(r"^[\d\W_]+|[\d\W_]+$", "", lowered)
    return core in _COMMON


def estimate(passphrase: str) -> Strength:
    """Estimate how hard `passphrase` is to guess. Cheap; call it on every keystroke."""
    length = len(passphrase)
    if length < MIN_PASSPHRASE:
        return Strength(0, 0.0, f"use at least {MIN_PASSPHRASE} characters.")
    if _is_common(passphrase):
        return Strength(1, 10.0, "one of the first passphrases an attacker tries.")
    # Characters that add little: runs and repeats count as a quarter each.
    weak = min(length, _run_length(passphrase) + _repeat_length(passphrase))
    effective = (length - weak) + weak / 4
    bits = effective * math.log2(_pool_size(passphrase))
    words = [w for w in re.split(r"[\s\-_.]+", passphrase) if w]
    if len(words) >= 4 and all(len(w) >= 3 for w in words):
        # Several words: judge at least as well as a random pick from a big word list.
        bits = max(bits, len(words) * 11.0)
    if bits >= _STRONG_BITS:
        return Strength(4, bits, "hard to guess.")
    if bits >= _GOOD_BITS:
        return Strength(3, bits, "a few more words make it strong.")
    if bits >= _FAIR_BITS:
        return Strength(2, bits, "add words or length; length helps most.")
    hint = (
        "avoid runs like 'abc' or '123' and repeated characters."
        if weak
        else "try four or more unrelated words."
    )
    return Strength(1, bits, hint)
