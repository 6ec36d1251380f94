"""How alike two names are, token by token, and why.

Each token of the screened name is paired with the most alike unused token of the
listed name (rapidfuzz's Indel similarity; equal tokens score 100; tokens under five
letters must be equal, so "zhao" never pairs with "zhou"). Pairs under `TOKEN_CUTOFF`
do not count. A token may also pair with two adjacent tokens of the other name
written as one ("linna" and "Lin Na"). The name score is the pairs' similarity
weighted by token length, less a penalty for each listed token left unpaired (a
dropped middle name costs `MISSING_LISTED`) and each screened token left unpaired
(`EXTRA_SCREENED`); when only one token pairs although either name has more,
`ONE_TOKEN` more: a shared first name alone is not a hit. A listed individual's
surname ("LAST, First") must pair: a listed surname token left unpaired costs
`MISSING_SURNAME`, none paired `NO_SURNAME` ("Mohammad Ali" is not "JAFARI,
Mohammad Ali").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Indel

TOKEN_CUTOFF = 75
MISSING_LISTED = 6
MISSING_SURNAME = 10
NO_SURNAME = 25
EXTRA_SCREENED = 10
ONE_TOKEN = 30
SHORT = 5  # tokens shorter than this pair only when equal ("zhao" is not "zhou")
JOINED_CUTOFF = 90  # one word against two written together


@dataclass(frozen=True, slots=True)
class Pairing:
    score: int
    matched: tuple[tuple[str, str, int], ...]  # (screened token, listed token, similarity)


NO_MATCH = Pairing(0, ())


@lru_cache(maxsize=1 << 18)
def similarity(a: str, b: str) -> int:
    """0-100; cached: a book's names share most of their tokens, and so do the list's."""
    if a == b:
        return 100
    if len(a) < SHORT or len(b) < SHORT:
        return 0
    return round(Indel.normalized_similarity(a, b) * 100)


def pair(screened: tuple[str, ...], listed: tuple[str, ...], surnames: int = 0) -> Pairing:
    """Pair the tokens and score the names (0-100); the first `surnames` listed tokens
    are the surname."""
    if not screened or not listed:
        return NO_MATCH
    used: list[int] = []
    done: list[int] = []
    matched: list[tuple[str, str, int]] = []
    # Longest tokens first: they say the most and are the least likely to pair by chance.
    for row in longest_first(screened):
        token = screened[row]
        best, best_at = TOKEN_CUTOFF - 1, -1
        for at, other in enumerate(listed):
            value = similarity(token, other)
            if value > best and at not in used:
                best, best_at = value, at
        if best < 100 and (joined := _two_words(token, listed, used, best)):
            used.extend(joined[0])
            done.append(row)
            matched.append((token, joined[1], joined[2]))
            continue  # paired with two listed words written as one
        if best_at >= 0:
            used.append(best_at)
            done.append(row)
            matched.append((token, listed[best_at], best))
    if not matched:
        return NO_MATCH
    if len(done) < len(screened) and len(used) < len(listed):
        _joined(screened, listed, done, used, matched)
    weight = sum(len(t) for t, _, _ in matched)
    score = sum(s * len(t) for t, _, s in matched) / weight
    missing = len(listed) - len(used)
    if surnames:
        missing_surname = sum(1 for at in range(surnames) if at not in used)
        score -= MISSING_SURNAME * missing_surname
        score -= NO_SURNAME if missing_surname == surnames else 0
        missing -= missing_surname
    score -= MISSING_LISTED * missing
    score -= EXTRA_SCREENED * (len(screened) - len(done))
    if len(matched) == 1 and max(len(screened), len(listed)) > 1 and len(used) == 1:
        score -= ONE_TOKEN
    return Pairing(max(0, round(score)), tuple(matched))


@lru_cache(maxsize=4096)
def longest_first(screened: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(sorted(range(len(screened)), key=lambda i: -len(screened[i])))


def _two_words(
    token: str, listed: tuple[str, ...], used: list[int], better_than: int
) -> tuple[tuple[int, int], str, int] | None:
    """Two adjacent unused listed words that, written as one, are more like `token`
    than any single word ("linna" and "Lin Na")."""
    best: tuple[tuple[int, int], str, int] | None = None
    for at in range(len(listed) - 1):
        if listed[at][:1] != token[:1] or at in used or at + 1 in used:
            continue
        value = similarity(token, listed[at] + listed[at + 1])
        if value >= JOINED_CUTOFF and value > better_than:
            best, better_than = ((at, at + 1), f"{listed[at]} {listed[at + 1]}", value), value
    return best


def _joined(
    screened: tuple[str, ...],
    listed: tuple[str, ...],
    done: list[int],
    used: list[int],
    matched: list[tuple[str, str, int]],
) -> None:
    """Pair what is left where one side writes as one word what the other writes as
    two ("linna" / "Lin Na", "abdulrahman" / "Abdul Rahman")."""
    for row, token in enumerate(screened):
        if row not in done and (joined := _two_words(token, listed, used, 0)):
            done.append(row)
            used.extend(joined[0])
            matched.append((token, joined[1], joined[2]))
    for at, other in enumerate(listed):
        if at in used:
            continue
        for row in range(len(screened) - 1):
            if row in done or row + 1 in done or screened[row][:1] != other[:1]:
                continue
            value = similarity(screened[row] + screened[row + 1], other)
            if value >= JOINED_CUTOFF:
                used.append(at)
                done.extend((row, row + 1))
                matched.append((f"{screened[row]} {screened[row + 1]}", other, value))
                break
