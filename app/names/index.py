"""The listed names in memory, indexed so that a name is compared only with the few
listed names it could match.

Blocking: every token of a listed name is filed under four keys, the token, its
first four letters, its last four and its first two with its last two (tokens of
five letters or more), so a typo in a token still finds it; two adjacent tokens
are also filed written as one ("Yun Xia" under "yunxia"). A name of several
tokens is compared with the listed names that share a key with at least two of its
tokens, that share a rare key (`RARE`) with any, and with the one-token listed
names that share a key with any; a one-token name with every listed name sharing
a key. Scoring (`scoring.pair`) then decides.

Immutable once built: screening may run on any thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations, pairwise

from rapidfuzz.fuzz import token_set_ratio

from app.names.normalise import birth_years, country_code, tokens
from app.names.scoring import pair
from vault.screening.parties import PartyRow

TOKEN_CACHE = 200_000  # tokens whose candidate sets are kept
RARE = 10  # a key filed under at most this many names finds them on its own
ROUGH_CUTOFF = 60  # rapidfuzz token_set_ratio under which no pairing can be a hit
HIT_SCORE = 88  # a name scoring this much, after date of birth and nationality, is a hit
DOB_MATCH, DOB_DIFFERS = 5, -15
NATIONALITY_MATCH, NATIONALITY_DIFFERS = 3, -4
# Which listed kinds a customer kind is screened against: an individual is not a vessel.
SCREENED_KINDS = {
    "individual": frozenset({"individual"}),
    "entity": frozenset({"entity", "vessel", "aircraft"}),
}
ANY_KIND = frozenset({"individual", "entity", "vessel", "aircraft"})


@dataclass(frozen=True, slots=True)
class Party:
    source: str
    entry_id: str
    kind: str
    name: str
    programs: tuple[str, ...]
    digest: str
    years: tuple[tuple[int, int], ...]  # the birth-year ranges the list allows
    nationalities: frozenset[str]  # ISO codes


@dataclass(frozen=True, slots=True)
class ListedName:
    party: Party
    text: str
    quality: str | None  # None: the primary name; aka, fka, nka: an alias
    tokens: tuple[str, ...]
    surnames: int  # how many of the tokens are the surname ("LAST, First"); 0: unknown
    joined: str  # the tokens, space-separated (for the rough filter)


@dataclass(frozen=True, slots=True)
class Subject:
    """A name to screen. kind None: compared with every kind of listed party."""

    name: str
    kind: str | None = None
    birth_date: date | None = None
    country: str | None = None  # ISO 3166 code


@dataclass(frozen=True, slots=True)
class NameMatch:
    party: Party
    listed: ListedName
    score: int
    name_score: int
    matched: tuple[tuple[str, str, int], ...]
    birth_date: str | None  # "matches", "differs" or None (not compared)
    nationality: str | None

    @property
    def program(self) -> str:
        return ", ".join(self.party.programs)

    def why(self) -> dict[str, object]:
        """What made the hit, for a person to judge."""
        return {
            "matched_on": "alias" if self.listed.quality else "name",
            "listed_as": self.listed.text,
            "alias_type": self.listed.quality,
            "name_score": self.name_score,
            "tokens": [{"name": a, "listed": b, "similarity": s} for a, b, s in self.matched],
            "birth_date": self.birth_date,
            "nationality": self.nationality,
            "kind": self.party.kind,
            "programs": list(self.party.programs),
        }


@dataclass
class NameIndex:
    names: list[ListedName] = field(default_factory=list)
    keys: dict[str, set[int]] = field(default_factory=dict)
    single: set[int] = field(default_factory=set)  # listed names of one token
    _per_token: dict[str, tuple[frozenset[int], frozenset[int]]] = field(default_factory=dict)

    @classmethod
    def build(cls, rows: Iterable[PartyRow]) -> NameIndex:
        index = cls()
        for row in rows:
            party = Party(
                source=row.source,
                entry_id=row.entry_id,
                kind=row.kind,
                name=row.name,
                programs=row.programs,
                digest=row.digest,
                years=tuple(y for y in map(birth_years, row.birth_dates) if y != (0, 0)),
                nationalities=frozenset(
                    c for c in map(country_code, row.nationalities) if c is not None
                ),
            )
            seen: set[tuple[str, ...]] = set()
            for text, quality in [(row.name, None), *((n, q) for q, n in row.aliases)]:
                words = tokens(text, row.kind)
                if words and words not in seen:
                    seen.add(words)
                    surnames = _surnames(text) if row.kind == "individual" else 0
                    index._add(ListedName(party, text, quality, words, surnames, " ".join(words)))
        return index

    def _add(self, listed: ListedName) -> None:
        at = len(self.names)
        self.names.append(listed)
        words = listed.tokens
        joined = ["=" + a + b for a, b in pairwise(words)]
        for key in {k for t in words for k in _keys(t)}.union(joined):
            self.keys.setdefault(key, set()).add(at)
        if len(listed.tokens) == 1:
            self.single.add(at)

    def __len__(self) -> int:
        return len(self.names)

    def _token_sets(self, token: str) -> tuple[frozenset[int], frozenset[int]]:
        """(the listed names sharing a key with this token, those sharing a rare key);
        cached: a book's names share most of their tokens."""
        known = self._per_token.get(token)
        if known is not None:
            return known
        empty: set[int] = set()
        found: set[int] = set()
        rare: set[int] = set()
        for key in _keys(token):
            posting = self.keys.get(key, empty)
            found |= posting
            if len(posting) <= RARE:
                rare |= posting  # a rare key is enough, whatever the other tokens
        sets = (frozenset(found), frozenset(rare))
        if len(self._per_token) < TOKEN_CACHE:
            self._per_token[token] = sets
        return sets

    def candidates(self, words: tuple[str, ...]) -> set[int]:
        per_token = []
        out: set[int] = set()
        for token in dict.fromkeys(words):
            found, rare = self._token_sets(token)
            out |= rare
            per_token.append(found)
        if len(per_token) == 1:
            return out | per_token[0]
        for a, b in combinations(per_token, 2):
            out |= a & b if len(a) <= len(b) else b & a
        for found in per_token:
            out |= found & self.single
        return out

    def search(self, subject: Subject, *, threshold: int = HIT_SCORE) -> list[NameMatch]:
        """The listed parties this name matches, best first, one match per party."""
        kinds = ANY_KIND if subject.kind is None else SCREENED_KINDS[subject.kind]
        words = tokens(subject.name, subject.kind)
        best: dict[tuple[str, str], NameMatch] = {}
        joined = " ".join(words)
        for at in self.candidates(words):
            listed = self.names[at]
            # rapidfuzz's token_set_ratio (in C) sorts out the candidates no spelling
            # could make a hit, before the token-by-token scoring in Python.
            if listed.party.kind not in kinds or not token_set_ratio(
                joined, listed.joined, score_cutoff=ROUGH_CUTOFF
            ):
                continue
            pairing = pair(words, listed.tokens, listed.surnames)
            # Date of birth and nationality move a score by at most a few points.
            if pairing.score + DOB_MATCH + NATIONALITY_MATCH < threshold:
                continue
            match = _judge(subject, listed, pairing.score, pairing.matched)
            key = (listed.party.source, listed.party.entry_id)
            if match.score >= threshold and (key not in best or best[key].score < match.score):
                best[key] = match
        return sorted(best.values(), key=lambda m: (-m.score, m.party.entry_id))


