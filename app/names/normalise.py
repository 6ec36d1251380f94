"""Names as screening compares them: ASCII tokens, lower case, no punctuation.

Han characters are read with pypinyin (张伟 -> "zhang wei"; the given name's
syllables joined, "闫晓兵" -> "yan xiaobing", as romanised Chinese names are
written); every other script with anyascii (Cyrillic, Arabic, Greek, accents).
Order is not kept meaningful: "ZHANG, Wei" and "Wei Zhang" give the same tokens,
and matching compares them as a set.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry
from anyascii import anyascii
from pypinyin import lazy_pinyin
from rapidfuzz.distance import Indel
from rapidfuzz.process import extractOne

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_APOSTROPHES = re.compile(r"['’`ʼ]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")

# Legal forms and filler words of company names: they say nothing of who it is.
_ENTITY_TEXT = """
the of and for in de del la el al co company companies corp corporation inc incorporated
ltd limited llc llp lp plc sa sal sarl srl spa ag gmbh bv nv oy ab as jsc ojsc cjsc pjsc
ooo zao oao fze fzco fzc pte pty bhd sdn group holding holdings trading international
intl joint stock liability closed open public unitary
"""
ENTITY_WORDS = frozenset(_ENTITY_TEXT.split())


_LONG_ENTITY_WORDS = sorted(w for w in ENTITY_WORDS if len(w) >= 7)

# OFAC's spellings that ISO's names do not match.
_NATIONALITY_CODES = {
    "korea, north": "KP",
    "north korea": "KP",
    "korea, south": "KR",
    "turkey": "TR",
    "palestinian": "PS",
    "burma": "MM",
    "russia": "RU",
    "iran": "IR",
    "syria": "SY",
    "venezuela": "VE",
    "bolivia": "BO",
    "laos": "LA",
    "vietnam": "VN",
    "congo, democratic republic of the": "CD",
}


def _han_to_latin(match: re.Match[str]) -> str:
    syllables = lazy_pinyin(match.group(0))
    if len(syllables) < 2:
        return f" {' '.join(syllables)} "
    # Surname first, given name as one word: how romanised Chinese names are listed.
    return f" {syllables[0]} {''.join(syllables[1:])} "


def to_ascii(text: str) -> str:
    return anyascii(_HAN.sub(_han_to_latin, text))


@lru_cache(maxsize=65536)
def tokens(name: str, kind: str | None = None) -> tuple[str, ...]:
    """The name's tokens in order, lower-case ASCII; company legal forms and filler
    words dropped for a non-individual (unless nothing else is left)."""
    text = _APOSTROPHES.sub("", to_ascii(name).lower())
    words = tuple(w for w in _NOT_WORD.split(text) if w)
    if kind in (None, "individual"):
        return words
    kept = tuple(w for w in words if len(w) > 1 and not _entity_word(w))
    return kept or words


@lru_cache(maxsize=65536)
def _entity_word(word: str) -> bool:
    """A legal form or filler word, also misspelt ("internatinal")."""
    if word in ENTITY_WORDS:
        return True
    if len(word) < 7:
        return False
    return (
        extractOne(word, _LONG_ENTITY_WORDS, scorer=Indel.normalized_similarity, score_cutoff=0.85)
        is not None
    )


@lru_cache(maxsize=512)
def country_code(text: str) -> str | None:
    """The ISO 3166 code of a country as the list writes it ("Iran", "Korea, North"),
    or None when it cannot be told."""
    key = text.strip().lower().rstrip(".")
    if key in _NATIONALITY_CODES:
        return _NATIONALITY_CODES[key]
    if len(key) == 2:
        found = pycountry.countries.get(alpha_2=key.upper())
        return None if found is None else str(found.alpha_2)
    try:
        return str(pycountry.countries.lookup(key).alpha_2)
    except LookupError:
        return None


_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def birth_years(text: str) -> tuple[int, int]:
    """The range of years a listed date of birth allows: "25 Mar 1977" (1977, 1977),
    "1956 to 1958", "circa 1960" (1958, 1962); (0, 0) when it holds no year."""
    years = [int(y) for y in _YEAR.findall(text)]
    if not years:
        return 0, 0
    low, high = min(years), max(years)
    if "circa" in text.lower():
        low, high = low - 2, high + 2
    return low, high