def _surnames(text: str) -> int:
    """How many tokens come before the comma of "LAST, First Middle"."""
    last, comma, _first = text.partition(",")
    return len(tokens(last, "individual")) if comma else 0


def _keys(token: str) -> Iterator[str]:
    yield "=" + token
    if len(token) >= 5:
        yield "<" + token[:4]
        yield ">" + token[-4:]
        yield "~" + token[:2] + token[-2:]


def _judge(
    subject: Subject, listed: ListedName, score: int, matched: tuple[tuple[str, str, int], ...]
) -> NameMatch:
    party = listed.party
    dob: str | None = None
    if subject.birth_date is not None and party.years:
        year = subject.birth_date.year
        dob = "matches" if any(lo <= year <= hi for lo, hi in party.years) else "differs"
    nationality: str | None = None
    if subject.country and party.nationalities:
        listed_here = subject.country.upper() in party.nationalities
        nationality = "matches" if listed_here else "differs"
    total = score
    total += {"matches": DOB_MATCH, "differs": DOB_DIFFERS, None: 0}[dob]
    total += {"matches": NATIONALITY_MATCH, "differs": NATIONALITY_DIFFERS, None: 0}[nationality]
    return NameMatch(
        party=party,
        listed=listed,
        score=max(0, min(100, total)),
        name_score=score,
        matched=matched,
        birth_date=dob,
        nationality=nationality,
    )
